/* Packet and socket classification for analyzer.bpf.c: which layers an skb belongs to, its flow
 * key (one end's view) and transport payload, and a socket's flow key.
 *
 * Cost matters here (every packet): headers are read with direct loads through bpf_rdonly_cast
 * (the verifier turns the cast into a register move and the loads into PROBE_MEM loads) instead
 * of a bpf_probe_read_kernel helper call per packet. */
#pragma once

#include "ps/analyzer_abi.h"

#define AN_ETH_P_IP 0x0800
#define AN_ETH_P_IPV6 0x86DD
#define AN_IPPROTO_ICMP 1
#define AN_IPPROTO_TCP 6
#define AN_IPPROTO_UDP 17
#define AN_IPPROTO_ICMPV6 58
#define AN_AF_INET 2
#define AN_AF_INET6 10

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

struct an_pkt {
  struct ps_an_flow_key key;
  __u32 payload; /* transport payload bytes (TCP/UDP/ICMP), 0 when unknown */
  __u8 l3;       /* IPv4 or IPv6 */
  __u8 l4;       /* TCP, UDP, ICMP or ICMPv6 */
  __u8 doff;     /* L4 header length, 0 when the header was not in the linear data */
  __u8 pad;
};

/* Wire packets in an skb: gso_segs of a GSO/GRO skb (its skb_shared_info sits at head + end). */
static __always_inline __u32 skb__segs(struct sk_buff *skb) {
  if (!skb->data_len) /* linear: never GSO */
    return 1;
  struct skb_shared_info *sh =
      bpf_rdonly_cast(skb->head + skb->end, bpf_core_type_id_kernel(struct skb_shared_info));
  __u32 segs = sh->gso_segs;
  return segs ? segs : 1;
}

static __always_inline __u32 dev__netns(struct net_device *dev) {
  return dev ? dev->nd_net.net->ns.inum : 0;
}

static __always_inline __u32 sk__netns(const struct sock *sk) {
  return sk ? sk->__sk_common.skc_net.net->ns.inum : 0;
}

/* Fills ports and payload from the L4 header at head + off; `l3_rest` is what follows the L3
 * header. Receive keys see the packet from its destination, transmit keys from its source. */
static __always_inline void pkt__l4(unsigned char *head, __u32 off, __u32 tail, __u32 l3_rest, bool rx,
                                    struct an_pkt *p) {
  __u16 sport = 0, dport = 0;
  __u32 hlen = 0;
  if (p->key.proto == AN_IPPROTO_TCP) {
    if (off + 20 > tail)
      return;
    struct tcphdr *th = bpf_rdonly_cast(head + off, bpf_core_type_id_kernel(struct tcphdr));
    sport = bpf_ntohs(th->source);
    dport = bpf_ntohs(th->dest);
    hlen = (__u32)BPF_CORE_READ_BITFIELD(th, doff) * 4;
  } else if (p->key.proto == AN_IPPROTO_UDP) {
    if (off + 8 > tail)
      return;
    struct udphdr *uh = bpf_rdonly_cast(head + off, bpf_core_type_id_kernel(struct udphdr));
    sport = bpf_ntohs(uh->source);
    dport = bpf_ntohs(uh->dest);
    hlen = 8;
  } else {
    if (off + 8 > tail)
      return;
    struct icmphdr *ih = bpf_rdonly_cast(head + off, bpf_core_type_id_kernel(struct icmphdr));
    __u8 t = ih->type;
    /* Echo request/reply (v4 8/0, v6 128/129): the identifier names the conversation. */
    if (t == 0 || t == 8 || t == 128 || t == 129)
      p->key.rport = bpf_ntohs(ih->un.echo.id);
    hlen = 8;
  }
  if (p->key.proto != AN_IPPROTO_ICMP && p->key.proto != AN_IPPROTO_ICMPV6) {
    p->key.lport = rx ? dport : sport;
    p->key.rport = rx ? sport : dport;
  }
  p->doff = (__u8)hlen;
  p->payload = l3_rest > hlen ? l3_rest - hlen : 0;
}

