/* Guarder XDP rule engine: the kernel/user contract (maps, compiled rules, events).
 * C, fixed-width, pointer-free, explicitly padded: this layout is ABI. docs/guarder.md explains
 * the classification scheme; src/guarder/compile.cpp is the only writer of the rule maps. */
#ifndef PS_GUARD_ABI_H
#define PS_GUARD_ABI_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types in BPF programs. */
#else
#include <linux/types.h>
#endif

/* Two complete rule sets live side by side ("slots"). A packet reads guard_state.slot once and
 * uses only that slot's entries, so flipping the index is the whole commit of a change. */
#define PS_GUARD_SLOTS 2
#define PS_GUARD_MAX_RULES 131072     /* compiled rules per slot (the API refuses more) */
#define PS_GUARD_MAX_ITEMS 1048576    /* candidate-list items per slot */
#define PS_GUARD_MAX_PREFIXES 262144  /* entries per LPM trie (both slots together) */
#define PS_GUARD_MAX_LISTS 524288     /* candidate-list heads (all slots, all groups) */
#define PS_GUARD_MAX_LIST_LEN 1024    /* rules one packet may have to check in one list */
#define PS_GUARD_MAX_HITS 16          /* non-terminal matches applied per packet */
#define PS_GUARD_MAX_COUNTERS 131072  /* per-rule counter slots, stable across rule-set changes */
#define PS_GUARD_MAX_FLOWS 65536      /* XDP connection table (LRU) */
#define PS_GUARD_MAX_BUCKETS 262144   /* rate-limit token buckets, per (rule, source) (LRU) */
#define PS_GUARD_LOG_CAP 128          /* header bytes copied into a log sample */
#define PS_GUARD_NO_CLASS 0           /* LPM miss: only rules without that address apply */

enum ps_guard_action {
  PS_GA_DROP = 0,
  PS_GA_PASS = 1,       /* terminal allow: later (lower priority) rules are not evaluated */
  PS_GA_RATE_LIMIT = 2, /* over the rate: drop; within it: evaluation goes on */
  PS_GA_LOG = 3,        /* sampled header copy to user space; evaluation goes on */
};

/* Which residual fields a compiled rule tests (addresses are classified, not re-tested). */
enum ps_guard_match_bits {
  PS_GM_FAMILY = 1 << 0,
  PS_GM_PROTO = 1 << 1,
  PS_GM_SPORT = 1 << 2,
  PS_GM_DPORT = 1 << 3,
  PS_GM_TCP_FLAGS = 1 << 4,
  PS_GM_ICMP_TYPE = 1 << 5,
  PS_GM_ICMP_CODE = 1 << 6,
  PS_GM_TTL = 1 << 7,
  PS_GM_LEN = 1 << 8,
  PS_GM_IFINDEX = 1 << 9,
  PS_GM_VLAN = 1 << 10,
  PS_GM_MALFORMED = 1 << 11, /* matches only malformed packets (without it: only well-formed) */
  PS_GM_INNER_PROTO = 1 << 12,
  PS_GM_INNER_SRC = 1 << 13,
  PS_GM_INNER_DST = 1 << 14,
  PS_GM_INNER_SPORT = 1 << 15,
  PS_GM_INNER_DPORT = 1 << 16,
  PS_GM_EXPIRES = 1 << 17,   /* expires_boot_ns is set: the kernel ignores the rule after it */
};

enum ps_guard_rule_flags {
  PS_GF_SHADOW = 1 << 0,     /* count only: never changes the verdict, never logs */
  PS_GF_RATE_BYTES = 1 << 1, /* rate/burst are bytes, not packets */
};

/* One compiled rule. Index in guard_rules = slot * PS_GUARD_MAX_RULES + position, where
 * position orders rules by (priority, id): a lower position is evaluated first. */
