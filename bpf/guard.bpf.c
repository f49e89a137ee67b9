/* Guarder XDP rule engine (docs/guarder.md "Semantics" and "How matching scales").
 * Per packet: parse, read the live slot once, classify source and destination with one LPM
 * lookup each, fetch at most four candidate lists and walk them in priority order; the first
 * terminal rule decides, non-terminal rules before it are applied in order. Every map is pinned
 * by name so a restarted daemon reuses the live rule set, counters and links. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "ps/guard_abi.h"

#include "guard_maps.bpf.h"
#include "guard_match.bpf.h"
#include "guard_parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define GUARD_NONE 0xffffffffu
#define GUARD_NSEC 1000000000ull

/* ---- helpers ------------------------------------------------------------------------------ */

static __always_inline void stat_add(__u32 k, __u64 v) {
  __u64 *c = bpf_map_lookup_elem(&guard_stats, &k);
  if (c)
    *c += v;
}

/* Matching state shared with the bpf_loop callback. */
struct guard_scan {
  struct guard_pkt pkt;
  __u64 now;    /* CLOCK_BOOTTIME, read on first need (expiry, rate limit, log): 0 = not yet */
  __u64 stamp;  /* CLOCK_MONOTONIC_COARSE: last-hit and flow stamps (tick resolution, cheap) */
  __u32 rbase;  /* slot * PS_GUARD_MAX_RULES */
  __u32 ibase;  /* slot * PS_GUARD_MAX_ITEMS + the current list's offset */
  __u32 best;   /* position of the deciding terminal rule so far (GUARD_NONE: none) */
  __u32 nhits;
  __u32 overflow;
  __u32 logs;         /* bit i: sample hits[i] to the log */
  __u32 rate_dropped; /* a rate-limit rule dropped the packet */
  __u32 hits[PS_GUARD_MAX_HITS]; /* positions of non-terminal matches, ascending */
};

/* Inserts into the sorted hit array; when full, the highest position is the one let go.
 * A global function is verified once on its own, which keeps this unrolled body from
 * multiplying the verifier's states inside the list walk. (The rule test itself is inlined
 * into scan_item: it is walked for every candidate, and the call cost ~4 ns per item.) */
__noinline int guard_hit_add(struct guard_scan *s, __u32 pos) {
  if (!s)
    return 0;
  __u32 n = s->nhits;
  if (n >= PS_GUARD_MAX_HITS) {
    s->overflow = 1;
    if (pos > s->hits[PS_GUARD_MAX_HITS - 1])
      return 0;
    n = PS_GUARD_MAX_HITS - 1;
  }
  int placed = 0;
#pragma unroll
  for (int k = PS_GUARD_MAX_HITS - 1; k > 0; k--) {
    if (!placed && k <= (int)n) {
      if (s->hits[k - 1] > pos) {
        s->hits[k] = s->hits[k - 1];
      } else {
        s->hits[k] = pos;
        placed = 1;
      }
    }
  }
  if (!placed)
    s->hits[0] = pos;
  s->nhits = n + 1;
  return 1;
}

static long scan_item(__u32 i, void *arg) {
  struct guard_scan *s = arg;
  __u32 idx = s->ibase + i;
  __u32 *posp = bpf_map_lookup_elem(&guard_items, &idx);
  if (!posp)
    return 1;
  __u32 pos = *posp;
  if (pos >= s->best) /* lists ascend: nothing further in this one can come first */
    return 1;
  __u32 ridx = s->rbase + pos;
  struct ps_guard_rule *r = bpf_map_lookup_elem(&guard_rules, &ridx);
  if (!r)
    return 1;
  if (!gm_rule(r, &s->pkt, &s->now))
    return 0;
  if (r->action <= PS_GA_PASS && !(r->flags & PS_GF_SHADOW)) {
    s->best = pos;
    return 1;
  }
  guard_hit_add(s, pos);
  return 0;
}

