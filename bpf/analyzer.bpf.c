/* Analyzer kernel programs (tracepoints only): per-layer volume, cross-layer latency as log2
 * histograms, drops by reason, TCP events, and per-flow / per-interface tables, all aggregated
 * here; user space only reads the maps (src/analyzer). Independent of the tracer's programs.
 *
 * Latency: 1 in cfg_latency_sample packets is timed (volumes stay exact). A timed packet's
 * synchronous receive hops (route lookup, tcp_probe) are matched through a per-CPU "current
 * receive skb" slot, its transmit hop through a per-CPU "current transmit skb" slot; only hops
 * that come later, elsewhere (the application's read, a qdisc dequeue) go through the in-flight
 * LRU table keyed by skb address. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "analyzer_pkt.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 cfg_latency_sample = 1; /* time 1 in N packets */
const volatile __u32 cfg_netns_filter = 0;   /* only this netns inode (0 = all) */

/* Advanced by user space once per interval: selects the slot of ps_an_hist.max in use. */
volatile __u32 an_epoch = 0;

/* In-flight entries older than this belong to a recycled skb address (freed untraced). */
#define AN_TRACK_MAX_AGE_NS (10ULL * 1000 * 1000 * 1000)

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ps_an_counters);
} analyzer_counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PS_PAIRS);
  __type(key, __u32);
  __type(value, struct ps_an_hist);
} analyzer_hist SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PS_AN_REASONS);
  __type(key, __u32);
  __type(value, __u64);
} analyzer_drops SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
  __uint(max_entries, 65536); /* AnalyzerOptions::flows_max */
  __uint(map_flags, BPF_F_NO_COMMON_LRU);
  __type(key, struct ps_an_flow_key);
  __type(value, struct ps_an_flow);
} analyzer_flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 4096);
  __type(key, struct ps_an_iface_key);
  __type(value, struct ps_an_iface);
} analyzer_ifaces SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __uint(map_flags, BPF_F_NO_COMMON_LRU);
  __type(key, __u64);
  __type(value, struct ps_an_track);
} analyzer_inflight SEC(".maps");

/* The skb netif_receive_skb (resp. net_dev_queue) saw last on this CPU, and its timestamps. */
struct an_cur {
  __u64 skb;
  __u64 head;
  __u64 ts[3];   /* link, network, transport; ts[0] == 0: not timed */
  __u32 ifindex;
  __u8 tracked;  /* also in analyzer_inflight (it has a later, asynchronous hop) */
  __u8 pad[3];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2); /* 0: receive, 1: transmit */
  __type(key, __u32);
  __type(value, struct an_cur);
} analyzer_cur SEC(".maps");

static const struct ps_an_flow an_zero_flow;
static const struct ps_an_iface an_zero_iface;

static __always_inline struct ps_an_counters *counters(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&analyzer_counters, &zero);
}

static __always_inline struct an_cur *cur__get(__u32 dir) {
  return bpf_map_lookup_elem(&analyzer_cur, &dir);
}

static __always_inline bool netns__skip(__u32 netns) {
  return cfg_netns_filter && netns != cfg_netns_filter;
}

static __always_inline __u32 log2_u64(__u64 v) {
  __u32 r, s;
  r = (v > 0xFFFFFFFFULL) << 5; v >>= r;
  s = (v > 0xFFFF) << 4; v >>= s; r |= s;
  s = (v > 0xFF) << 3; v >>= s; r |= s;
  s = (v > 0xF) << 2; v >>= s; r |= s;
  s = (v > 0x3) << 1; v >>= s; r |= s;
  return r | (__u32)(v >> 1);
}

static __always_inline void hist__add(__u32 pair, __u64 ns) {
  struct ps_an_hist *h = bpf_map_lookup_elem(&analyzer_hist, &pair);
  if (!h)
    return;
  h->buckets[log2_u64(ns) & (PS_HIST_BUCKETS - 1)]++;
  __u32 e = an_epoch;
  __u32 slot = e & 1;
  if (h->max_epoch[slot] != e) {
    h->max_epoch[slot] = e;
    h->max[slot] = ns;
  } else if (ns > h->max[slot]) {
    h->max[slot] = ns;
  }
}

static __always_inline bool sample__take(struct ps_an_counters *c) {
  if (cfg_latency_sample <= 1)
    return true;
  return ++c->sample_seq % cfg_latency_sample == 0;
}

