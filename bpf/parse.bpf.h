/* Header parser shared by the BPF programs. It works on a copy of the first PS_HDR_CAP bytes of a
 * packet (taken with bpf_skb_load_bytes or bpf_probe_read_kernel), so the same code serves TC
 * hooks and skb tracepoints. Every read is bounds-checked against the captured length; offsets
 * are masked so the verifier can prove the access stays inside the buffer. */
#pragma once

#include "ps/pkt_abi.h"

#define PS_ETH_P_IP 0x0800
#define PS_ETH_P_IPV6 0x86DD
#define PS_ETH_P_ARP 0x0806
#define PS_ETH_P_8021Q 0x8100
#define PS_ETH_P_8021AD 0x88A8

#define PS_IPPROTO_HOPOPTS 0
#define PS_IPPROTO_ICMP 1
#define PS_IPPROTO_TCP 6
#define PS_IPPROTO_UDP 17
#define PS_IPPROTO_ROUTING 43
#define PS_IPPROTO_FRAGMENT 44
#define PS_IPPROTO_AH 51
#define PS_IPPROTO_ICMPV6 58
#define PS_IPPROTO_DSTOPTS 60

#define PS_MAX_VLAN_TAGS 2
#define PS_MAX_IPV6_EXT 6

struct ps_cursor {
  const __u8 *buf; /* PS_HDR_CAP bytes */
  __u32 cap;       /* valid bytes */
};

static __always_inline int cur__u8(const struct ps_cursor *c, __u32 off, __u8 *out) {
  if (off >= c->cap) /* cap <= PS_HDR_CAP, so the mask below never changes off */
    return -1;
  /* Keep the compiler from dropping the "redundant" mask the verifier needs to bound off. */
  asm volatile("" : "+r"(off));
  off &= PS_HDR_CAP - 1;
  *out = c->buf[off];
  return 0;
}

static __always_inline int cur__be16(const struct ps_cursor *c, __u32 off, __u16 *out) {
  __u8 hi, lo;
  if (cur__u8(c, off, &hi) || cur__u8(c, off + 1, &lo))
    return -1;
  *out = ((__u16)hi << 8) | lo;
  return 0;
}

static __always_inline int cur__be32(const struct ps_cursor *c, __u32 off, __u32 *out) {
  __u16 hi, lo;
  if (cur__be16(c, off, &hi) || cur__be16(c, off + 2, &lo))
    return -1;
  *out = ((__u32)hi << 16) | lo;
  return 0;
}

static __always_inline int cur__copy(const struct ps_cursor *c, __u32 off, __u8 *dst, __u32 n) {
  /* All or nothing: a field cut by the capture must not be reported half-filled. */
  if (n > c->cap || off > c->cap - n)
    return -1;
  for (__u32 i = 0; i < 16; i++) {
    if (i >= n)
      break;
    if (cur__u8(c, off + i, &dst[i]))
      return -1;
  }
  return 0;
}

static __always_inline __u8 proto__class(const struct ps_pkt_meta *m) {
  if (m->l3_proto == PS_ETH_P_ARP)
    return PS_PC_ARP;
  switch (m->l4_proto) {
  case PS_IPPROTO_TCP: return PS_PC_TCP;
  case PS_IPPROTO_UDP: return PS_PC_UDP;
  case PS_IPPROTO_ICMP:
  case PS_IPPROTO_ICMPV6: return PS_PC_ICMP;
  }
  return m->family == 6 ? PS_PC_IPV6_OTHER : PS_PC_OTHER;
}

static __always_inline void pkt__parse_l4(const struct ps_cursor *c, __u32 off,
                                          struct ps_pkt_meta *m) {
  if (off < c->cap) /* l4_off is an offset into the captured bytes, 0 if L4 is not in them */
    m->l4_off = off;
  switch (m->l4_proto) {
  case PS_IPPROTO_TCP: {
    __u8 doff;
    if (cur__be16(c, off, &m->sport) || cur__be16(c, off + 2, &m->dport) ||
        cur__be32(c, off + 4, &m->tcp_seq) || cur__be32(c, off + 8, &m->tcp_ack) ||
        cur__u8(c, off + 12, &doff) || cur__u8(c, off + 13, &m->tcp_flags)) {
      m->flags |= PS_META_TRUNCATED;
      return;
    }
    if ((doff >> 4) < 5)
      m->flags |= PS_META_MALFORMED;
    return;
  }
  case PS_IPPROTO_UDP:
    if (cur__be16(c, off, &m->sport) || cur__be16(c, off + 2, &m->dport))
      m->flags |= PS_META_TRUNCATED;
    return;
  case PS_IPPROTO_ICMP:
  case PS_IPPROTO_ICMPV6: {
    if (cur__u8(c, off, &m->icmp_type) || cur__u8(c, off + 1, &m->icmp_code)) {
      m->flags |= PS_META_TRUNCATED;
      return;
    }
    /* Echo request/reply: the identifier plays the role of a port. */
    __u8 t = m->icmp_type;
    if ((t == 0 || t == 8 || t == 128 || t == 129) && cur__be16(c, off + 4, &m->sport))
      m->flags |= PS_META_TRUNCATED;
    return;
  }
  }
}

