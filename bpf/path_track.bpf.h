/* Per-packet path tracking for tracer.bpf.c: the in-flight table keyed by skb address, hops
 * appended at each hook, one record emitted when the packet ends, the rules for packets the
 * kernel frees without a tracepoint, and the prefilter memo. Included by tracer.bpf.c after
 * its shared helpers (counter__add, rb__flags, skb__*, sample__take, skb__capture) and
 * cfg_track_paths; not a stand-alone header. */
#pragma once

#include "path.bpf.h"

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 * 1024 * 1024);
} tracer_paths_rb SEC(".maps");

/* Packets in flight, by skb address. Not an LRU: nothing is pushed out unseen. When it is full a
 * new packet is not followed (counted); packets whose end we never see are removed by their
 * address's next use (path__superseded) or by user space's sweep. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64);
  __type(value, struct ps_path_event);
} tracer_inflight SEC(".maps");

/* 1 once anything was put in tracer_inflight; user space's sweep sets it back to 0 when it finds
 * the table empty, then looks again and restores it if an insert raced the reset (so it is never
 * 0 while an entry exists for longer than that look). While it is 0 (a filter that matches
 * nothing, or idle), every hook after a packet's first is one load and a return. Set only on
 * 0 -> 1, so while packets are followed it is a read-only cache line on every CPU (an exact
 * count, written twice per packet from two CPUs, cost more than the lookups it saved). */
__u32 tracer_any = 0;

/* Path admission rate limit per CPU (ps_filter.rate_per_cpu): this second's start and count. */
struct ps_rate_window {
  __u64 start_ns;
  __u64 count;
};
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ps_rate_window);
} tracer_rate SEC(".maps");

/* The prefilter; user space may replace it at any time. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ps_filter);
} tracer_filter SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ps_path_event);
} tracer_scratch SEC(".maps");

/* skb most recently received on this CPU: fib_table_lookup carries no skb, but on receive it
 * runs synchronously inside that skb's processing. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} tracer_cur_rx SEC(".maps");

/* The packets the prefilter last rejected on this CPU. A packet meets several entry hooks in one
 * call chain (veth: net_dev_queue, netif_rx, then netif_receive_skb from this CPU's backlog,
 * with other packets, e.g. ACKs the other way, in between); this spares it a parse at each.
 * Identity is address + data buffer within 2 ms, and an entry is cleared when its packet ends,
 * so a recycled skb is not mistaken for it (at worst a packet is parsed twice). */
#define PS_REJECT_MEMO 4
struct ps_rejected {
  __u64 skb;
  __u64 head;
  __u64 ts_ns;
};
struct ps_reject_memo {
  struct ps_rejected e[PS_REJECT_MEMO];
  __u32 next;
  __u32 pad;
};
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ps_reject_memo);
} tracer_rejected SEC(".maps");
#define PS_REJECT_MEMO_NS (2ULL * 1000 * 1000)

static __always_inline void path__hop_at(struct ps_path_event *p, __u32 ifindex, __u32 netns,
                                         __u16 hook, __u16 aux, const struct ps_filter *f) {
  __u32 n = p->nhops;
  __u32 idx = n;
  if (idx >= PS_MAX_HOPS) { /* keep the newest hops: the end matters most */
    p->flags |= PS_PATH_HOPS_OVERFLOW;
    idx = PS_MAX_HOPS - 1;
  }
  struct ps_hop *h = &p->hops[idx];
  h->ts_ns = bpf_ktime_get_ns();
  h->ifindex = ifindex;
  h->netns = netns;
  h->hook = hook;
  h->aux = aux;
  h->cpu = bpf_get_smp_processor_id();
  p->nhops = n + 1;
  if (f) {
    if (f->ifindex && h->ifindex == f->ifindex)
      p->flags |= PS_PATH_SEEN_DEV;
    if (f->netns && h->netns == f->netns)
      p->flags |= PS_PATH_SEEN_NETNS;
  }
}