struct ps_guard_rule {
  __u32 id;        /* the user-visible rule id */
  __u32 ctr;       /* slot in guard_counters (stable for the rule's life) */
  __u32 match;     /* enum ps_guard_match_bits */
  __u8 action;     /* enum ps_guard_action */
  __u8 flags;      /* enum ps_guard_rule_flags */
  __u8 family;     /* 4 or 6 (PS_GM_FAMILY) */
  __u8 proto;      /* IPPROTO_* (PS_GM_PROTO) */
  __u16 sport_lo, sport_hi;
  __u16 dport_lo, dport_hi;
  __u8 tcp_flags, tcp_mask;   /* (pkt_flags & mask) == flags */
  __u8 icmp_type, icmp_code;  /* ICMP or ICMPv6, by the packet's family */
  __u8 ttl_lo, ttl_hi;        /* IPv4 TTL / IPv6 hop limit */
  __u16 vlan;                 /* outer VLAN id */
  __u16 len_lo, len_hi;       /* L3 length: IPv4 total length, IPv6 payload length + 40 */
  __u32 ifindex;
  /* Header quoted inside an ICMP/ICMPv6 error (dest-unreachable, time-exceeded, param-problem,
   * packet-too-big, source-quench). Addresses as prefixes of the inner family (= outer). */
  __u8 inner_proto;
  __u8 inner_src_plen, inner_dst_plen;
  __u8 _pad0;
  __u16 inner_sport_lo, inner_sport_hi;
  __u16 inner_dport_lo, inner_dport_hi;
  __u8 inner_src[16], inner_dst[16]; /* network order; IPv4 in the first 4 bytes */
  __u32 _pad2;
  /* Rate limit: tokens per second and bucket depth (packets, or bytes with PS_GF_RATE_BYTES). */
  __u64 rate;
  __u64 burst;
  __u32 log_every;           /* PS_GA_LOG: sample 1 packet in N hits (1 = every hit) */
  __u32 _pad1;
  __u64 expires_boot_ns;     /* CLOCK_BOOTTIME deadline (PS_GM_EXPIRES) */
};

/* LPM keys: the slot byte is part of the prefix so both slots share one trie. prefixlen counts
 * the slot byte: a /24 IPv4 rule in slot 1 is {prefixlen 8+24, slot 1, addr}. */
struct ps_guard_lpm4 {
  __u32 prefixlen;
  __u8 slot;
  __u8 addr[4];
} __attribute__((packed));

struct ps_guard_lpm6 {
  __u32 prefixlen;
  __u8 slot;
  __u8 addr[16];
} __attribute__((packed));

/* Rules are grouped by which addresses they name; each group has its own candidate lists.
 * LPM tries map an address to the class (prefix id) of its longest matching rule prefix; a
 * class's list holds every rule of the group whose prefix contains that class's prefix. */
enum ps_guard_group {
  PS_GG_ANY = 0, /* neither: key {slot, 0, family, proto_class, 0}, see below */
  PS_GG_SRC = 1, /* source only:      key {slot, 1, src_class, 0} */
  PS_GG_DST = 2, /* destination only: key {slot, 2, 0, dst_class} */
  PS_GG_BOTH = 3,/* both:             key {slot, 3, src_class, dst_class} */
  PS_GG_COUNT = 4,
};

/* PS_GG_ANY is split by the packet's family and IP protocol, so a UDP packet never walks the
 * TCP-only rules: src_class holds the protocol class, IP protocol + 1, or 0 for a packet whose
 * IP header is cut short (it has no protocol). The compiler writes all 2 x 257 keys when the
 * group has rules; most share one run of items. */
struct ps_guard_list_key {
  __u8 slot;
  __u8 group;    /* enum ps_guard_group */
  __u8 family;   /* 4 or 6 */
  __u8 _pad;
  __u32 src_class; /* PS_GG_ANY: the protocol class */
  __u32 dst_class;
};

/* A list: n rule positions, ascending, at guard_items[slot * PS_GUARD_MAX_ITEMS + off ...]. */
struct ps_guard_list {
  __u32 off;
  __u32 n;
};

/* guard_state[0]: which slot is live. generation increments on every flip (user space waits
 * for in-flight packets before it rewrites the old slot). */
struct ps_guard_state {
  __u32 slot;
  __u32 rules;        /* rules in the live slot */
  __u64 generation;
};