/* Parses the IP header at head + off (an skb's linear data ends at head + tail). `len` is the
 * packet length from the IP header on. */
static __always_inline void pkt__parse(unsigned char *head, __u32 off, __u32 tail, __u16 eth_proto, __u32 len,
                                       bool rx, struct an_pkt *p) {
  __u32 ihl;
  __u8 proto;
  if (eth_proto == AN_ETH_P_IP) {
    if (off + 20 > tail)
      return;
    struct iphdr *ip = bpf_rdonly_cast(head + off, bpf_core_type_id_kernel(struct iphdr));
    p->l3 = 1;
    p->key.family = 4;
    proto = ip->protocol;
    ihl = (__u32)BPF_CORE_READ_BITFIELD(ip, ihl) * 4;
    *(__u32 *)p->key.local = rx ? ip->daddr : ip->saddr;
    *(__u32 *)p->key.remote = rx ? ip->saddr : ip->daddr;
    if (bpf_ntohs(ip->frag_off) & 0x1fff) /* a later fragment: no L4 header */
      ihl = 0;
  } else if (eth_proto == AN_ETH_P_IPV6) {
    if (off + 40 > tail)
      return;
    struct ipv6hdr *ip6 = bpf_rdonly_cast(head + off, bpf_core_type_id_kernel(struct ipv6hdr));
    p->l3 = 1;
    p->key.family = 6;
    proto = ip6->nexthdr; /* extension headers are not followed: they count as network only */
    ihl = 40;
    __builtin_memcpy(p->key.local, rx ? &ip6->daddr : &ip6->saddr, 16);
    __builtin_memcpy(p->key.remote, rx ? &ip6->saddr : &ip6->daddr, 16);
  } else {
    return;
  }
  p->key.proto = proto;
  if (proto != AN_IPPROTO_TCP && proto != AN_IPPROTO_UDP && proto != AN_IPPROTO_ICMP &&
      proto != AN_IPPROTO_ICMPV6)
    return;
  p->l4 = 1;
  if (ihl == 0 || len < ihl)
    return;
  pkt__l4(head, off + ihl, tail, len - ihl, rx, p);
}

/* A socket's flow key, the same as its packets': local = the socket's own address and port. A
 * dual-stack socket talking IPv4 (v4-mapped addresses) gets an IPv4 key, as its packets do. */
static __always_inline bool sk__flow_key(const struct sock *sk, struct ps_an_flow_key *k) {
  __builtin_memset(k, 0, sizeof(*k));
  __u16 fam = sk->__sk_common.skc_family;
  k->netns = sk__netns(sk);
  k->proto = (__u8)sk->sk_protocol;
  k->lport = sk->__sk_common.skc_num;
  k->rport = bpf_ntohs(sk->__sk_common.skc_dport);
  if (k->proto == AN_IPPROTO_ICMP || k->proto == AN_IPPROTO_ICMPV6) {
    k->rport = k->lport; /* ping sockets: the port is the echo identifier */
    k->lport = 0;
  }
  if (fam == AN_AF_INET6) {
    const __u32 *d = sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32;
    if (!(d[0] == 0 && d[1] == 0 && d[2] == bpf_htonl(0xffff))) {
      k->family = 6;
      __builtin_memcpy(k->local, &sk->__sk_common.skc_v6_rcv_saddr, 16);
      __builtin_memcpy(k->remote, &sk->__sk_common.skc_v6_daddr, 16);
      return true;
    }
  } else if (fam != AN_AF_INET) {
    return false;
  }
  k->family = 4;
  *(__u32 *)k->local = sk->__sk_common.skc_rcv_saddr;
  *(__u32 *)k->remote = sk->__sk_common.skc_daddr;
  return true;
}
