// PacketBuilder: readable, layer-by-layer construction of test frames (in the spirit of katran's
// test fixtures), e.g.
//
//   PacketBuilder().eth("02:00:00:00:00:01", "02:00:00:00:00:02").vlan(100)
//       .ipv4("10.0.0.1", "10.0.0.2").ip_options(8).ttl(64)
//       .tcp(1234, 80, kSyn | kAck).seq(1000).ack(2000).payload(32).build();
//
// Lengths (IPv4 total length, IPv6 payload length, UDP length), the IPv4 header checksum and the
// TCP/UDP/ICMP/ICMPv6 checksums are computed in build(). Overrides (ihl(), ip_version(),
// tot_len(), tcp_doff()) deliberately break a field to make malformed frames; truncate() cuts
// the finished frame. Pure C++ (no BPF, no sockets), so XDP/TC/tracepoint tests can share it.
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pscope::testing {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;
using Ip4 = std::array<std::uint8_t, 4>;
using Ip6 = std::array<std::uint8_t, 16>;

// TCP flags (byte 13 of the TCP header).
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
inline constexpr std::uint8_t kEce = 0x40;
inline constexpr std::uint8_t kCwr = 0x80;

inline constexpr std::uint16_t kEthIPv4 = 0x0800;
inline constexpr std::uint16_t kEthArp = 0x0806;
inline constexpr std::uint16_t kEth8021Q = 0x8100;
inline constexpr std::uint16_t kEthIPv6 = 0x86DD;
inline constexpr std::uint16_t kEth8021AD = 0x88A8;
inline constexpr std::uint16_t kEthLldp = 0x88CC;

inline constexpr std::uint8_t kProtoHopOpts = 0;
inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoRouting = 43;
inline constexpr std::uint8_t kProtoFragment = 44;
inline constexpr std::uint8_t kProtoAh = 51;
inline constexpr std::uint8_t kProtoIcmpv6 = 58;
inline constexpr std::uint8_t kProtoNoNext = 59;
inline constexpr std::uint8_t kProtoDstOpts = 60;

inline constexpr std::uint8_t kIcmpEchoReply = 0;
inline constexpr std::uint8_t kIcmpDestUnreach = 3;
inline constexpr std::uint8_t kIcmpEchoRequest = 8;
inline constexpr std::uint8_t kIcmp6DestUnreach = 1;
inline constexpr std::uint8_t kIcmp6EchoRequest = 128;
inline constexpr std::uint8_t kIcmp6EchoReply = 129;

inline constexpr std::uint16_t kArpRequest = 1;
inline constexpr std::uint16_t kArpReply = 2;

inline constexpr std::size_t kEthHdrLen = 14;
inline constexpr std::size_t kVlanTagLen = 4;
inline constexpr std::size_t kIpv4HdrLen = 20;
inline constexpr std::size_t kIpv6HdrLen = 40;
inline constexpr std::size_t kTcpHdrLen = 20;
inline constexpr std::size_t kUdpHdrLen = 8;
inline constexpr std::size_t kIcmpHdrLen = 8;
inline constexpr std::size_t kArpLen = 28;

// ---- address text ---------------------------------------------------------------------------

inline Mac parse_mac(std::string_view text) {
  Mac m{};
  if (text.size() != 17) throw std::invalid_argument("bad MAC address: " + std::string(text));
  auto hex = [&](char ch) -> std::uint8_t {
    if (ch >= '0' && ch <= '9') return static_cast<std::uint8_t>(ch - '0');
    if (ch >= 'a' && ch <= 'f') return static_cast<std::uint8_t>(ch - 'a' + 10);
    if (ch >= 'A' && ch <= 'F') return static_cast<std::uint8_t>(ch - 'A' + 10);
    throw std::invalid_argument("bad MAC address: " + std::string(text));
  };
  for (std::size_t i = 0; i < 6; i++) {
    if (i > 0 && text[i * 3 - 1] != ':')
      throw std::invalid_argument("bad MAC address: " + std::string(text));
    m[i] = static_cast<std::uint8_t>(hex(text[i * 3]) << 4 | hex(text[i * 3 + 1]));
  }
  return m;
}

inline Ip4 parse_ipv4(std::string_view text) {
  Ip4 a{};
  if (inet_pton(AF_INET, std::string(text).c_str(), a.data()) != 1)
    throw std::invalid_argument("bad IPv4 address: " + std::string(text));
  return a;
}

inline Ip6 parse_ipv6(std::string_view text) {
  Ip6 a{};
  if (inet_pton(AF_INET6, std::string(text).c_str(), a.data()) != 1)
    throw std::invalid_argument("bad IPv6 address: " + std::string(text));
  return a;
}

// ---- checksums ------------------------------------------------------------------------------

// Running one's-complement sum (RFC 1071) over big-endian 16-bit words; odd tails are padded.
inline std::uint32_t csum_add(std::uint32_t sum, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  return sum;
}

inline std::uint16_t csum_fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// The Internet checksum of a byte range; a range that contains a correct checksum folds to 0.
inline std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n) {
  return csum_fold(csum_add(0, p, n));
}