/* Hooks where skb->dev is the device (see skb__netns in tracer.bpf.c). */
static __always_inline bool hook__dev_layer(__u16 h) {
  return h == PS_HOOK_GRO_RECEIVE || h == PS_HOOK_NETIF_RX || h == PS_HOOK_NETIF_RECEIVE ||
         h == PS_HOOK_NET_DEV_QUEUE || h == PS_HOOK_QDISC_ENQUEUE || h == PS_HOOK_QDISC_DEQUEUE ||
         h == PS_HOOK_START_XMIT || h == PS_HOOK_DEV_XMIT;
}

static __always_inline void path__hop(struct ps_path_event *p, struct sk_buff *skb, __u16 hook,
                                      __u16 aux, const struct ps_filter *f) {
  if (hook__dev_layer(hook))  /* a constant once inlined: one branch survives */
    path__hop_at(p, skb__ifindex(skb), skb__netns(skb), hook, aux, f);
  else
    path__hop_at(p, skb__ifindex_safe(skb), skb__netns_safe(skb), hook, aux, f);
}

static __always_inline const struct ps_filter *filter__get(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&tracer_filter, &zero);
}

/* Adds a hop to a packet already being followed. */
/* The prefilter rejected this very packet on this CPU (see tracer_rejected). Entry hooks also
 * require it to be recent; hooks inside a packet's life skip the clock read (a stale memo
 * is cleared when its address is accepted as a new packet or ends). */
static __always_inline struct ps_rejected *memo__find(struct ps_reject_memo *m, __u64 key) {
  if (!m)
    return NULL;
#pragma unroll
  for (int i = 0; i < PS_REJECT_MEMO; i++)
    if (m->e[i].skb == key)
      return &m->e[i];
  return NULL;
}

static __always_inline struct ps_rejected *memo__same(struct ps_reject_memo *m, struct sk_buff *skb) {
  struct ps_rejected *e = memo__find(m, (__u64)skb);
  return e && e->head == (__u64)skb->head ? e : NULL;
}

static __always_inline bool memo__rejected(struct ps_reject_memo *m, struct sk_buff *skb) {
  struct ps_rejected *e = memo__same(m, skb);
  return e && bpf_ktime_get_ns() - e->ts_ns < PS_REJECT_MEMO_NS;
}

/* Forgets `key` (its packet ended, or its address now holds a packet being followed). */
static __always_inline void memo__forget(struct ps_reject_memo *m, __u64 key) {
  struct ps_rejected *e = memo__find(m, key);
  if (e)
    e->skb = 0;
}

static __always_inline struct ps_reject_memo *memo__get(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&tracer_rejected, &zero);
}

static __always_inline void path__step(struct sk_buff *skb, __u16 hook, __u16 aux) {
  if (!cfg_track_paths || !tracer_any)
    return;
  if (memo__same(memo__get(), skb))
    return; /* cheaper than a miss in the in-flight table */
  __u64 key = (__u64)skb;
  struct ps_path_event *p = bpf_map_lookup_elem(&tracer_inflight, &key);
  if (p)
    path__hop(p, skb, hook, aux, filter__get());
}

/* Emits a finished path (if the prefilter's path terms hold) and forgets the skb. */
static __always_inline void path__finish(struct ps_path_event *p, __u64 key, bool dropped,
                                         const struct ps_filter *f) {
  bool keep = true;
  if (f && f->enabled) {
    if (f->drop_only && !dropped)
      keep = false;
    if (f->ifindex && !(p->flags & PS_PATH_SEEN_DEV))
      keep = false;
    if (f->netns && !(p->flags & PS_PATH_SEEN_NETNS))
      keep = false;
  }
  if (keep) {
    p->flags &= ~PS_PATH_INTERNAL_MASK;
    /* Only the hops it has: every byte written is a cache line the consumer must pull. */
    __u32 n = p->nhops;
    if (n > PS_MAX_HOPS)
      n = PS_MAX_HOPS;
    __u64 size = PS_PATH_EVENT_SIZE(n);
    asm volatile("" : "+r"(size)); /* keep the bound check next to the call for the verifier */
    if (size > sizeof(*p))
      size = sizeof(*p);
    if (bpf_ringbuf_output(&tracer_paths_rb, p, size, rb__flags(&tracer_paths_rb)))
      counter__add(PS_TC_PATH_LOST, 1);
    else
      counter__add(PS_TC_PATHS, 1);
  }
  bpf_map_delete_elem(&tracer_inflight, &key);
}

