// PacketBuilder implementation: address parsing, checksums and frame assembly (see
// packet_builder.h for the interface).
#include "packet_builder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pscope::testing {

// ---- address text ---------------------------------------------------------------------------

Mac parse_mac(std::string_view text) {
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

Ip4 parse_ipv4(std::string_view text) {
  Ip4 a{};
  if (inet_pton(AF_INET, std::string(text).c_str(), a.data()) != 1)
    throw std::invalid_argument("bad IPv4 address: " + std::string(text));
  return a;
}

Ip6 parse_ipv6(std::string_view text) {
  Ip6 a{};
  if (inet_pton(AF_INET6, std::string(text).c_str(), a.data()) != 1)
    throw std::invalid_argument("bad IPv6 address: " + std::string(text));
  return a;
}

// ---- checksums ------------------------------------------------------------------------------

std::uint32_t csum_add(std::uint32_t sum, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  return sum;
}

std::uint16_t csum_fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n) {
  return csum_fold(csum_add(0, p, n));
}

// ---- byte writers ---------------------------------------------------------------------------

namespace {

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
void set16(Bytes& b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v >> 8);
  b[off + 1] = static_cast<std::uint8_t>(v);
}
template <std::size_t N>
void put(Bytes& b, const std::array<std::uint8_t, N>& a) {
  b.insert(b.end(), a.begin(), a.end());
}

}  // namespace

// ---- setters that parse or validate ---------------------------------------------------------

PacketBuilder& PacketBuilder::eth(std::string_view src_mac, std::string_view dst_mac) {
  src_mac_ = parse_mac(src_mac);
  dst_mac_ = parse_mac(dst_mac);
  with_eth_ = true;
  return *this;
}

PacketBuilder& PacketBuilder::ipv4(std::string_view src, std::string_view dst) {
  l3_ = L3::V4;
  src4_ = parse_ipv4(src);
  dst4_ = parse_ipv4(dst);
  return *this;
}

PacketBuilder& PacketBuilder::ip_options(std::size_t n) {
  n = (n + 3) / 4 * 4;
  if (n > 40) throw std::invalid_argument("IPv4 options are at most 40 bytes");
  ip_opts_len_ = n;
  return *this;
}

PacketBuilder& PacketBuilder::ip_fragment(std::uint16_t offset_bytes, bool more) {
  if (offset_bytes % 8) throw std::invalid_argument("fragment offsets are multiples of 8");
  frag_off_ = offset_bytes;
  frag_more_ = more;
  return *this;
}

PacketBuilder& PacketBuilder::ipv6(std::string_view src, std::string_view dst) {
  l3_ = L3::V6;
  src6_ = parse_ipv6(src);
  dst6_ = parse_ipv6(dst);
  return *this;
}

PacketBuilder& PacketBuilder::ext_fragment(std::uint16_t offset_bytes, bool more) {
  if (offset_bytes % 8) throw std::invalid_argument("fragment offsets are multiples of 8");
  exts_.push_back({kProtoFragment, 0, offset_bytes, more});
  return *this;
}

PacketBuilder& PacketBuilder::arp(std::uint16_t op, std::string_view sender_ip,
                                  std::string_view target_ip) {
  l3_ = L3::Arp;
  arp_op_ = op;
  src4_ = parse_ipv4(sender_ip);
  dst4_ = parse_ipv4(target_ip);
  return *this;
}

PacketBuilder& PacketBuilder::payload(std::size_t n) {
  payload_.resize(n);
  for (std::size_t i = 0; i < n; i++) payload_[i] = static_cast<std::uint8_t>(i);
  return *this;
}

Layout PacketBuilder::layout() const {
  Layout l;
  assemble(&l);
  return l;
}

// ---- assembly -------------------------------------------------------------------------------

std::uint8_t PacketBuilder::l4_proto_number() const {
  switch (l4_) {
    case L4::Tcp: return kProtoTcp;
    case L4::Udp: return kProtoUdp;
    case L4::Icmp: return kProtoIcmp;
    case L4::Icmp6: return kProtoIcmpv6;
    case L4::None: break;
  }
  return ip_proto_override_.value_or(kProtoNoNext);
}

std::uint16_t PacketBuilder::l3_ethertype() const {
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

Bytes PacketBuilder::l4_bytes(std::uint32_t pseudo) const {
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

Bytes PacketBuilder::ipv6_ext_bytes(std::uint8_t final_nh) const {
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

Bytes PacketBuilder::assemble(Layout* layout) const {
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

std::size_t PacketBuilder::l4_header_len() const {
  switch (l4_) {
    case L4::Tcp: return kTcpHdrLen;
    case L4::Udp: return kUdpHdrLen;
    case L4::Icmp:
    case L4::Icmp6: return kIcmpHdrLen;
    case L4::None: break;
  }
  return 0;
}

}  // namespace pscope::testing
