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
  PS_TC_COUNTER_MAX = 16,
};

enum ps_tracer_event_kind {
  PS_EV_DROP = 1,
  PS_EV_TC_PACKET = 2,
};

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

#ifndef __BPF__
#ifdef __cplusplus
static_assert(sizeof(struct ps_drop_event) == 48 + 72 + 256, "ps_drop_event layout is ABI");
#endif
#else
_Static_assert(sizeof(struct ps_drop_event) == 48 + 72 + 256, "ps_drop_event layout is ABI");
#endif

#endif