/* At most f->rate_per_cpu new packets per second on this CPU (0: no limit). */
static __always_inline bool rate__take(const struct ps_filter *f) {
  if (!f || !f->rate_per_cpu)
    return true;
  __u32 zero = 0;
  struct ps_rate_window *w = bpf_map_lookup_elem(&tracer_rate, &zero);
  if (!w)
    return true;
  __u64 now = bpf_ktime_get_ns();
  if (now - w->start_ns >= 1000000000ULL) {
    w->start_ns = now;
    w->count = 0;
  }
  if (w->count >= f->rate_per_cpu)
    return false;
  w->count++;
  return true;
}

static __always_inline void memo__set(struct ps_reject_memo *m, __u64 key, __u64 head) {
  if (!m)
    return;
  struct ps_rejected *e = memo__find(m, key);
  if (!e) {
    __u32 i = m->next++ & (PS_REJECT_MEMO - 1);
    e = &m->e[i];
  }
  e->skb = key;
  e->head = head;
  e->ts_ns = bpf_ktime_get_ns();
}

static __always_inline bool hook__rx_side(__u16 h) {
  return h == PS_HOOK_GRO_RECEIVE || h == PS_HOOK_NETIF_RX || h == PS_HOOK_NETIF_RECEIVE ||
         h == PS_HOOK_FIB_LOOKUP || h == PS_HOOK_FIB6_LOOKUP;
}

/* True when an in-flight entry cannot continue at this entry hook: the skb it described was
 * freed without a tracepoint (UDP and TCP free delivered data untraced, via deferred frees) and
 * its address now holds a new packet. Legitimate continuations are transmit -> receive (veth,
 * loopback), GRO/netif_rx -> netif_receive_skb, and receive -> transmit on another device
 * within a few ms (forwarding, bridging). Packets routed to a local address never continue. */
static __always_inline bool path__superseded(const struct ps_path_event *p, struct sk_buff *skb, __u16 entry) {
  __u32 n = p->nhops;
  asm volatile("" : "+r"(n)); /* keep the bound check next to the access for the verifier */
  const struct ps_hop *last = NULL;
  if (n >= 1 && n <= PS_MAX_HOPS)
    last = &p->hops[n - 1];
  else if (n > PS_MAX_HOPS)
    last = &p->hops[PS_MAX_HOPS - 1];
  if (!last)
    return true;
  __u64 now = bpf_ktime_get_ns();
  if ((p->flags & PS_PATH_LOCAL) || now - p->hops[0].ts_ns > PS_PATH_MAX_AGE_NS)
    return true;
  __u16 h = last->hook;
  if (h == PS_HOOK_TCP_RCV || h == PS_HOOK_COPY_TO_USER || h == PS_HOOK_UDP_QUEUE_FAIL ||
      h == PS_HOOK_SOCK_RCVQ_FULL)
    return true;
  if (entry == PS_HOOK_NET_DEV_QUEUE) {
    if (!hook__rx_side(h))
      return false; /* stacked devices: transmit again on the lower device */
    return now - last->ts_ns > PS_PATH_FORWARD_NS ||
           (last->ifindex == skb__ifindex(skb) && last->netns == skb__netns(skb));
  }
  /* A receive entry hook after a receive-side hop is a new packet, except the backlog and GRO
   * hand-offs to netif_receive_skb. */
  if (hook__rx_side(h))
    return !(entry == PS_HOOK_NETIF_RECEIVE && (h == PS_HOOK_NETIF_RX || h == PS_HOOK_GRO_RECEIVE));
  return false;
}

/* First sight of a packet: parse, prefilter, sample, start following. `tx` marks locally
 * generated packets (first seen on the transmit side). */
