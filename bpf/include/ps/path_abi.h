/* Per-packet path records of the tracer: one record per finished skb, carrying every hop the
 * packet took through the stack (both directions: a veth or loopback transmit hands the same
 * skb to the peer's receive path, so one record shows the whole crossing). */
#ifndef PS_PATH_ABI_H
#define PS_PATH_ABI_H

#include "ps/pkt_abi.h"

#define PS_MAX_HOPS 24

/* Hook points, in the order a packet usually meets them. Values are ABI: append only. */
enum ps_hook {
  PS_HOOK_NONE = 0,
  /* receive */
  PS_HOOK_XDP = 1,
  PS_HOOK_GRO_RECEIVE = 2,      /* net:napi_gro_receive_entry */
  PS_HOOK_NETIF_RX = 3,         /* net:netif_rx (veth, loopback, backlog) */
  PS_HOOK_NETIF_RECEIVE = 4,    /* net:netif_receive_skb */
  PS_HOOK_TC_INGRESS = 5,       /* our TC classifier */
  PS_HOOK_FIB_LOOKUP = 6,       /* fib:fib_table_lookup (route decision for this packet) */
  PS_HOOK_TCP_RCV = 7,          /* tcp:tcp_probe on receive (socket found, state updated) */
  PS_HOOK_UDP_QUEUE_FAIL = 8,   /* udp:udp_fail_queue_rcv_skb */
  PS_HOOK_SOCK_RCVQ_FULL = 9,   /* sock:sock_rcvqueue_full */
  PS_HOOK_COPY_TO_USER = 10,    /* skb:skb_copy_datagram_iovec (the application read it) */
  PS_HOOK_ICMP_SEND = 11,       /* icmp:icmp_send (this packet triggered an ICMP error) */
  PS_HOOK_TCP_SEND_RESET = 12,  /* tcp:tcp_send_reset */
  PS_HOOK_TCP_RETRANSMIT = 13,  /* tcp:tcp_retransmit_skb */
  /* transmit */
  PS_HOOK_NET_DEV_QUEUE = 14,   /* net:net_dev_queue */
  PS_HOOK_QDISC_ENQUEUE = 15,   /* qdisc:qdisc_enqueue */
  PS_HOOK_QDISC_DEQUEUE = 16,   /* qdisc:qdisc_dequeue */
  PS_HOOK_START_XMIT = 17,      /* net:net_dev_start_xmit */
  PS_HOOK_DEV_XMIT = 18,        /* net:net_dev_xmit (aux = driver return code) */
  PS_HOOK_TC_EGRESS = 19,       /* our TC classifier */
  /* end of life */
  PS_HOOK_CONSUME = 20,         /* skb:consume_skb */
  PS_HOOK_KFREE = 21,           /* skb:kfree_skb (aux = drop reason) */
  PS_HOOK_FIB6_LOOKUP = 22,     /* fib6:fib6_table_lookup (IPv6 route decision; aux = route type) */
  PS_HOOK_MAX = 23,
};

struct ps_hop {
  __u64 ts_ns;    /* bpf_ktime_get_ns */
  __u32 ifindex;  /* skb->dev at the hook, 0 if none */
  __u32 netns;    /* network namespace inode at the hook */
  __u16 hook;     /* enum ps_hook */
  __u16 aux;      /* hook-specific: xmit rc, ICMP type<<8|code, TCP state, drop reason */
  __u32 cpu;
};

enum ps_path_flags {
  PS_PATH_DROPPED = 1 << 0,      /* ended in kfree_skb */
  PS_PATH_HOPS_OVERFLOW = 1 << 1, /* more than PS_MAX_HOPS hops; the last ones are kept */
  PS_PATH_TX_ORIGIN = 1 << 2,    /* first seen on the transmit side (locally generated) */
  PS_PATH_EXPIRED = 1 << 3,      /* no end seen for a long time; reported by user space's sweep */
  PS_PATH_END_IMPLICIT = 1 << 4, /* ends where the kernel frees it without a tracepoint (TCP data
                                    after the application read it) */
  PS_PATH_END_UNSEEN = 1 << 5,   /* its address came back as a new packet before any end hook:
                                    freed untraced (e.g. a pure TCP ACK); ends at its last hop */
};

/* A packet in flight whose last hop is one of these and that shows no progress for this long
 * was freed without a tracepoint; user space's sweep reports it (PS_PATH_EXPIRED). */