/* guard_counters[ctr], per CPU. */
struct ps_guard_counter {
  __u64 packets;      /* packets the rule matched (and, for non-terminal rules, applied to) */
  __u64 bytes;
  __u64 rate_dropped; /* PS_GA_RATE_LIMIT: packets over the rate (dropped unless shadow) */
  __u64 last_hit_ns;  /* CLOCK_MONOTONIC_COARSE (see ps_guard_flow) */
};

/* guard_ctr_owner[ctr] = rule id owning that counter slot (0 = free). Pinned with the counters,
 * so a restarted daemon recovers the id -> counter mapping from the kernel itself. */

/* Global counters (guard_stats, per-CPU array). */
enum ps_guard_stat {
  PS_GS_PACKETS = 0,
  PS_GS_BYTES,
  PS_GS_PASSED,        /* left with XDP_PASS (no rule, pass rule, or only non-terminal rules) */
  PS_GS_DROPPED,       /* dropped by a drop rule */
  PS_GS_RATE_DROPPED,  /* dropped by a rate-limit rule */
  PS_GS_MALFORMED,     /* the parser flagged the packet malformed or truncated */
  PS_GS_NON_IP,        /* not IPv4/IPv6 (ARP, LLDP, ...): never matched, always passed */
  PS_GS_LOG_SENT,
  PS_GS_LOG_LOST,      /* ring buffer full */
  PS_GS_HITS_OVERFLOW, /* more than PS_GUARD_MAX_HITS non-terminal matches on one packet */
  PS_GS_LIST_TRUNCATED,/* a list longer than PS_GUARD_MAX_LIST_LEN (compiler refuses: never) */
  PS_GS_FLOWS_FULL,    /* flow table insert failed */
  PS_GS_MAX,
};

/* XDP connection table: one entry per (ifindex, family, proto, addresses, ports). */
struct ps_guard_flow_key {
  __u32 ifindex;
  __u8 family;
  __u8 proto;
  __u16 sport;         /* host order; ICMP: type << 8 | code */
  __u16 dport;         /* host order; ICMP echo: identifier */
  __u16 _pad;
  __u8 saddr[16];
  __u8 daddr[16];
};

struct ps_guard_flow {
  __u64 packets;
  __u64 bytes;
  __u64 dropped;        /* packets of this flow we dropped (drop or rate-limit) */
  /* CLOCK_MONOTONIC_COARSE (tick resolution, a fraction of the cost of a precise read): user
   * space converts with CLOCK_REALTIME_COARSE - CLOCK_MONOTONIC_COARSE. That clock stops
   * during suspend, so stamps from before a suspend read early by its length. */
  __u64 first_ns;
  __u64 last_ns;
  __u8 tcp_flags;       /* OR of every TCP flag byte seen */
  __u8 _pad[7];
};

/* Ring-buffer record for PS_GA_LOG hits (and nothing else). */
struct ps_guard_log_event {
  __u64 boot_ns;
  __u32 rule_id;
  __u32 ifindex;
  __u16 pkt_len;       /* frame length on the wire */
  __u16 cap_len;       /* bytes valid in data[] */
  __u8 verdict;        /* XDP_* the packet finally got */
  __u8 _pad[3];
  __u8 data[PS_GUARD_LOG_CAP];
};

/* C++ spells it static_assert; C (and the BPF side) _Static_assert. */
#ifdef __cplusplus
#define PS_GUARD_ABI_ASSERT static_assert
#else
#define PS_GUARD_ABI_ASSERT _Static_assert
#endif
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_rule) == 120, "ps_guard_rule is ABI");
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_lpm4) == 9, "ps_guard_lpm4 is ABI");
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_lpm6) == 21, "ps_guard_lpm6 is ABI");
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_list_key) == 12, "ps_guard_list_key is ABI");
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_flow_key) == 44, "ps_guard_flow_key is ABI");
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_flow) == 48, "ps_guard_flow is ABI");
PS_GUARD_ABI_ASSERT(sizeof(struct ps_guard_log_event) == 24 + PS_GUARD_LOG_CAP, "log event is ABI");
#undef PS_GUARD_ABI_ASSERT

#endif /* PS_GUARD_ABI_H */