/* This CPU's value of a flow, created if new (NULL only when the table refuses the insert). */
static __always_inline struct ps_an_flow *flow__get(const struct ps_an_flow_key *k, struct ps_an_counters *c) {
  struct ps_an_flow *f = bpf_map_lookup_elem(&analyzer_flows, k);
  if (f)
    return f;
  /* Inserts and failures are counted atomically: process-context and softirq programs share
   * this CPU's counters (the per-packet volumes are only touched with bottom halves off). */
  if (bpf_map_update_elem(&analyzer_flows, k, &an_zero_flow, BPF_NOEXIST) == 0)
    __sync_fetch_and_add(&c->flow_inserts, 1);
  f = bpf_map_lookup_elem(&analyzer_flows, k);
  if (!f) {
    __sync_fetch_and_add(&c->flow_insert_fail, 1);
    return NULL;
  }
  return f;
}

static __always_inline struct ps_an_iface *iface__get(__u32 ifindex, __u32 netns, struct ps_an_counters *c) {
  struct ps_an_iface_key k = {.ifindex = ifindex, .netns = netns};
  struct ps_an_iface *v = bpf_map_lookup_elem(&analyzer_ifaces, &k);
  if (v)
    return v;
  if (bpf_map_update_elem(&analyzer_ifaces, &k, &an_zero_iface, BPF_NOEXIST) == 0)
    __sync_fetch_and_add(&c->iface_inserts, 1);
  v = bpf_map_lookup_elem(&analyzer_ifaces, &k);
  if (!v)
    __sync_fetch_and_add(&c->iface_insert_fail, 1);
  return v;
}

/* Starts timing an skb in the in-flight table. Entries are kept after their packet's last hop
 * (track__end) and overwritten in place when the address comes back: skb addresses are
 * recycled from a small slab set, and an in-place write costs one lookup where delete + insert
 * cost two LRU list operations under their locks. */
static __always_inline bool track__start(__u64 key, __u64 head, __u64 ts0, const struct ps_an_flow_key *k,
                                         struct ps_an_counters *c) {
  struct ps_an_track *t = bpf_map_lookup_elem(&analyzer_inflight, &key);
  if (t) {
    t->head = head;
    t->ts[0] = ts0;
    t->ts[1] = 0;
    t->ts[2] = 0;
    if (k)
      t->key = *k;
    __sync_fetch_and_add(&c->track_reused, 1);
    return true;
  }
  struct ps_an_track n = {.head = head, .ts = {ts0, 0, 0}};
  if (k)
    n.key = *k;
  if (bpf_map_update_elem(&analyzer_inflight, &key, &n, BPF_ANY) == 0) {
    __sync_fetch_and_add(&c->track_inserts, 1);
    return true;
  }
  __sync_fetch_and_add(&c->track_insert_fail, 1);
  return false;
}

static __always_inline void track__end(struct ps_an_track *t, struct ps_an_counters *c) {
  t->ts[0] = 0;
  if (c)
    __sync_fetch_and_add(&c->track_ended, 1);
}

/* Volume of one frame at a link hook: layers, interface, flow. Returns the parsed packet. */
static __always_inline void link__account(struct sk_buff *skb, struct ps_an_counters *c, __u32 dir, __u32 ifindex,
                                          __u32 netns, struct an_pkt *p) {
  __u32 segs = skb__segs(skb);
  __u32 len = skb->len;
  unsigned char *head = skb->head;
  /* Receive: data is at the network header (the MAC header was pulled); transmit: at the MAC
   * header, and network_header is set by the IP layer. */
  __u32 data_off = (__u32)(skb->data - head);
  __u32 nh = dir == PS_AN_RX ? data_off : skb->network_header;
  __u32 l2 = nh > data_off ? nh - data_off : 0;
  pkt__parse(head, nh, skb->tail, bpf_ntohs(skb->protocol), len > l2 ? len - l2 : 0, dir == PS_AN_RX, p);
  c->layer[PS_LAYER_LINK][dir].packets += segs;
  c->layer[PS_LAYER_LINK][dir].bytes += len;
  if (p->l3) {
    c->layer[PS_LAYER_NETWORK][dir].packets += segs;
    c->layer[PS_LAYER_NETWORK][dir].bytes += len;
  }
  if (p->l4) {
    c->layer[PS_LAYER_TRANSPORT][dir].packets += segs;
    c->layer[PS_LAYER_TRANSPORT][dir].bytes += len;
  }
  struct ps_an_iface *ifv = iface__get(ifindex, netns, c);
  if (ifv) {
    struct ps_an_volume *v = dir == PS_AN_RX ? &ifv->rx : &ifv->tx;
    v->packets += segs;
    v->bytes += len;
  }
  if (!p->l3)
    return;
  p->key.netns = netns;
  struct ps_an_flow *f = flow__get(&p->key, c);
  if (!f)
    return;
  if (dir == PS_AN_RX) {
    f->rx.packets += segs;
    f->rx.bytes += len;
    f->rx_payload += p->payload;
  } else {
    f->tx.packets += segs;
    f->tx.bytes += len;
    f->tx_payload += p->payload;
  }
}

#include "analyzer_hooks.bpf.h"
#include "analyzer_events.bpf.h"
