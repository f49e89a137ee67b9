/* Tracer kernel/user contract: counters and ring-buffer records of tracer.bpf.c. */
#ifndef PS_TRACER_ABI_H
#define PS_TRACER_ABI_H

#include "ps/pkt_abi.h"
#include "ps/path_abi.h"

/* Counters kept in a per-CPU array (one slot per enum value); user space sums the CPUs. */
enum ps_tracer_counter {
  PS_TC_RX = 0,        /* netif_receive_skb */
  PS_TC_TX = 1,        /* net_dev_xmit */
  PS_TC_DROP = 2,      /* kfree_skb (a drop with a reason) */
  PS_TC_CONSUME = 3,   /* consume_skb (normal end of life) */
  PS_TC_RB_LOST = 4,   /* ring-buffer reservations that failed */
  PS_TC_TC_SEEN = 5,   /* packets through our TC hook */
  PS_TC_SAMPLED_OUT = 6,
  PS_TC_PATHS = 7,      /* path records emitted */
  PS_TC_PROTO_BASE = 8, /* + enum ps_proto_class: drops by protocol class */
  PS_TC_PATH_LOST = 14,  /* path records lost to a full ring buffer */
  PS_TC_PATH_UNTRACKED = 15, /* packets not followed: the in-flight table was full */
  PS_TC_PATH_RATE_LIMITED = 16, /* packets not followed: over the path rate limit */
  PS_TC_COUNTER_MAX = 17,
};

/* Every record in tracer_events carries its kind as a __u32 at byte 24 (PS_EV_KIND_OFFSET), so
 * user space can tell them apart before it knows the record's size. */
enum ps_tracer_event_kind {
  PS_EV_DROP = 1,
  PS_EV_TC_PACKET = 2,
  PS_EV_SOCK_STATE = 3,
};
#define PS_EV_KIND_OFFSET 24

/* One record per dropped packet (and per TC-hook packet when cfg_emit_tc_events is set). */
struct ps_drop_event {
  __u64 ts_ns;        /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
  __u64 location;     /* kernel address of the freeing call site */
  __u64 skb;          /* skb address: the key that follows a packet across hooks */
  __u32 kind;         /* enum ps_tracer_event_kind */
  __u32 reason;       /* enum skb_drop_reason value; named from BTF in user space */
  __u32 ifindex;
  __u32 netns;        /* network namespace inode number */
  __u32 caplen;       /* bytes valid in data[] */
  __u32 pad0;
  struct ps_pkt_meta meta;
  __u8 data[PS_HDR_CAP]; /* captured headers from the network (or Ethernet) header on */
};

/* One record per socket state change (sock:inet_sock_set_state: TCP, and DCCP/SCTP/MPTCP when
 * present; states are the kernel's TCP_* values for every protocol). Addresses and ports are
 * the socket's at the moment of the change: a connecting socket has no local port yet on its
 * CLOSE->SYN_SENT change, and on some older kernels a server's new child socket still has the
 * listener's (empty) remote address and port on LISTEN->SYN_RECV. */
struct ps_sock_event {
  __u64 ts_ns;        /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
  __u64 cookie;       /* socket cookie (bpf_get_socket_cookie): the idiag_cookie of sock_diag */
  __u64 sk;           /* struct sock address, for debugging; user space names sockets by cookie */
  __u32 kind;         /* PS_EV_SOCK_STATE, at PS_EV_KIND_OFFSET like every record */
  __u32 netns;        /* network namespace inode number */
  __u8 family;        /* 4 or 6 */
  __u8 oldstate;      /* TCP_* (1 ESTABLISHED ... 12 NEW_SYN_RECV) */
  __u8 newstate;
  __u8 pad0;
  __u16 protocol;     /* sk_protocol: IPPROTO_TCP, IPPROTO_SCTP, IPPROTO_MPTCP (262), ... */
  __u16 sport;        /* local port, host order (0 while unbound) */
  __u16 dport;        /* remote port, host order */
  __u16 pad1;
  __u32 tgid;         /* current task: the socket's user when the change comes from a system
                         call (connect, listen, close, shutdown); when it comes from a received
                         packet (softirq), whichever task that interrupted */
  __u8 saddr[16];     /* local address: IPv4 in the first 4 bytes (network order), IPv6 all 16 */
  __u8 daddr[16];     /* remote address */
  char comm[16];      /* name of the task in tgid */
};

#ifndef __BPF__
#ifdef __cplusplus
static_assert(sizeof(struct ps_drop_event) == 48 + 72 + 256, "ps_drop_event layout is ABI");
static_assert(sizeof(struct ps_sock_event) == 96, "ps_sock_event layout is ABI");
static_assert(__builtin_offsetof(struct ps_drop_event, kind) == PS_EV_KIND_OFFSET, "record kind is at byte 24");
static_assert(__builtin_offsetof(struct ps_sock_event, kind) == PS_EV_KIND_OFFSET, "record kind is at byte 24");
#endif
#else
_Static_assert(sizeof(struct ps_drop_event) == 48 + 72 + 256, "ps_drop_event layout is ABI");
_Static_assert(sizeof(struct ps_sock_event) == 96, "ps_sock_event layout is ABI");
_Static_assert(__builtin_offsetof(struct ps_drop_event, kind) == PS_EV_KIND_OFFSET, "record kind is at byte 24");
_Static_assert(__builtin_offsetof(struct ps_sock_event, kind) == PS_EV_KIND_OFFSET, "record kind is at byte 24");
#endif

#endif
