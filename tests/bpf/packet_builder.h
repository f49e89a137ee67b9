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
//
// Declarations, constants and the one-field setters live here; address parsing, checksums and
// frame assembly are in packet_builder.cpp (the ps_packet_builder library).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
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

// "aa:bb:cc:dd:ee:ff" (hex digits of either case); throws std::invalid_argument otherwise.
Mac parse_mac(std::string_view text);
// Dotted-quad / IPv6 text (inet_pton); throw std::invalid_argument on bad input.
Ip4 parse_ipv4(std::string_view text);
Ip6 parse_ipv6(std::string_view text);

// ---- checksums ------------------------------------------------------------------------------

// Running one's-complement sum (RFC 1071) over big-endian 16-bit words; odd tails are padded.
std::uint32_t csum_add(std::uint32_t sum, const std::uint8_t* p, std::size_t n);

// Folds a running sum to 16 bits and complements it.
std::uint16_t csum_fold(std::uint32_t sum);

// The Internet checksum of a byte range; a range that contains a correct checksum folds to 0.
std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n);

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
  PacketBuilder& eth(std::string_view src_mac, std::string_view dst_mac);
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
  PacketBuilder& ipv4(std::string_view src, std::string_view dst);
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
  PacketBuilder& ip_options(std::size_t n);
  // IPv4 fragmentation: offset in bytes (a multiple of 8) and the More Fragments flag.
  PacketBuilder& ip_fragment(std::uint16_t offset_bytes, bool more);
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
  PacketBuilder& ipv6(std::string_view src, std::string_view dst);
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
  // Fragment header: offset in bytes (a multiple of 8) and the M flag.
  PacketBuilder& ext_fragment(std::uint16_t offset_bytes, bool more);
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
  PacketBuilder& arp(std::uint16_t op, std::string_view sender_ip, std::string_view target_ip);
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
  PacketBuilder& payload(std::size_t n);
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

  // The frame (truncated if truncate() was called); throws std::logic_error without an L3 layer.
  Bytes build() const { return assemble(nullptr); }
  // Where the layers of the untruncated frame start.
  Layout layout() const;

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

  std::uint8_t l4_proto_number() const;
  std::uint16_t l3_ethertype() const;
  // L4 header + payload with its checksum; `pseudo` is the pseudo-header sum (0 for ICMPv4).
  Bytes l4_bytes(std::uint32_t pseudo) const;
  Bytes ipv6_ext_bytes(std::uint8_t final_nh) const;
  Bytes assemble(Layout* layout) const;
  std::size_t l4_header_len() const;

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
