// PacketFacts from raw bytes: a line-by-line C++ twin of the XDP parser
// (bpf/guard_parse.bpf.h), so the reference matcher judges the very facts the kernel sees.
// It also reads captures cut to their first bytes (Tracer packets), where running out of
// bytes only leaves fields unknown instead of making the packet malformed.
#include "guarder/packet_facts.h"

#include <algorithm>
#include <cstring>

namespace pscope::guarder {
namespace {

constexpr uint8_t kHopOpts = 0, kIcmp = 1, kTcp = 6, kUdp = 17, kRouting = 43, kFragment = 44,
                  kAh = 51, kIcmp6 = 58, kDstOpts = 60, kSctp = 132;
constexpr int kMaxVlan = 2, kMaxV6Ext = 6;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
bool has_ports(uint8_t proto) { return proto == kTcp || proto == kUdp || proto == kSctp; }
bool v6_ext(uint8_t nh) {
  return nh == kHopOpts || nh == kRouting || nh == kFragment || nh == kAh || nh == kDstOpts;
}
bool icmp_quotes(uint8_t family, uint8_t type) {
  if (family == 4) return type == 3 || type == 4 || type == 11 || type == 12;
  return type >= 1 && type <= 4;
}

enum class Room { kOk, kCut, kMalformed };

// The bytes of one IP packet: `decl` what its headers declare (capped by the frame when the
// frame is the whole packet), `cap` what we hold. Needing more than decl is malformed; more
// than cap (only possible for captures) just means unknown.
struct Packet {
  const uint8_t* ip;
  uint32_t decl;
  uint32_t cap;
  Room room(uint32_t off, uint32_t n) const {
    if (uint64_t{off} + n > decl) return Room::kMalformed;
    if (uint64_t{off} + n > cap) return Room::kCut;
    return Room::kOk;
  }
};

void parse_inner(const Packet& pk, uint32_t off, PacketFacts& p) {
  // A short or odd quote is normal (routers quote little): inner fields just stay absent.
  auto have = [&](uint32_t n) { return pk.room(off, n) == Room::kOk; };
  const uint8_t* q = pk.ip + off;
  PacketFacts::Inner in;
  uint32_t hl = 0;
  if (p.family == 4) {
    if (!have(20) || (q[0] >> 4) != 4 || (q[0] & 0xf) < 5) return;
    std::memcpy(in.src.data(), q + 12, 4);
    std::memcpy(in.dst.data(), q + 16, 4);
    in.protocol = q[9];
    p.inner = in;
    if (be16(q + 6) & 0x1fff) return;  // quoted a later fragment: no L4 header
    hl = (q[0] & 0xfu) * 4;
  } else {
    if (!have(40) || (q[0] >> 4) != 6) return;
    std::memcpy(in.src.data(), q + 8, 16);
    std::memcpy(in.dst.data(), q + 24, 16);
    in.protocol = q[6];
    p.inner = in;
    hl = 40;
  }
  if (!has_ports(in.protocol) || !have(hl + 4)) return;
  p.inner->sport = be16(q + hl);
  p.inner->dport = be16(q + hl + 2);
}

void parse_l4(const Packet& pk, uint32_t off, PacketFacts& p) {
  const uint8_t* l4 = pk.ip + off;
  uint8_t proto = p.protocol;
  // Returns false when the n bytes are not there, marking the packet malformed if its own
  // lengths (not our capture) are to blame.
  auto need = [&](uint32_t n) {
    Room r = pk.room(off, n);
    if (r == Room::kMalformed) p.malformed = true;
    return r == Room::kOk;
  };
  if (has_ports(proto)) {
    if (!need(4)) return;
    p.sport = be16(l4);
    p.dport = be16(l4 + 2);
    if (proto == kTcp) {
      if (!need(20)) {
        if (pk.room(off, 14) == Room::kOk) p.tcp_flags = l4[13];
        return;
      }
      p.tcp_flags = l4[13];
      if ((l4[12] >> 4) < 5) p.malformed = true;
    } else {
      need(proto == kUdp ? 8 : 12);  // UDP header 8 bytes, SCTP common header 12
    }
    return;
  }
  if ((p.family == 4 && proto == kIcmp) || (p.family == 6 && proto == kIcmp6)) {
    if (!need(4)) return;
    p.icmp_type = l4[0];
    p.icmp_code = l4[1];
    if (pk.room(off, 8) != Room::kOk) return;
    uint8_t t = l4[0];
    if (!(t == 0 || t == 8 || t == 128 || t == 129) && icmp_quotes(p.family, t))
      parse_inner(pk, off + 8, p);
  }
}

// `bytes` from the IP header on; `whole` = they are the whole packet (else a capture prefix).
void parse_ipv4(const uint8_t* ip, uint32_t bytes, bool whole, PacketFacts& p) {
  p.family = 4;
  p.has_l3 = false;
  if (bytes < 20) {
    p.malformed = whole;
    return;
  }
  uint32_t ihl = (ip[0] & 0xfu) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20) {
    p.malformed = true;
    return;
  }
  std::memcpy(p.saddr.data(), ip + 12, 4);
  std::memcpy(p.daddr.data(), ip + 16, 4);
  uint16_t tot = be16(ip + 2);
  p.length = tot;
  p.ttl = ip[8];
  p.protocol = ip[9];
  p.has_l3 = true;
  if (tot < ihl || (whole && tot > bytes)) {  // impossible length, or cut short
    p.malformed = true;
    if (tot < ihl) return;
  }
  if (be16(ip + 6) & 0x1fff) return;  // a later fragment carries no L4 header
  Packet pk{ip, whole ? std::min<uint32_t>(tot, bytes) : tot, bytes};
  Room r = pk.room(0, ihl);
  if (r != Room::kOk) {
    p.malformed = p.malformed || r == Room::kMalformed;  // options cut short
    return;
  }
  parse_l4(pk, ihl, p);
}

void parse_ipv6(const uint8_t* ip, uint32_t bytes, bool whole, PacketFacts& p) {
  p.family = 6;
  p.has_l3 = false;
  if (bytes < 40) {
    p.malformed = whole;
    return;
  }
  if ((ip[0] >> 4) != 6) {
    p.malformed = true;
    return;
  }
  std::memcpy(p.saddr.data(), ip + 8, 16);
  std::memcpy(p.daddr.data(), ip + 24, 16);
  uint32_t tot = uint32_t{be16(ip + 4)} + 40;
  p.length = static_cast<uint16_t>(std::min<uint32_t>(tot, 0xffff));
  p.ttl = ip[7];
  uint8_t nh = ip[6];
  p.protocol = nh;
  p.has_l3 = true;
  if (whole && tot > bytes) p.malformed = true;
  Packet pk{ip, whole ? std::min(tot, bytes) : tot, bytes};
  uint32_t off = 40;
  for (int i = 0; i < kMaxV6Ext && v6_ext(nh); ++i) {
    if (Room r = pk.room(off, 8); r != Room::kOk) {
      p.malformed = p.malformed || r == Room::kMalformed;
      return;
    }
    const uint8_t* h = ip + off;
    uint8_t next = h[0];
    uint32_t len = 0;
    if (nh == kFragment) {
      p.protocol = next;
      if (be16(h + 2) & 0xfff8) return;  // a later fragment carries no L4 header
      len = 8;
    } else if (nh == kAh) {
      len = (uint32_t{h[1]} + 2) * 4;
    } else {
      len = (uint32_t{h[1]} + 1) * 8;
    }
    nh = next;
    off += len;
  }
  p.protocol = nh;
  if (v6_ext(nh)) return;  // more extension headers than we follow: no L4 fields
  if (Room r = pk.room(off, 0); r != Room::kOk) {
    p.malformed = p.malformed || r == Room::kMalformed;
    return;
  }
  parse_l4(pk, off, p);
}

}  // namespace