static __always_inline void scan_list(struct guard_scan *s, const struct ps_guard_list_key *k,
                                      __u32 slot) {
  struct ps_guard_list *l = bpf_map_lookup_elem(&guard_lists, k);
  if (!l)
    return;
  __u32 n = l->n;
  if (n > PS_GUARD_MAX_LIST_LEN) {
    stat_add(PS_GS_LIST_TRUNCATED, 1);
    n = PS_GUARD_MAX_LIST_LEN;
  }
  s->ibase = slot * PS_GUARD_MAX_ITEMS + l->off;
  bpf_loop(n, scan_item, s, 0);
}

/* Class of the longest rule prefix containing the address (PS_GUARD_NO_CLASS on a miss). */
static __always_inline __u32 classify(void *trie4, void *trie6, __u8 slot, const __u8 *addr,
                                      __u8 family) {
  __u32 *c;
  if (family == 4) {
    struct ps_guard_lpm4 k = {.prefixlen = 8 + 32, .slot = slot};
    __builtin_memcpy(k.addr, addr, 4);
    c = bpf_map_lookup_elem(trie4, &k);
  } else {
    struct ps_guard_lpm6 k = {.prefixlen = 8 + 128, .slot = slot};
    __builtin_memcpy(k.addr, addr, 16);
    c = bpf_map_lookup_elem(trie6, &k);
  }
  return c ? *c : PS_GUARD_NO_CLASS;
}

/* Walks the (up to) four candidate lists of the packet's classes. */
static __always_inline void match_lists(struct guard_scan *s, __u8 slot) {
  struct guard_pkt *p = &s->pkt;
  struct ps_guard_list_key k = {.slot = slot, .group = PS_GG_ANY, .family = p->family,
                                .src_class = (p->have & GP_L3) ? p->proto + 1u : 0};
  scan_list(s, &k, slot);
  if (!(p->have & GP_ADDR))
    return;
  __u32 sc = classify(&guard_src4, &guard_src6, slot, p->saddr, p->family);
  __u32 dc = classify(&guard_dst4, &guard_dst6, slot, p->daddr, p->family);
  if (sc) {
    k.group = PS_GG_SRC;
    k.src_class = sc;
    scan_list(s, &k, slot);
  }
  if (dc) {
    k.group = PS_GG_DST;
    k.src_class = 0;
    k.dst_class = dc;
    scan_list(s, &k, slot);
  }
  if (sc && dc) {
    k.group = PS_GG_BOTH;
    k.src_class = sc;
    k.dst_class = dc;
    scan_list(s, &k, slot);
  }
}

/* The precise clock, read once per packet and only when needed. */
static __always_inline __u64 scan_now(struct guard_scan *s) {
  if (!s->now)
    s->now = bpf_ktime_get_boot_ns();
  return s->now;
}

static __always_inline struct ps_guard_counter *count_hit(const struct ps_guard_rule *r,
                                                          const struct guard_scan *s) {
  __u32 k = r->ctr;
  struct ps_guard_counter *c = bpf_map_lookup_elem(&guard_counters, &k);
  if (c) {
    c->packets++;
    c->bytes += s->pkt.frame_len;
    c->last_hit_ns = s->stamp;
  }
  return c;
}

/* 1 if the packet is over the rule's rate for its source address. */
static __always_inline int rate_over(const struct ps_guard_rule *r, struct guard_scan *s) {
  __u64 rate = r->rate;
  if (!rate)
    return 0;
  __u64 units = (r->flags & PS_GF_RATE_BYTES) ? s->pkt.frame_len : 1;
  __u64 burst = r->burst ? r->burst : rate;
  __u64 cost = units * GUARD_NSEC / rate;
  __u64 tau = burst * GUARD_NSEC / rate; /* the compiler caps burst at 1e9: no overflow */
  __u64 now = scan_now(s);
  struct guard_bucket_key key = {.ctr = r->ctr, .family = s->pkt.family};
  __builtin_memcpy(key.addr, s->pkt.saddr, 16);
  struct guard_bucket *b = bpf_map_lookup_elem(&guard_buckets, &key);
  if (!b) {
    struct guard_bucket nb = {.tat = now + cost, .rule_id = r->id};
    if (cost > tau)
      return 1;
    bpf_map_update_elem(&guard_buckets, &key, &nb, BPF_NOEXIST);
    return 0;
  }
#pragma unroll
  for (int i = 0; i < 3; i++) { /* lost races retry; after three the packet is let through */
    __u64 old = b->tat;
    __u64 base = (b->rule_id == r->id && old > now) ? old : now;
    if (base + cost > now + tau)
      return 1;
    if (__sync_val_compare_and_swap(&b->tat, old, base + cost) == old) {
      b->rule_id = r->id;
      return 0;
    }
  }
  return 0;
}

