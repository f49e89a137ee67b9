/* Guarder residual match: everything a compiled rule tests besides its source and destination
 * prefixes (those were settled by the LPM classification). Unset fields cost one bit test. */
#pragma once

#include "guard_parse.bpf.h"

/* Does `a` fall inside the `plen`-bit prefix `pfx`? Both network order, 16 bytes. */
static __always_inline int gm_prefix(const __u8 *a, const __u8 *pfx, __u32 plen) {
#pragma unroll
  for (int i = 0; i < 4; i++) {
    if (plen <= (__u32)i * 32)
      return 1;
    __u32 bits = plen - (__u32)i * 32;
    __u32 mask = bits >= 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    __u32 x, y;
    __builtin_memcpy(&x, a + 4 * i, 4);
    __builtin_memcpy(&y, pfx + 4 * i, 4);
    if ((bpf_ntohl(x) ^ bpf_ntohl(y)) & mask)
      return 0;
  }
  return 1;
}

static __always_inline int gm_in(__u16 v, __u16 lo, __u16 hi) { return v >= lo && v <= hi; }

#define GM_L4_BITS (PS_GM_SPORT | PS_GM_DPORT | PS_GM_TCP_FLAGS | PS_GM_ICMP_TYPE | PS_GM_ICMP_CODE)
#define GM_L3_BITS (PS_GM_TTL | PS_GM_LEN | PS_GM_IFINDEX | PS_GM_VLAN)
#define GM_INNER_BITS                                                                   \
  (PS_GM_INNER_PROTO | PS_GM_INNER_SRC | PS_GM_INNER_DST | PS_GM_INNER_SPORT |         \
   PS_GM_INNER_DPORT)

static __always_inline int gm_l4(const struct ps_guard_rule *r, __u32 m, const struct guard_pkt *p) {
  if (m & (PS_GM_SPORT | PS_GM_DPORT)) {
    if (!(p->have & GP_PORTS))
      return 0;
    if ((m & PS_GM_SPORT) && !gm_in(p->sport, r->sport_lo, r->sport_hi))
      return 0;
    if ((m & PS_GM_DPORT) && !gm_in(p->dport, r->dport_lo, r->dport_hi))
      return 0;
  }
  if ((m & PS_GM_TCP_FLAGS) &&
      (!(p->have & GP_TCPF) || (p->tcp_flags & r->tcp_mask) != r->tcp_flags))
    return 0;
  if (m & (PS_GM_ICMP_TYPE | PS_GM_ICMP_CODE)) {
    if (!(p->have & GP_ICMP))
      return 0;
    if ((m & PS_GM_ICMP_TYPE) && p->icmp_type != r->icmp_type)
      return 0;
    if ((m & PS_GM_ICMP_CODE) && p->icmp_code != r->icmp_code)
      return 0;
  }
  return 1;
}

static __always_inline int gm_l3(const struct ps_guard_rule *r, __u32 m, const struct guard_pkt *p) {
  if ((m & (PS_GM_TTL | PS_GM_LEN)) && !(p->have & GP_L3))
    return 0;
  if ((m & PS_GM_TTL) && (p->ttl < r->ttl_lo || p->ttl > r->ttl_hi))
    return 0;
  if ((m & PS_GM_LEN) && !gm_in(p->len, r->len_lo, r->len_hi))
    return 0;
  if ((m & PS_GM_IFINDEX) && p->ifindex != r->ifindex)
    return 0;
  if ((m & PS_GM_VLAN) && (!(p->have & GP_VLAN) || p->vlan != r->vlan))
    return 0;
  return 1;
}

static __always_inline int gm_inner(const struct ps_guard_rule *r, __u32 m,
                                    const struct guard_pkt *p) {
  if (!(p->have & GP_INNER))
    return 0;
  if ((m & PS_GM_INNER_PROTO) && p->iproto != r->inner_proto)
    return 0;
  if ((m & PS_GM_INNER_SRC) && !gm_prefix(p->isrc, r->inner_src, r->inner_src_plen))
    return 0;
  if ((m & PS_GM_INNER_DST) && !gm_prefix(p->idst, r->inner_dst, r->inner_dst_plen))
    return 0;
  if (m & (PS_GM_INNER_SPORT | PS_GM_INNER_DPORT)) {
    if (!(p->have & GP_INNER_PORTS))
      return 0;
    if ((m & PS_GM_INNER_SPORT) && !gm_in(p->isport, r->inner_sport_lo, r->inner_sport_hi))
      return 0;
    if ((m & PS_GM_INNER_DPORT) && !gm_in(p->idport, r->inner_dport_lo, r->inner_dport_hi))
      return 0;
  }
  return 1;
}

/* The rule's fields other than its prefixes, and its expiry. *now is CLOCK_BOOTTIME, read here
 * on first need (0: not read yet): most packets never meet an expiring rule, and on a
 * kvm-clock VM the read costs about a third of an empty packet's time. */
static __always_inline int gm_rule(const struct ps_guard_rule *r, const struct guard_pkt *p,
                                   __u64 *now) {
  __u32 m = r->match;
  if (!(m & PS_GM_MALFORMED) != !p->malformed)
    return 0;
  if (m & PS_GM_EXPIRES) {
    if (!*now)
      *now = bpf_ktime_get_boot_ns();
    if (*now > r->expires_boot_ns)
      return 0;
  }
  if ((m & PS_GM_FAMILY) && p->family != r->family)
    return 0;
  if ((m & PS_GM_PROTO) && (!(p->have & GP_L3) || p->proto != r->proto))
    return 0;
  if ((m & GM_L4_BITS) && !gm_l4(r, m, p))
    return 0;
  if ((m & GM_L3_BITS) && !gm_l3(r, m, p))
    return 0;
  if ((m & GM_INNER_BITS) && !gm_inner(r, m, p))
    return 0;
  return 1;
}