static __always_inline void path__enter(struct sk_buff *skb, __u16 hook, bool tx) {
  if (!cfg_track_paths)
    return;
  __u64 key = (__u64)skb;
  const struct ps_filter *f = filter__get();
  struct ps_reject_memo *rej = NULL;
  if (f && (f->enabled || f->rate_per_cpu)) {
    rej = memo__get();
    if (memo__rejected(rej, skb))
      return; /* rejected at an earlier entry hook: never in the in-flight table */
  }
  struct ps_path_event *p = tracer_any ? bpf_map_lookup_elem(&tracer_inflight, &key) : NULL;
  if (p) {
    if (!path__superseded(p, skb, hook)) {
      path__hop(p, skb, hook, 0, f);
      return;
    }
    p->flags |= PS_PATH_END_UNSEEN;
    path__finish(p, key, false, f);
  }
  __u32 zero = 0;
  __u64 head = (__u64)skb->head;
  struct ps_path_event *s = bpf_map_lookup_elem(&tracer_scratch, &zero);
  if (!s)
    return;
  __builtin_memset(s, 0, offsetof(struct ps_path_event, hops));
  s->meta.pkt_len = skb->len;
  skb__capture(skb, s->data, &s->caplen, &s->meta);
  if (f && f->enabled && (!filter__headers(f, &s->meta) || !sample__take(1, f->sample))) {
    memo__set(rej, key, head);
    return;
  }
  if (!rate__take(f)) {
    counter__add(PS_TC_PATH_RATE_LIMITED, 1);
    memo__set(rej, key, head);
    return;
  }
  memo__forget(rej, key); /* a new packet at a recycled address: the memo is stale */
  s->skb = key;
  if (tx) {
    s->flags |= PS_PATH_TX_ORIGIN;
    if (skb->sk) {
      s->tgid = bpf_get_current_pid_tgid() >> 32;
      bpf_get_current_comm(s->comm, sizeof(s->comm));
    }
  }
  s->nhops = 0;
  path__hop(s, skb, hook, 0, f);
  long err = bpf_map_update_elem(&tracer_inflight, &key, s, BPF_NOEXIST);
  if (err == 0) {
    if (!tracer_any)
      tracer_any = 1;
  } else if (err == -17 /* EEXIST: another CPU raced us to this address */)
    bpf_map_update_elem(&tracer_inflight, &key, s, BPF_EXIST);
  else
    counter__add(PS_TC_PATH_UNTRACKED, 1);
}

/* End of life: emit the record (if the prefilter's path terms hold) and forget the skb. */
static __always_inline void path__leave(struct sk_buff *skb, __u16 hook, void *location, __u32 reason) {
  if (!cfg_track_paths)
    return;
  struct ps_rejected *e = memo__same(memo__get(), skb);
  if (e) {
    e->skb = 0; /* it ends here: its address may come back as a new packet */
    return;
  }
  if (!tracer_any)
    return;
  __u64 key = (__u64)skb;
  struct ps_path_event *p = bpf_map_lookup_elem(&tracer_inflight, &key);
  if (!p)
    return;
  const struct ps_filter *f = filter__get();
  path__hop(p, skb, hook, (__u16)reason, f);
  p->location = (__u64)location;
  p->reason = reason;
  if (hook == PS_HOOK_KFREE)
    p->flags |= PS_PATH_DROPPED;
  path__finish(p, key, hook == PS_HOOK_KFREE, f);
}

/* Route lookups carry no skb; on receive they run synchronously inside the processing of the
 * skb netif_receive_skb saw last on this CPU. Only while that skb is still at its receive hop:
 * later lookups belong to other work. */
static __always_inline void path__route_hop(__u16 hook, __u16 aux, bool local) {
  if (!cfg_track_paths || !tracer_any)
    return;
  __u32 zero = 0;
  __u64 *cur = bpf_map_lookup_elem(&tracer_cur_rx, &zero);
  if (!cur || !*cur)
    return;
  __u64 key = *cur;
  struct ps_path_event *p = bpf_map_lookup_elem(&tracer_inflight, &key);
  if (!p)
    return;
  __u32 last = p->nhops ? p->nhops - 1 : 0;
  if (last >= PS_MAX_HOPS || p->hops[last].hook != PS_HOOK_NETIF_RECEIVE)
    return;
  /* Same device and namespace as the receive hop it belongs to. */
  path__hop_at(p, p->hops[last].ifindex, p->hops[last].netns, hook, aux, filter__get());
  if (local)
    p->flags |= PS_PATH_LOCAL;
}