/* Global (not static): the verifier checks it once, not once per call site. */
__noinline int guard_log_emit(struct xdp_md *ctx, __u32 rule_id, __u32 verdict, __u64 now) {
  if (!ctx)
    return 0;
  struct ps_guard_log_event *e = bpf_ringbuf_reserve(&guard_log, sizeof(*e), 0);
  if (!e) {
    stat_add(PS_GS_LOG_LOST, 1);
    return 0;
  }
  __u32 len = ctx->data_end - ctx->data;
  __u32 cap = len < PS_GUARD_LOG_CAP ? len : PS_GUARD_LOG_CAP;
  e->boot_ns = now;
  e->rule_id = rule_id;
  e->ifindex = ctx->ingress_ifindex;
  e->pkt_len = len > 0xffff ? 0xffff : len;
  e->verdict = verdict;
  e->_pad[0] = e->_pad[1] = e->_pad[2] = 0;
  /* Only IP frames (>= 34 bytes) get here; the verifier wants the size provably in 1..128. */
  __u32 n = cap - 1;
  asm volatile("%0 &= 0x7f" : "+r"(n));
  if (bpf_xdp_load_bytes(ctx, 0, e->data, n + 1))
    cap = 0;
  e->cap_len = cap;
  bpf_ringbuf_submit(e, 0);
  stat_add(PS_GS_LOG_SENT, 1);
  return 1;
}

/* One non-terminal hit, in position order (bpf_loop callback: verified once, not 16 times).
 * Stops the walk at the terminal rule's position or at a rate-limit drop. */
static long apply_hit(__u32 i, void *arg) {
  struct guard_scan *s = arg;
  __u32 pos = s->hits[i & (PS_GUARD_MAX_HITS - 1)];
  if (pos >= s->best)
    return 1;
  __u32 ridx = s->rbase + pos;
  struct ps_guard_rule *r = bpf_map_lookup_elem(&guard_rules, &ridx);
  if (!r)
    return 0;
  struct ps_guard_counter *c = count_hit(r, s);
  int shadow = r->flags & PS_GF_SHADOW;
  if (r->action == PS_GA_RATE_LIMIT && rate_over(r, s)) {
    if (c)
      c->rate_dropped++;
    if (!shadow) {
      s->rate_dropped = 1;
      return 1;
    }
  } else if (r->action == PS_GA_LOG && !shadow && c) {
    __u64 every = r->log_every ? r->log_every : 1;
    if (c->packets % every == 0)
      s->logs |= 1u << (i & (PS_GUARD_MAX_HITS - 1));
  }
  return 0;
}

/* Applies the non-terminal hits before the terminal rule, then the terminal rule. Returns the
 * verdict; *stat is the guard_stats slot it counts in. */
static __always_inline int decide(struct guard_scan *s, __u32 *stat) {
  s->logs = 0;
  s->rate_dropped = 0;
  __u32 n = s->nhits;
  if (n > PS_GUARD_MAX_HITS)
    n = PS_GUARD_MAX_HITS;
  if (n)
    bpf_loop(n, apply_hit, s, 0);
  if (s->rate_dropped) {
    *stat = PS_GS_RATE_DROPPED;
    return XDP_DROP;
  }
  *stat = PS_GS_PASSED;
  if (s->best == GUARD_NONE)
    return XDP_PASS;
  __u32 ridx = s->rbase + s->best;
  struct ps_guard_rule *r = bpf_map_lookup_elem(&guard_rules, &ridx);
  if (!r)
    return XDP_PASS;
  count_hit(r, s);
  if (r->action != PS_GA_DROP)
    return XDP_PASS;
  *stat = PS_GS_DROPPED;
  return XDP_DROP;
}

