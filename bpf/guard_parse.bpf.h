/* Guarder packet parser: reads an XDP frame in place (direct packet access, every read checked
 * against data_end) into the facts the rules test. A header cut short or an impossible length
 * marks the packet malformed and keeps the fields parsed before it; a field the packet does not
 * have stays absent (its GP_* bit clear), so no rule can match it. */
#pragma once

#define GP_ETH_P_IP 0x0800
#define GP_ETH_P_IPV6 0x86DD
#define GP_ETH_P_8021Q 0x8100
#define GP_ETH_P_8021AD 0x88A8

#define GP_PROTO_HOPOPTS 0
#define GP_PROTO_ICMP 1
#define GP_PROTO_TCP 6
#define GP_PROTO_UDP 17
#define GP_PROTO_ROUTING 43
#define GP_PROTO_FRAGMENT 44
#define GP_PROTO_AH 51
#define GP_PROTO_ICMPV6 58
#define GP_PROTO_DSTOPTS 60
#define GP_PROTO_SCTP 132

#define GP_MAX_VLAN 2
#define GP_MAX_V6_EXT 6

/* Which fields of struct guard_pkt are present. */
enum {
  GP_ADDR = 1 << 0,        /* saddr, daddr */
  GP_L3 = 1 << 1,          /* proto, ttl, len */
  GP_PORTS = 1 << 2,       /* TCP, UDP, SCTP ports */
  GP_TCPF = 1 << 3,        /* tcp_flags */
  GP_ICMP = 1 << 4,        /* icmp_type, icmp_code */
  GP_ECHO = 1 << 5,        /* echo_id (ICMP echo request/reply) */
  GP_VLAN = 1 << 6,        /* outer VLAN id */
  GP_INNER = 1 << 7,       /* isrc, idst, iproto (ICMP error quote) */
  GP_INNER_PORTS = 1 << 8, /* isport, idport */
};

struct guard_pkt {
  __u8 saddr[16], daddr[16]; /* network order; IPv4 in the first 4 bytes, rest zero */
  __u8 isrc[16], idst[16];
  __u32 ifindex;
  __u32 frame_len;
  __u16 have;
  __u16 len; /* L3 length: IPv4 total length, IPv6 payload length + 40 */
  __u16 vlan;
  __u16 sport, dport, isport, idport, echo_id;
  __u8 family, proto, ttl, tcp_flags, icmp_type, icmp_code, iproto;
  __u8 malformed;
};

static __always_inline __u16 gp_be16(const __u8 *p) { return ((__u16)p[0] << 8) | p[1]; }

static __always_inline int gp_has_ports(__u8 proto) {
  return proto == GP_PROTO_TCP || proto == GP_PROTO_UDP || proto == GP_PROTO_SCTP;
}

/* ICMP errors that quote the offending packet's header (RFC 792 / RFC 4443). */
static __always_inline int gp_icmp_quotes(__u8 family, __u8 type) {
  if (family == 4)
    return type == 3 || type == 4 || type == 11 || type == 12;
  return type >= 1 && type <= 4;
}

/* The header quoted in an ICMP error at `q`, `avail` bytes of it inside the outer packet. A
 * short quote is normal (routers quote little), so it only leaves inner fields absent. */
static __always_inline void gp_inner(const __u8 *q, __u32 avail, const void *end,
                                     struct guard_pkt *p) {
  __u32 hl;
  if (p->family == 4) {
    if (avail < 20 || (const void *)(q + 20) > end || (q[0] >> 4) != 4 || (q[0] & 0xf) < 5)
      return;
    __builtin_memcpy(p->isrc, q + 12, 4);
    __builtin_memcpy(p->idst, q + 16, 4);
    p->iproto = q[9];
    p->have |= GP_INNER;
    if (gp_be16(q + 6) & 0x1fff) /* quoted a later fragment: no L4 header */
      return;
    hl = (q[0] & 0xf) * 4;
  } else {
    if (avail < 40 || (const void *)(q + 40) > end || (q[0] >> 4) != 6)
      return;
    __builtin_memcpy(p->isrc, q + 8, 16);
    __builtin_memcpy(p->idst, q + 24, 16);
    p->iproto = q[6];
    p->have |= GP_INNER;
    hl = 40;
  }
  const __u8 *l4 = q + hl;
  if (!gp_has_ports(p->iproto) || avail < hl + 4 || (const void *)(l4 + 4) > end)
    return;
  p->isport = gp_be16(l4);
  p->idport = gp_be16(l4 + 2);
  p->have |= GP_INNER_PORTS;
}

/* L4 at `l4` with `avail` bytes left of the L3 packet (by its own length and the frame). A
 * header cut short yields none of its fields (docs: a packet cut inside its TCP header has no
 * ports), only the malformed flag. */
