/* Guarder maps (docs/guarder.md): every one pinned by name under the pin directory, so a
 * restarted daemon reuses the live rule set, counters, buckets and flows. Layouts are in
 * ps/guard_abi.h except the token buckets, which only the kernel reads. */
#pragma once

#include "ps/guard_abi.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ps_guard_state);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_state SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PS_GUARD_SLOTS * PS_GUARD_MAX_RULES);
  __type(key, __u32);
  __type(value, struct ps_guard_rule);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PS_GUARD_SLOTS * PS_GUARD_MAX_ITEMS);
  __type(key, __u32);
  __type(value, __u32);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_items SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, PS_GUARD_MAX_LISTS);
  __uint(map_flags, BPF_F_NO_PREALLOC); /* mostly empty; prealloc would pin ~40 MB */
  __type(key, struct ps_guard_list_key);
  __type(value, struct ps_guard_list);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_lists SEC(".maps");

#define GUARD_LPM(name, keytype)                     \
  struct {                                           \
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);             \
    __uint(max_entries, PS_GUARD_MAX_PREFIXES);      \
    __uint(map_flags, BPF_F_NO_PREALLOC);            \
    __type(key, struct keytype);                     \
    __type(value, __u32);                            \
    __uint(pinning, LIBBPF_PIN_BY_NAME);             \
  } name SEC(".maps")

GUARD_LPM(guard_src4, ps_guard_lpm4);
GUARD_LPM(guard_dst4, ps_guard_lpm4);
GUARD_LPM(guard_src6, ps_guard_lpm6);
GUARD_LPM(guard_dst6, ps_guard_lpm6);

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PS_GUARD_MAX_COUNTERS);
  __type(key, __u32);
  __type(value, struct ps_guard_counter);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PS_GUARD_MAX_COUNTERS);
  __type(key, __u32);
  __type(value, __u32);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_ctr_owner SEC(".maps");

/* Token buckets per (counter slot, source). LRU_HASH refuses bpf_spin_lock (EOPNOTSUPP), so
 * the bucket is GCRA: one "theoretical arrival time" advanced by compare-and-swap, which is
 * the token bucket expressed as a single word. rule_id spots a slot reused by another rule. */
struct guard_bucket_key {
  __u32 ctr;
  __u8 family;
  __u8 _pad[3];
  __u8 addr[16];
};

struct guard_bucket {
  __u64 tat; /* CLOCK_BOOTTIME ns at which the bucket would be full again */
  __u32 rule_id;
  __u32 _pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, PS_GUARD_MAX_BUCKETS);
  __type(key, struct guard_bucket_key);
  __type(value, struct guard_bucket);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_buckets SEC(".maps");

/* Per-CPU LRU: a flood's flow is updated from whichever CPU receives it without cache-line
 * bouncing or atomics; user space sums the CPUs (min first_seen, max last_seen, OR flags). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
  __uint(max_entries, PS_GUARD_MAX_FLOWS);
  __type(key, struct ps_guard_flow_key);
  __type(value, struct ps_guard_flow);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PS_GS_MAX);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_log SEC(".maps");