// ---- builder --------------------------------------------------------------------------------

// Offsets inside the built (untruncated) frame; 0 means "no such layer" (except l3 when the
// frame starts at L3, see no_eth()).
struct Layout {
  std::size_t l3 = 0;       // IP / ARP header
  std::size_t l4 = 0;       // TCP/UDP/ICMP header (after IPv6 extension headers)
  std::size_t payload = 0;  // first byte after the L4 header
  std::size_t size = 0;     // untruncated frame size
};

class PacketBuilder {
 public:
  // -- L2 --
  PacketBuilder& eth(std::string_view src_mac, std::string_view dst_mac) {
    src_mac_ = parse_mac(src_mac);
    dst_mac_ = parse_mac(dst_mac);
    with_eth_ = true;
    return *this;
  }
  // Omit the Ethernet header: the frame starts at L3 (what tracepoints see after the stack has
  // pulled the MAC header).
  PacketBuilder& no_eth() {
    with_eth_ = false;
    return *this;
  }
  // Appends a VLAN tag (outermost first): .vlan(200, 0, kEth8021AD).vlan(100) is QinQ.
  PacketBuilder& vlan(std::uint16_t id, std::uint8_t pcp = 0, std::uint16_t tpid = kEth8021Q) {
    vlans_.push_back({tpid, static_cast<std::uint16_t>((pcp & 7) << 13 | (id & 0x0fff))});
    return *this;
  }
  // A non-IP frame of this ethertype; follow with payload(). Also overrides the ethertype of an
  // IP/ARP frame when called after ipv4()/ipv6()/arp().
  PacketBuilder& ethertype(std::uint16_t type) {
    if (l3_ == L3::None) l3_ = L3::Raw;
    ethertype_ = type;
    return *this;
  }

  // -- IPv4 --
  PacketBuilder& ipv4(std::string_view src, std::string_view dst) {
    l3_ = L3::V4;
    src4_ = parse_ipv4(src);
    dst4_ = parse_ipv4(dst);
    return *this;
  }
  PacketBuilder& ttl(std::uint8_t v) {
    ttl_ = v;
    return *this;
  }
  PacketBuilder& hop_limit(std::uint8_t v) { return ttl(v); }
  PacketBuilder& tos(std::uint8_t v) {
    tos_ = v;
    return *this;
  }
  PacketBuilder& ip_id(std::uint16_t v) {
    ip_id_ = v;
    return *this;
  }
  // IPv4 options: `n` bytes (rounded up to a multiple of 4, at most 40) of NOPs ending in EOL.
  PacketBuilder& ip_options(std::size_t n) {
    n = (n + 3) / 4 * 4;
    if (n > 40) throw std::invalid_argument("IPv4 options are at most 40 bytes");
    ip_opts_len_ = n;
    return *this;
  }
  // IPv4 fragmentation: offset in bytes (a multiple of 8) and the More Fragments flag.
  PacketBuilder& ip_fragment(std::uint16_t offset_bytes, bool more) {
    if (offset_bytes % 8) throw std::invalid_argument("fragment offsets are multiples of 8");
    frag_off_ = offset_bytes;
    frag_more_ = more;
    return *this;
  }
  PacketBuilder& dont_fragment(bool df = true) {
    df_ = df;
    return *this;
  }
  // Breakers: write this header length (in 32-bit words) / version / total length instead of the
  // computed one. The bytes actually emitted are unchanged.
  PacketBuilder& ihl(std::uint8_t words) {
    ihl_override_ = words;
    return *this;
  }
  PacketBuilder& ip_version(std::uint8_t v) {
    version_override_ = v;
    return *this;
  }
  PacketBuilder& tot_len(std::uint16_t v) {
    tot_len_override_ = v;
    return *this;
  }
  // IP protocol / IPv6 next header when there is no L4 layer (default 59, "no next header").
  PacketBuilder& ip_proto(std::uint8_t p) {
    ip_proto_override_ = p;
    return *this;
  }

