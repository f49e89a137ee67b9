/* Per-packet path tracking for tracer.bpf.c: an in-flight table keyed by skb address, hops
 * appended at each hook, one record emitted when the skb ends (consume_skb / kfree_skb).
 * The prefilter (struct ps_filter) is checked when a packet is first seen; dev/netns terms are
 * checked against every hop and decided at the end, so the prefilter stays a necessary
 * condition of the user's expression. */
#pragma once

#include "ps/path_abi.h"

/* Internal flag bits kept in ps_path_event.flags while in flight; cleared before emitting. */
#define PS_PATH_SEEN_DEV (1u << 16)
#define PS_PATH_SEEN_NETNS (1u << 17)
#define PS_PATH_LOCAL (1u << 18) /* routed to a local address: it ends in this host */
/* Receive -> transmit of the same skb (forwarding, bridging) happens within one softirq. */
#define PS_PATH_FORWARD_NS (5ULL * 1000 * 1000)
#define PS_PATH_INTERNAL_MASK 0xffff0000u

static __always_inline bool addr__prefix_eq(const __u8 *a, const __u8 *b, __u32 plen) {
  for (int i = 0; i < 16; i++) {
    if (plen == 0)
      return true;
    __u32 bits = plen >= 8 ? 8 : plen;
    __u8 mask = (__u8)(0xff << (8 - bits));
    if ((a[i] ^ b[i]) & mask)
      return false;
    plen -= bits;
  }
  return true;
}

static __always_inline bool filter__addr(const struct ps_filter_addr *t, const struct ps_pkt_meta *m) {
  __u8 fam = m->l3_proto == PS_ETH_P_ARP ? 4 : m->family;
  if (t->family != fam)
    return false;
  __u32 plen = t->prefix_len;
  if (t->dir != PS_DIR_DST && addr__prefix_eq(m->saddr, t->addr, plen))
    return true;
  return t->dir != PS_DIR_SRC && addr__prefix_eq(m->daddr, t->addr, plen);
}

static __always_inline bool filter__port(const struct ps_filter_port *t, const struct ps_pkt_meta *m) {
  if (m->l4_proto != PS_IPPROTO_TCP && m->l4_proto != PS_IPPROTO_UDP)
    return false;
  if (t->dir != PS_DIR_DST && m->sport >= t->lo && m->sport <= t->hi)
    return true;
  return t->dir != PS_DIR_SRC && m->dport >= t->lo && m->dport <= t->hi;
}

/* Header terms of the prefilter (protocol, addresses, ports). */
static __always_inline bool filter__headers(const struct ps_filter *f, const struct ps_pkt_meta *m) {
  if (f->proto_mask && !(f->proto_mask & (1u << proto__class(m))))
    return false;
  for (int i = 0; i < PS_FILTER_MAX_ADDR; i++) {
    if (i >= f->n_addr)
      break;
    if (!filter__addr(&f->addr[i], m))
      return false;
  }
  for (int i = 0; i < PS_FILTER_MAX_PORT; i++) {
    if (i >= f->n_port)
      break;
    if (!filter__port(&f->port[i], m))
      return false;
  }
  return true;
}
