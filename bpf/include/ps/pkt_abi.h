/* Packet header summary shared by every PacketScope BPF program and user space.
 * C, fixed-width, pointer-free, explicitly padded: this layout is ABI. */
#ifndef PS_PKT_ABI_H
#define PS_PKT_ABI_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types in BPF programs. */
#else
#include <linux/types.h>
#endif

/* Bytes of headers copied out of a packet for parsing (and for the hex view). Power of two:
 * the parsers mask offsets with PS_HDR_CAP - 1 so the verifier can bound them. */
#define PS_HDR_CAP 256

enum ps_meta_flags {
  PS_META_VLAN = 1 << 0,      /* an 802.1Q/802.1ad tag was skipped */
  PS_META_TRUNCATED = 1 << 1, /* headers ran past the captured bytes */
  PS_META_MALFORMED = 1 << 2, /* a length or version field is impossible */
  PS_META_FRAGMENT = 1 << 3,  /* IPv4 MF/offset or IPv6 fragment header: no L4 unless first */
  PS_META_IP_OPTIONS = 1 << 4,
  PS_META_IPV6_EXT = 1 << 5,
  PS_META_L2 = 1 << 6,        /* parsing started at an Ethernet header */
};

/* Layer-4 class used for counters; mirrors what the filters understand. */
enum ps_proto_class {
  PS_PC_OTHER = 0,
  PS_PC_TCP = 1,
  PS_PC_UDP = 2,
  PS_PC_ICMP = 3, /* ICMP and ICMPv6 */
  PS_PC_ARP = 4,
  PS_PC_IPV6_OTHER = 5,
  PS_PC_MAX = 6,
};

struct ps_pkt_meta {
  __u8 saddr[16];   /* IPv4 in the first 4 bytes (network order), IPv6 all 16; ARP: sender IP */
  __u8 daddr[16];   /* ARP: target IP */
  __u16 sport;      /* host order; ICMP echo: identifier */
  __u16 dport;      /* host order */
  __u16 l3_proto;   /* ETH_P_* in host order (0x0800, 0x86dd, 0x0806) */
  __u16 vlan_id;    /* outermost VLAN id, valid with PS_META_VLAN */
  __u8 family;      /* 4, 6, or 0 for non-IP */
  __u8 l4_proto;    /* IPPROTO_* */
  __u8 tcp_flags;   /* FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128 */
  __u8 icmp_type;
  __u8 icmp_code;
  __u8 ttl;         /* IPv4 TTL or IPv6 hop limit */
  __u16 flags;      /* enum ps_meta_flags */
  __u32 pkt_len;    /* total packet length as seen at the hook */
  __u32 l4_off;     /* offset of the L4 header in the captured bytes, 0 if none */
  __u16 arp_op;
  __u16 pad0;
  __u32 tcp_seq;
  __u32 tcp_ack;
  __u32 pad1;
};

#ifndef __BPF__
#ifdef __cplusplus
static_assert(sizeof(struct ps_pkt_meta) == 72, "ps_pkt_meta layout is ABI");
#endif
#else
_Static_assert(sizeof(struct ps_pkt_meta) == 72, "ps_pkt_meta layout is ABI");
#endif

#endif