  // -- IPv6 --
  PacketBuilder& ipv6(std::string_view src, std::string_view dst) {
    l3_ = L3::V6;
    src6_ = parse_ipv6(src);
    dst6_ = parse_ipv6(dst);
    return *this;
  }
  PacketBuilder& flow_label(std::uint32_t v) {
    flow_label_ = v & 0xfffff;
    return *this;
  }
  // Extension headers, in the order called. `extra_units` adds 8-byte units of PadN padding.
  PacketBuilder& ext_hop_by_hop(std::uint8_t extra_units = 0) {
    exts_.push_back({kProtoHopOpts, extra_units, 0, false});
    return *this;
  }
  // Routing header type 0 with segments-left 0 and one address (24 bytes, Hdr Ext Len 2).
  PacketBuilder& ext_routing() {
    exts_.push_back({kProtoRouting, 2, 0, false});
    return *this;
  }
  PacketBuilder& ext_fragment(std::uint16_t offset_bytes, bool more) {
    if (offset_bytes % 8) throw std::invalid_argument("fragment offsets are multiples of 8");
    exts_.push_back({kProtoFragment, 0, offset_bytes, more});
    return *this;
  }
  PacketBuilder& ext_dest_opts(std::uint8_t extra_units = 0) {
    exts_.push_back({kProtoDstOpts, extra_units, 0, false});
    return *this;
  }
  // Authentication header with a 4-byte ICV (16 bytes; Payload Len 2, in 4-byte units minus 2).
  PacketBuilder& ext_ah() {
    exts_.push_back({kProtoAh, 2, 0, false});
    return *this;
  }

  // -- ARP (Ethernet/IPv4); sender MAC = Ethernet source, target MAC = Ethernet destination for a
  // reply and zero for a request --
  PacketBuilder& arp(std::uint16_t op, std::string_view sender_ip, std::string_view target_ip) {
    l3_ = L3::Arp;
    arp_op_ = op;
    src4_ = parse_ipv4(sender_ip);
    dst4_ = parse_ipv4(target_ip);
    return *this;
  }
  // Breakers for ARP: hardware / protocol address lengths.
  PacketBuilder& arp_lengths(std::uint8_t hlen, std::uint8_t plen) {
    arp_hlen_ = hlen;
    arp_plen_ = plen;
    return *this;
  }