static __always_inline void flow_update(const struct guard_pkt *p, __u64 now, int dropped) {
  struct ps_guard_flow_key k = {.ifindex = p->ifindex, .family = p->family, .proto = p->proto};
  if (p->have & GP_PORTS) {
    k.sport = p->sport;
    k.dport = p->dport;
  } else if (p->have & GP_ICMP) {
    k.sport = (__u16)p->icmp_type << 8 | p->icmp_code;
    k.dport = (p->have & GP_ECHO) ? p->echo_id : 0;
  }
  __builtin_memcpy(k.saddr, p->saddr, 16);
  __builtin_memcpy(k.daddr, p->daddr, 16);
  __u8 flags = (p->have & GP_TCPF) ? p->tcp_flags : 0;
  struct ps_guard_flow *f = bpf_map_lookup_elem(&guard_flows, &k);
  if (f) {
    f->packets++;
    f->bytes += p->frame_len;
    f->dropped += dropped;
    f->last_ns = now;
    f->tcp_flags |= flags;
    return;
  }
  struct ps_guard_flow nf = {.packets = 1, .bytes = p->frame_len, .dropped = dropped,
                             .first_ns = now, .last_ns = now, .tcp_flags = flags};
  long err = bpf_map_update_elem(&guard_flows, &k, &nf, BPF_NOEXIST);
  if (err && err != -17 /* EEXIST: another CPU won the insert */)
    stat_add(PS_GS_FLOWS_FULL, 1);
}

/* ---- the program ---------------------------------------------------------------------------- */

SEC("xdp")
int guarder_xdp(struct xdp_md *ctx) {
  struct guard_scan s;
  __builtin_memset(&s.pkt, 0, sizeof(s.pkt));
  s.pkt.frame_len = ctx->data_end - ctx->data;
  s.pkt.ifindex = ctx->ingress_ifindex;
  stat_add(PS_GS_PACKETS, 1);
  stat_add(PS_GS_BYTES, s.pkt.frame_len);
  if (gp_parse(ctx, &s.pkt) < 0) {
    stat_add(PS_GS_NON_IP, 1);
    return XDP_PASS;
  }
  if (s.pkt.malformed)
    stat_add(PS_GS_MALFORMED, 1);
  s.now = 0;
  s.stamp = bpf_ktime_get_coarse_ns();
  s.best = GUARD_NONE;
  s.nhits = 0;
  s.overflow = 0;

  __u32 zero = 0;
  struct ps_guard_state *st = bpf_map_lookup_elem(&guard_state, &zero);
  __u8 slot = st ? (st->slot & 1) : 0; /* read once: the whole packet sees one rule set */
  s.rbase = slot * PS_GUARD_MAX_RULES;
  if (st && st->rules)
    match_lists(&s, slot);
  if (s.overflow)
    stat_add(PS_GS_HITS_OVERFLOW, 1);

  __u32 stat = PS_GS_PASSED;
  int verdict = decide(&s, &stat);
  stat_add(stat, 1);
  __u32 logs = s.logs;
  for (int i = 0; i < PS_GUARD_MAX_HITS && logs; i++) {
    if (!(logs & (1u << i)))
      continue;
    logs &= ~(1u << i);
    __u32 ridx = s.rbase + s.hits[i];
    struct ps_guard_rule *r = bpf_map_lookup_elem(&guard_rules, &ridx);
    if (r)
      guard_log_emit(ctx, r->id, verdict, scan_now(&s));
  }
  if (s.pkt.have & GP_ADDR)
    flow_update(&s.pkt, s.stamp, verdict == XDP_DROP);
  return verdict;
}