static __always_inline void gp_l4(const __u8 *l4, __u32 avail, const void *end,
                                  struct guard_pkt *p) {
  __u8 proto = p->proto;
  if (gp_has_ports(proto)) {
    /* Fixed header sizes: TCP 20, UDP 8, SCTP common header 12. avail never exceeds the
     * frame, so the data_end checks below only restate it for the verifier. */
    __u32 need = proto == GP_PROTO_TCP ? 20 : (proto == GP_PROTO_UDP ? 8 : 12);
    if (avail < need || (const void *)(l4 + 8) > end) {
      p->malformed = 1;
      return;
    }
    if (proto == GP_PROTO_TCP) {
      if ((const void *)(l4 + 20) > end) {
        p->malformed = 1;
        return;
      }
      p->tcp_flags = l4[13];
      p->have |= GP_TCPF;
      if ((l4[12] >> 4) < 5)
        p->malformed = 1;
    }
    p->sport = gp_be16(l4);
    p->dport = gp_be16(l4 + 2);
    p->have |= GP_PORTS;
    return;
  }
  if ((p->family == 4 && proto == GP_PROTO_ICMP) || (p->family == 6 && proto == GP_PROTO_ICMPV6)) {
    if (avail < 8 || (const void *)(l4 + 8) > end) { /* ICMP/ICMPv6 header: 8 bytes */
      p->malformed = 1;
      return;
    }
    __u8 t = l4[0];
    p->icmp_type = t;
    p->icmp_code = l4[1];
    p->have |= GP_ICMP;
    if (t == 0 || t == 8 || t == 128 || t == 129) {
      p->echo_id = gp_be16(l4 + 4);
      p->have |= GP_ECHO;
    } else if (gp_icmp_quotes(p->family, t)) {
      gp_inner(l4 + 8, avail - 8, end, p);
    }
  }
}

static __always_inline void gp_ipv4(const __u8 *ip, const void *end, struct guard_pkt *p) {
  p->family = 4;
  if ((const void *)(ip + 20) > end) {
    p->malformed = 1;
    return;
  }
  __u32 ihl = (ip[0] & 0xf) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20) {
    p->malformed = 1;
    return;
  }
  __builtin_memcpy(p->saddr, ip + 12, 4);
  __builtin_memcpy(p->daddr, ip + 16, 4);
  __u16 tot = gp_be16(ip + 2);
  p->len = tot;
  p->ttl = ip[8];
  p->proto = ip[9];
  p->have |= GP_ADDR | GP_L3;
  __u32 frame = (__u32)((const __u8 *)end - ip);
  if (tot < ihl || tot > frame) { /* impossible length, or cut short */
    p->malformed = 1;
    if (tot < ihl)
      return;
  }
  if (gp_be16(ip + 6) & 0x1fff) /* a later fragment carries no L4 header */
    return;
  __u32 avail = tot < frame ? tot : frame;
  if (avail < ihl || (const void *)(ip + ihl) > end) {
    p->malformed = 1; /* options cut short */
    return;
  }
  gp_l4(ip + ihl, avail - ihl, end, p);
}

static __always_inline int gp_v6_ext(__u8 nh) {
  return nh == GP_PROTO_HOPOPTS || nh == GP_PROTO_ROUTING || nh == GP_PROTO_FRAGMENT ||
         nh == GP_PROTO_AH || nh == GP_PROTO_DSTOPTS;
}

static __always_inline void gp_ipv6(const __u8 *ip, const void *end, struct guard_pkt *p) {
  p->family = 6;
  if ((const void *)(ip + 40) > end) {
    p->malformed = 1;
    return;
  }
  if ((ip[0] >> 4) != 6) {
    p->malformed = 1;
    return;
  }
  __builtin_memcpy(p->saddr, ip + 8, 16);
  __builtin_memcpy(p->daddr, ip + 24, 16);
  __u32 tot = (__u32)gp_be16(ip + 4) + 40;
  p->len = tot > 0xffff ? 0xffff : tot;
  p->ttl = ip[7];
  __u8 nh = ip[6];
  p->proto = nh;
  p->have |= GP_ADDR | GP_L3;
  __u32 frame = (__u32)((const __u8 *)end - ip);
  if (tot > frame)
    p->malformed = 1;
  __u32 avail = tot < frame ? tot : frame;
  __u32 off = 40;
#pragma unroll
  for (int i = 0; i < GP_MAX_V6_EXT; i++) {
    if (!gp_v6_ext(nh))
      break;
    const __u8 *h = ip + off;
    if (off + 8 > avail || (const void *)(h + 8) > end) {
      p->malformed = 1;
      return;
    }
    __u8 next = h[0];
    __u32 len;
    if (nh == GP_PROTO_FRAGMENT) {
      p->proto = next;
      if (gp_be16(h + 2) & 0xfff8) /* a later fragment carries no L4 header */
        return;
      len = 8;
    } else if (nh == GP_PROTO_AH) {
      len = ((__u32)h[1] + 2) * 4;
    } else {
      len = ((__u32)h[1] + 1) * 8;
    }
    nh = next;
    off += len;
  }
  p->proto = nh;
  if (gp_v6_ext(nh)) /* more extension headers than we follow: no L4 fields */
    return;
  if (off > avail) {
    p->malformed = 1;
    return;
  }
  gp_l4(ip + off, avail - off, end, p);
}

/* Returns 0 for an IP packet (possibly malformed), -1 for anything else. */
static __always_inline int gp_parse(struct xdp_md *ctx, struct guard_pkt *p) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const void *end = (const void *)(long)ctx->data_end;
  if ((const void *)(data + 14) > end)
    return -1;
  __u16 type = gp_be16(data + 12);
  __u32 off = 14;
#pragma unroll
  for (int i = 0; i < GP_MAX_VLAN; i++) {
    if (type != GP_ETH_P_8021Q && type != GP_ETH_P_8021AD)
      break;
    if ((const void *)(data + off + 4) > end)
      return -1; /* a cut tag: we cannot know what it carries */
    if (i == 0) {
      p->vlan = gp_be16(data + off) & 0x0fff;
      p->have |= GP_VLAN;
    }
    type = gp_be16(data + off + 2);
    off += 4;
  }
  if (type == GP_ETH_P_IP)
    gp_ipv4(data + off, end, p);
  else if (type == GP_ETH_P_IPV6)
    gp_ipv6(data + off, end, p);
  else
    return -1;
  return 0;
}