std::optional<PacketFacts> parse_packet(std::span<const uint8_t> b, bool l2, bool whole,
                                        uint32_t ifindex) {
  PacketFacts p;
  p.ifindex = ifindex;
  uint32_t off = 0;
  uint16_t type = 0;
  if (l2) {
    if (b.size() < 14) return std::nullopt;
    type = be16(b.data() + 12);
    off = 14;
    for (int i = 0; i < kMaxVlan && (type == 0x8100 || type == 0x88a8); ++i) {
      if (b.size() < off + 4) return std::nullopt;  // a cut tag: we cannot know what it carries
      if (i == 0) p.vlan = be16(b.data() + off) & 0x0fff;
      type = be16(b.data() + off + 2);
      off += 4;
    }
  } else {
    if (b.empty()) return std::nullopt;
    type = (b[0] >> 4) == 4 ? 0x0800 : (b[0] >> 4) == 6 ? 0x86dd : 0;
  }
  auto rest = static_cast<uint32_t>(b.size() - off);
  if (type == 0x0800)
    parse_ipv4(b.data() + off, rest, whole, p);
  else if (type == 0x86dd)
    parse_ipv6(b.data() + off, rest, whole, p);
  else
    return std::nullopt;
  return p;
}

std::optional<PacketFacts> facts_from_frame(std::span<const uint8_t> frame, bool l2,
                                            uint32_t ifindex) {
  return parse_packet(frame, l2, true, ifindex);
}

}  // namespace pscope::guarder