#define PS_PATH_IDLE_NS (500ULL * 1000 * 1000)
/* Any packet in flight longer than this is reported and forgotten (queues, lost end hooks). */
#define PS_PATH_MAX_AGE_NS (10ULL * 1000 * 1000 * 1000)

struct ps_path_event {
  __u64 skb;           /* skb address: unique while in flight */
  __u64 location;      /* kfree_skb/consume_skb call site */
  __u32 reason;        /* enum skb_drop_reason when dropped, else 0 */
  __u32 nhops;         /* hops recorded (may exceed PS_MAX_HOPS: see flags) */
  __u32 flags;         /* enum ps_path_flags */
  __u32 caplen;        /* valid bytes in data[] */
  __u32 tgid;          /* process context at the first hop (0 in softirq) */
  __u32 pad0;
  char comm[16];       /* task name at the first hop, when in process context */
  struct ps_pkt_meta meta;
  __u8 data[PS_HDR_CAP]; /* headers captured at the first hop */
  /* Last, so that a record carries only the hops it has: the ring-buffer record is
   * PS_PATH_EVENT_SIZE(min(nhops, PS_MAX_HOPS)) bytes; readers zero the rest. */
  struct ps_hop hops[PS_MAX_HOPS];
};
#define PS_PATH_EVENT_HOPS_OFFSET (40 + 16 + 72 + PS_HDR_CAP)
#define PS_PATH_EVENT_SIZE(n) (PS_PATH_EVENT_HOPS_OFFSET + (n) * 24)

/* In-kernel prefilter: an AND of the simple terms of the user's expression (user space
 * re-checks the full expression on every record). Zeroed fields mean "any". */
#define PS_FILTER_MAX_ADDR 4
#define PS_FILTER_MAX_PORT 4

enum ps_filter_dir { PS_DIR_ANY = 0, PS_DIR_SRC = 1, PS_DIR_DST = 2 };

struct ps_filter_addr {
  __u8 addr[16];   /* IPv4 in the first 4 bytes */
  __u8 family;     /* 4 or 6 */
  __u8 dir;        /* enum ps_filter_dir */
  __u8 prefix_len; /* 32/128 for a host */
  __u8 pad[5];
};

struct ps_filter_port {
  __u16 lo;
  __u16 hi;
  __u8 dir;        /* enum ps_filter_dir */
  __u8 pad[3];
};

struct ps_filter {
  __u32 enabled;       /* 0: record every packet */
  __u32 proto_mask;    /* bit (1 << enum ps_proto_class); 0 = any */
  __u32 netns;         /* 0 = any */
  __u32 ifindex;       /* 0 = any (dev IF) */
  __u32 drop_only;     /* only report packets that end in kfree_skb */
  __u32 sample;        /* record 1 in N packets; 0 or 1 = all */
  __u32 rate_per_cpu;  /* follow at most this many new packets per second per CPU; 0 = no limit.
                          Applies even when !enabled (then to every packet). */
  __u32 pad0;
  __u32 n_addr;
  __u32 n_port;
  struct ps_filter_addr addr[PS_FILTER_MAX_ADDR];
  struct ps_filter_port port[PS_FILTER_MAX_PORT];
};

#ifndef __BPF__
#ifdef __cplusplus
static_assert(sizeof(struct ps_hop) == 24, "ps_hop layout is ABI");
static_assert(sizeof(struct ps_path_event) == PS_PATH_EVENT_SIZE(PS_MAX_HOPS), "ps_path_event layout is ABI");
static_assert(__builtin_offsetof(struct ps_path_event, hops) == PS_PATH_EVENT_HOPS_OFFSET, "ps_path_event layout is ABI");
static_assert(sizeof(struct ps_filter) == 40 + 24 * PS_FILTER_MAX_ADDR + 8 * PS_FILTER_MAX_PORT, "ps_filter layout is ABI");
#endif
#else
_Static_assert(sizeof(struct ps_hop) == 24, "ps_hop layout is ABI");
_Static_assert(sizeof(struct ps_path_event) == PS_PATH_EVENT_SIZE(PS_MAX_HOPS), "ps_path_event layout is ABI");
_Static_assert(__builtin_offsetof(struct ps_path_event, hops) == PS_PATH_EVENT_HOPS_OFFSET, "ps_path_event layout is ABI");
_Static_assert(sizeof(struct ps_filter) == 40 + 24 * PS_FILTER_MAX_ADDR + 8 * PS_FILTER_MAX_PORT, "ps_filter layout is ABI");
#endif

#endif