  // -- L4 --
  PacketBuilder& tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags) {
    l4_ = L4::Tcp;
    sport_ = sport;
    dport_ = dport;
    tcp_flags_ = flags;
    return *this;
  }
  PacketBuilder& seq(std::uint32_t v) {
    seq_ = v;
    return *this;
  }
  PacketBuilder& ack(std::uint32_t v) {
    ack_ = v;
    return *this;
  }
  PacketBuilder& window(std::uint16_t v) {
    window_ = v;
    return *this;
  }
  // Breaker: TCP data offset in 32-bit words (the header emitted stays 20 bytes).
  PacketBuilder& tcp_doff(std::uint8_t words) {
    doff_override_ = words;
    return *this;
  }
  PacketBuilder& udp(std::uint16_t sport, std::uint16_t dport) {
    l4_ = L4::Udp;
    sport_ = sport;
    dport_ = dport;
    return *this;
  }
  // ICMP / ICMPv6 with the echo identifier and sequence in the "rest of header" word.
  PacketBuilder& icmp(std::uint8_t type, std::uint8_t code, std::uint16_t id = 0,
                      std::uint16_t sequence = 0) {
    l4_ = L4::Icmp;
    icmp_type_ = type;
    icmp_code_ = code;
    sport_ = id;
    dport_ = sequence;
    return *this;
  }
  PacketBuilder& icmpv6(std::uint8_t type, std::uint8_t code, std::uint16_t id = 0,
                        std::uint16_t sequence = 0) {
    icmp(type, code, id, sequence);
    l4_ = L4::Icmp6;
    return *this;
  }

  // -- payload and truncation --
  // `n` payload bytes 0x00, 0x01, ... (mod 256).
  PacketBuilder& payload(std::size_t n) {
    payload_.resize(n);
    for (std::size_t i = 0; i < n; i++) payload_[i] = static_cast<std::uint8_t>(i);
    return *this;
  }
  PacketBuilder& payload(Bytes bytes) {
    payload_ = std::move(bytes);
    return *this;
  }
  // Cuts the finished frame to at most `n` bytes (lengths and checksums keep their full values,
  // as in a snapped capture).
  PacketBuilder& truncate(std::size_t n) {
    truncate_ = n;
    return *this;
  }

  Bytes build() const { return assemble(nullptr); }
  Layout layout() const {
    Layout l;
    assemble(&l);
    return l;
  }

 private:
  enum class L3 { None, V4, V6, Arp, Raw };
  enum class L4 { None, Tcp, Udp, Icmp, Icmp6 };
  struct Vlan {
    std::uint16_t tpid;
    std::uint16_t tci;
  };
  struct Ext {
    std::uint8_t type;
    std::uint8_t units;  // hop-by-hop/dest-opts: extra 8-byte units; routing/AH: Hdr Ext Len
    std::uint16_t frag_off;
    bool frag_more;
  };

  static void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  }
  static void put32(Bytes& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v));
  }
  static void set16(Bytes& b, std::size_t off, std::uint16_t v) {
    b[off] = static_cast<std::uint8_t>(v >> 8);
    b[off + 1] = static_cast<std::uint8_t>(v);
  }
  template <std::size_t N>
  static void put(Bytes& b, const std::array<std::uint8_t, N>& a) {
    b.insert(b.end(), a.begin(), a.end());
  }

  std::uint8_t l4_proto_number() const {
    switch (l4_) {
      case L4::Tcp: return kProtoTcp;
      case L4::Udp: return kProtoUdp;
      case L4::Icmp: return kProtoIcmp;
      case L4::Icmp6: return kProtoIcmpv6;
      case L4::None: break;
    }
    return ip_proto_override_.value_or(kProtoNoNext);
  }

  std::uint16_t l3_ethertype() const {
    if (ethertype_) return *ethertype_;
    switch (l3_) {
      case L3::V4: return kEthIPv4;
      case L3::V6: return kEthIPv6;
      case L3::Arp: return kEthArp;
      case L3::Raw:
      case L3::None: break;
    }
    throw std::logic_error("PacketBuilder: no L3 layer (call ipv4/ipv6/arp/ethertype)");
  }

  // L4 header + payload with its checksum; `pseudo` is the pseudo-header sum (0 for ICMPv4).
  Bytes l4_bytes(std::uint32_t pseudo) const {
    Bytes b;
    switch (l4_) {
      case L4::None: break;
      case L4::Tcp: {
        put16(b, sport_);
        put16(b, dport_);
        put32(b, seq_);
        put32(b, ack_);
        b.push_back(static_cast<std::uint8_t>(doff_override_.value_or(5) << 4));
        b.push_back(tcp_flags_);
        put16(b, window_);
        put16(b, 0);  // checksum
        put16(b, 0);  // urgent pointer
        break;
      }
      case L4::Udp:
        put16(b, sport_);
        put16(b, dport_);
        put16(b, static_cast<std::uint16_t>(kUdpHdrLen + payload_.size()));
        put16(b, 0);
        break;
      case L4::Icmp:
      case L4::Icmp6:
        b.push_back(icmp_type_);
        b.push_back(icmp_code_);
        put16(b, 0);
        put16(b, sport_);
        put16(b, dport_);
        break;
    }
    b.insert(b.end(), payload_.begin(), payload_.end());
    if (l4_ == L4::None) return b;
    std::uint16_t c = csum_fold(csum_add(pseudo, b.data(), b.size()));
    if (l4_ == L4::Udp && c == 0) c = 0xffff;  // 0 means "no checksum" for UDP
    std::size_t csum_off = l4_ == L4::Tcp ? 16 : l4_ == L4::Udp ? 6 : 2;
    set16(b, csum_off, c);
    return b;
  }

  Bytes ipv6_ext_bytes(std::uint8_t final_nh) const {
    Bytes b;
    for (std::size_t i = 0; i < exts_.size(); i++) {
      const Ext& e = exts_[i];
      std::uint8_t nh = i + 1 < exts_.size() ? exts_[i + 1].type : final_nh;
      std::size_t start = b.size();
      b.push_back(nh);
      switch (e.type) {
        case kProtoHopOpts:
        case kProtoDstOpts: {
          // Hdr Ext Len counts 8-byte units after the first; fill with one PadN option.
          std::size_t len = 8 * (1 + static_cast<std::size_t>(e.units));
          b.push_back(e.units);
          b.push_back(1);  // PadN
          b.push_back(static_cast<std::uint8_t>(len - 4));
          b.resize(start + len, 0);
          break;
        }
        case kProtoRouting:
          b.push_back(e.units);  // 2: one IPv6 address
          b.push_back(0);        // routing type 0
          b.push_back(0);        // segments left
          b.resize(start + 8 * (1 + static_cast<std::size_t>(e.units)), 0);
          break;
        case kProtoFragment:
          b.push_back(0);
          put16(b, static_cast<std::uint16_t>(e.frag_off | (e.frag_more ? 1 : 0)));
          put32(b, 0x12345678);  // identification
          break;
        case kProtoAh:
          b.push_back(e.units);  // (length in 4-byte units) - 2
          put16(b, 0);           // reserved
          put32(b, 0x100);       // SPI
          put32(b, 1);           // sequence number
          b.resize(start + 4 * (static_cast<std::size_t>(e.units) + 2), 0xAB);  // ICV
          break;
        default: throw std::logic_error("PacketBuilder: unknown IPv6 extension header");
      }
    }
    return b;
  }

  Bytes assemble(Layout* layout) const {
    Bytes f;
    if (with_eth_) {
      put(f, dst_mac_);
      put(f, src_mac_);
      for (const Vlan& v : vlans_) {
        put16(f, v.tpid);
        put16(f, v.tci);
      }
      put16(f, l3_ethertype());
    } else if (!vlans_.empty()) {
      throw std::logic_error("PacketBuilder: VLAN tags need an Ethernet header");
    }
    std::size_t l3 = f.size();
    std::size_t l4 = 0;
    std::size_t pl = 0;
    switch (l3_) {
      case L3::None: throw std::logic_error("PacketBuilder: no L3 layer");
      case L3::Raw:
        pl = f.size();
        f.insert(f.end(), payload_.begin(), payload_.end());
        break;
      case L3::Arp: {
        f.resize(l3 + kArpLen, 0);
        Bytes a;
        put16(a, 1);  // Ethernet
        put16(a, kEthIPv4);
        a.push_back(arp_hlen_);
        a.push_back(arp_plen_);
        put16(a, arp_op_);
        put(a, src_mac_);
        put(a, src4_);
        if (arp_op_ == kArpRequest)
          put(a, Mac{});
        else
          put(a, dst_mac_);
        put(a, dst4_);
        std::copy(a.begin(), a.end(), f.begin() + static_cast<std::ptrdiff_t>(l3));
        pl = f.size();
        f.insert(f.end(), payload_.begin(), payload_.end());
        break;
      }
      case L3::V4: {
        std::size_t hlen = kIpv4HdrLen + ip_opts_len_;
        std::uint8_t proto = l4_proto_number();
        std::uint32_t pseudo = 0;
        if (l4_ == L4::Tcp || l4_ == L4::Udp) {
          std::size_t l4len = l4_header_len() + payload_.size();
          pseudo = csum_add(pseudo, src4_.data(), 4);
          pseudo = csum_add(pseudo, dst4_.data(), 4);
          pseudo += proto;
          pseudo += static_cast<std::uint32_t>(l4len);
        }
        Bytes body = l4_bytes(pseudo);
        auto version = version_override_.value_or(4);
        auto ihl_words = ihl_override_.value_or(static_cast<std::uint8_t>(hlen / 4));
        f.push_back(static_cast<std::uint8_t>((version & 0xf) << 4 | (ihl_words & 0xf)));
        f.push_back(tos_);
        put16(f, tot_len_override_.value_or(static_cast<std::uint16_t>(hlen + body.size())));
        put16(f, ip_id_);
        put16(f, static_cast<std::uint16_t>((df_ ? 0x4000 : 0) | (frag_more_ ? 0x2000 : 0) |
                                            (frag_off_ / 8)));
        f.push_back(ttl_);
        f.push_back(proto);
        put16(f, 0);
        put(f, src4_);
        put(f, dst4_);
        for (std::size_t i = 0; i < ip_opts_len_; i++)
          f.push_back(i + 1 == ip_opts_len_ ? 0 /* EOL */ : 1 /* NOP */);
        set16(f, l3 + 10, inet_checksum(f.data() + l3, hlen));
        if (l4_ != L4::None) {
          l4 = f.size();
          pl = l4 + l4_header_len();
        } else {
          pl = f.size();
        }
        f.insert(f.end(), body.begin(), body.end());
        break;
      }
      case L3::V6: {
        std::uint8_t proto = l4_proto_number();
        Bytes ext = ipv6_ext_bytes(proto);
        std::size_t l4len = l4_header_len() + payload_.size();
        std::uint32_t pseudo = 0;
        if (l4_ != L4::None) {
          pseudo = csum_add(pseudo, src6_.data(), 16);
          pseudo = csum_add(pseudo, dst6_.data(), 16);
          pseudo += static_cast<std::uint32_t>(l4len >> 16);
          pseudo += static_cast<std::uint32_t>(l4len & 0xffff);
          pseudo += proto;
        }
        Bytes body = l4_bytes(pseudo);
        auto version = version_override_.value_or(6);
        put32(f, static_cast<std::uint32_t>((version & 0xfu) << 28 |
                                            static_cast<std::uint32_t>(tos_) << 20 | flow_label_));
        put16(f, tot_len_override_.value_or(static_cast<std::uint16_t>(ext.size() + body.size())));
        f.push_back(exts_.empty() ? proto : exts_.front().type);
        f.push_back(ttl_);
        put(f, src6_);
        put(f, dst6_);
        f.insert(f.end(), ext.begin(), ext.end());
        if (l4_ != L4::None) {
          l4 = f.size();
          pl = l4 + l4_header_len();
        } else {
          pl = f.size();
        }
        f.insert(f.end(), body.begin(), body.end());
        break;
      }
    }
    if (layout) *layout = Layout{l3, l4, pl, f.size()};
    if (truncate_ && *truncate_ < f.size()) f.resize(*truncate_);
    return f;
  }

  std::size_t l4_header_len() const {
    switch (l4_) {
      case L4::Tcp: return kTcpHdrLen;
      case L4::Udp: return kUdpHdrLen;
      case L4::Icmp:
      case L4::Icmp6: return kIcmpHdrLen;
      case L4::None: break;
    }
    return 0;
  }

  bool with_eth_ = true;
  Mac src_mac_ = {0x02, 0, 0, 0, 0, 0x01};
  Mac dst_mac_ = {0x02, 0, 0, 0, 0, 0x02};
  std::vector<Vlan> vlans_;
  std::optional<std::uint16_t> ethertype_;

  L3 l3_ = L3::None;
  Ip4 src4_{}, dst4_{};
  Ip6 src6_{}, dst6_{};
  std::uint8_t ttl_ = 64;
  std::uint8_t tos_ = 0;
  std::uint16_t ip_id_ = 0x1234;
  std::size_t ip_opts_len_ = 0;
  std::uint16_t frag_off_ = 0;
  bool frag_more_ = false;
  bool df_ = false;
  std::optional<std::uint8_t> ihl_override_, version_override_, ip_proto_override_;
  std::optional<std::uint16_t> tot_len_override_;
  std::uint32_t flow_label_ = 0;
  std::vector<Ext> exts_;

  std::uint16_t arp_op_ = kArpRequest;
  std::uint8_t arp_hlen_ = 6, arp_plen_ = 4;

  L4 l4_ = L4::None;
  std::uint16_t sport_ = 0, dport_ = 0;
  std::uint8_t tcp_flags_ = 0;
  std::uint32_t seq_ = 0, ack_ = 0;
  std::uint16_t window_ = 65535;
  std::optional<std::uint8_t> doff_override_;
  std::uint8_t icmp_type_ = 0, icmp_code_ = 0;

  Bytes payload_;
  std::optional<std::size_t> truncate_;
};

}  // namespace pscope::testing