static __always_inline void pkt__parse_ipv4(const struct ps_cursor *c, __u32 off,
                                            struct ps_pkt_meta *m) {
  __u8 vihl, proto, ttl;
  __u16 tot_len, frag;
  m->family = 4;
  if (cur__u8(c, off, &vihl) || cur__be16(c, off + 2, &tot_len) ||
      cur__be16(c, off + 6, &frag) || cur__u8(c, off + 8, &ttl) ||
      cur__u8(c, off + 9, &proto) || cur__copy(c, off + 12, m->saddr, 4) ||
      cur__copy(c, off + 16, m->daddr, 4)) {
    m->flags |= PS_META_TRUNCATED;
    return;
  }
  __u32 ihl = (vihl & 0xf) * 4;
  if ((vihl >> 4) != 4 || ihl < 20 || tot_len < ihl) {
    m->flags |= PS_META_MALFORMED;
    return;
  }
  if (ihl > 20)
    m->flags |= PS_META_IP_OPTIONS;
  m->l4_proto = proto;
  m->ttl = ttl;
  if (frag & 0x3fff) {
    m->flags |= PS_META_FRAGMENT;
    if (frag & 0x1fff) /* not the first fragment: no L4 header here */
      return;
  }
  pkt__parse_l4(c, off + ihl, m);
}

static __always_inline int ipv6__is_ext(__u8 nh) {
  return nh == PS_IPPROTO_HOPOPTS || nh == PS_IPPROTO_ROUTING || nh == PS_IPPROTO_FRAGMENT ||
         nh == PS_IPPROTO_AH || nh == PS_IPPROTO_DSTOPTS;
}

static __always_inline void pkt__parse_ipv6(const struct ps_cursor *c, __u32 off,
                                            struct ps_pkt_meta *m) {
  __u8 ver, nh, hlim;
  m->family = 6;
  if (cur__u8(c, off, &ver) || cur__u8(c, off + 6, &nh) || cur__u8(c, off + 7, &hlim) ||
      cur__copy(c, off + 8, m->saddr, 16) || cur__copy(c, off + 24, m->daddr, 16)) {
    m->flags |= PS_META_TRUNCATED;
    return;
  }
  if ((ver >> 4) != 6) {
    m->flags |= PS_META_MALFORMED;
    return;
  }
  m->ttl = hlim;
  off += 40;
  for (int i = 0; i < PS_MAX_IPV6_EXT; i++) {
    if (!ipv6__is_ext(nh))
      break;
    m->flags |= PS_META_IPV6_EXT;
    __u8 next, len;
    if (cur__u8(c, off, &next) || cur__u8(c, off + 1, &len)) {
      m->flags |= PS_META_TRUNCATED;
      return;
    }
    if (nh == PS_IPPROTO_FRAGMENT) {
      __u16 fo;
      m->flags |= PS_META_FRAGMENT;
      if (cur__be16(c, off + 2, &fo)) {
        m->flags |= PS_META_TRUNCATED;
        return;
      }
      off += 8;
      if (fo & 0xfff8) { /* later fragment */
        m->l4_proto = next;
        return;
      }
    } else if (nh == PS_IPPROTO_AH) {
      off += ((__u32)len + 2) * 4;
    } else {
      off += ((__u32)len + 1) * 8;
    }
    nh = next;
  }
  m->l4_proto = nh;
  if (ipv6__is_ext(nh)) { /* more extension headers than we follow */
    m->flags |= PS_META_TRUNCATED;
    return;
  }
  pkt__parse_l4(c, off, m);
}

static __always_inline void pkt__parse_arp(const struct ps_cursor *c, __u32 off,
                                           struct ps_pkt_meta *m) {
  __u8 hlen, plen;
  if (cur__u8(c, off + 4, &hlen) || cur__u8(c, off + 5, &plen) || cur__be16(c, off + 6, &m->arp_op)) {
    m->flags |= PS_META_TRUNCATED;
    return;
  }
  if (hlen != 6 || plen != 4) {
    m->flags |= PS_META_MALFORMED;
    return;
  }
  if (cur__copy(c, off + 14, m->saddr, 4) || cur__copy(c, off + 24, m->daddr, 4))
    m->flags |= PS_META_TRUNCATED;
}

/* Parses from an L3 header of the given ethertype at `off`. */
static __always_inline void pkt__parse_l3(const struct ps_cursor *c, __u32 off, __u16 l3_proto,
                                          struct ps_pkt_meta *m) {
  m->l3_proto = l3_proto;
  if (l3_proto == PS_ETH_P_IP)
    pkt__parse_ipv4(c, off, m);
  else if (l3_proto == PS_ETH_P_IPV6)
    pkt__parse_ipv6(c, off, m);
  else if (l3_proto == PS_ETH_P_ARP)
    pkt__parse_arp(c, off, m);
}

/* Parses from an Ethernet header at offset 0, skipping up to two VLAN tags. */
static __always_inline void pkt__parse_l2(const struct ps_cursor *c, struct ps_pkt_meta *m) {
  __u16 proto;
  __u32 off = 12;
  m->flags |= PS_META_L2;
  if (cur__be16(c, off, &proto)) {
    m->flags |= PS_META_TRUNCATED;
    return;
  }
  off += 2;
  for (int i = 0; i < PS_MAX_VLAN_TAGS; i++) {
    if (proto != PS_ETH_P_8021Q && proto != PS_ETH_P_8021AD)
      break;
    __u16 tci;
    if (cur__be16(c, off, &tci) || cur__be16(c, off + 2, &proto)) {
      m->flags |= PS_META_TRUNCATED;
      return;
    }
    if (!(m->flags & PS_META_VLAN))
      m->vlan_id = tci & 0x0fff;
    m->flags |= PS_META_VLAN;
    off += 4;
  }
  pkt__parse_l3(c, off, proto, m);
}
