// Test helper: readable packet builder (katran's PacketBuilder idea). Lengths are filled in by
// frame()/ip(); checksums are left zero (no parser under test reads them).
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace pscope::guarder::test {

class PacketBuilder {
 public:
  PacketBuilder& vlan(uint16_t id, uint16_t tpid = 0x8100) {
    tags_.push_back({tpid, id});
    return *this;
  }
  // IPv4 with `options` bytes of options (a multiple of 4) and the raw frag field (MF/offset).
  PacketBuilder& ipv4(const char* src, const char* dst, uint8_t proto, uint8_t ttl = 64,
                      size_t options = 0, uint16_t frag = 0) {
    family_ = 4;
    ip_off_ = b_.size();
    size_t ihl = 20 + options;
    b_.resize(b_.size() + ihl, 0);
    uint8_t* h = &b_[ip_off_];
    h[0] = static_cast<uint8_t>(0x40 | (ihl / 4));
    h[6] = static_cast<uint8_t>(frag >> 8);
    h[7] = static_cast<uint8_t>(frag);
    h[8] = ttl;
    h[9] = proto;
    pton(AF_INET, src, h + 12);
    pton(AF_INET, dst, h + 16);
    return *this;
  }
  // IPv6; `ext` lists extension header types (8 bytes each) before `proto`. A fragment header
  // gets `frag_off` (in 8-byte units).
  PacketBuilder& ipv6(const char* src, const char* dst, uint8_t proto, uint8_t hlim = 64,
                      std::vector<uint8_t> ext = {}, uint16_t frag_off = 0) {
    family_ = 6;
    ip_off_ = b_.size();
    b_.resize(b_.size() + 40, 0);
    uint8_t* h = &b_[ip_off_];
    h[0] = 0x60;
    h[6] = ext.empty() ? proto : ext[0];
    h[7] = hlim;
    pton(AF_INET6, src, h + 8);
    pton(AF_INET6, dst, h + 24);
    for (size_t i = 0; i < ext.size(); ++i) {
      std::vector<uint8_t> e(8, 0);
      e[0] = i + 1 < ext.size() ? ext[i + 1] : proto;
      if (ext[i] == 44) {
        e[2] = static_cast<uint8_t>((frag_off << 3) >> 8);
        e[3] = static_cast<uint8_t>(frag_off << 3);
      }
      b_.insert(b_.end(), e.begin(), e.end());
    }
    return *this;
  }
  PacketBuilder& tcp(uint16_t sport, uint16_t dport, uint8_t flags, uint8_t doff = 5) {
    std::vector<uint8_t> t(20, 0);
    put16(t, 0, sport);
    put16(t, 2, dport);
    t[12] = static_cast<uint8_t>(doff << 4);
    t[13] = flags;
    return bytes(t);
  }
  PacketBuilder& udp(uint16_t sport, uint16_t dport) {
    std::vector<uint8_t> u(8, 0);
    put16(u, 0, sport);
    put16(u, 2, dport);
    put16(u, 4, 8);
    return bytes(u);
  }
  PacketBuilder& icmp(uint8_t type, uint8_t code, uint16_t id = 0) {
    std::vector<uint8_t> i(8, 0);
    i[0] = type;
    i[1] = code;
    put16(i, 4, id);
    return bytes(i);
  }
  PacketBuilder& bytes(const std::vector<uint8_t>& v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
  }
  // From the IP header on, with its length field filled in.
  std::vector<uint8_t> ip() const {
    std::vector<uint8_t> out = b_;
    size_t len = out.size() - ip_off_;
    if (family_ == 4) {
      put16(out, ip_off_ + 2, static_cast<uint16_t>(len));
    } else if (family_ == 6) {
      put16(out, ip_off_ + 4, static_cast<uint16_t>(len - 40));
    }
    return out;
  }
  // Ethernet (+ VLAN tags) + ip().
  std::vector<uint8_t> frame() const {
    std::vector<uint8_t> out = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    for (const auto& t : tags_) {
      out.push_back(static_cast<uint8_t>(t.tpid >> 8));
      out.push_back(static_cast<uint8_t>(t.tpid));
      out.push_back(static_cast<uint8_t>(t.id >> 8));
      out.push_back(static_cast<uint8_t>(t.id));
    }
    uint16_t type = family_ == 4 ? 0x0800 : family_ == 6 ? 0x86dd : 0x0806;
    out.push_back(static_cast<uint8_t>(type >> 8));
    out.push_back(static_cast<uint8_t>(type));
    auto l3 = ip();
    out.insert(out.end(), l3.begin(), l3.end());
    return out;
  }

 private:
  struct Tag {
    uint16_t tpid, id;
  };
  static void pton(int af, const char* s, uint8_t* out) {
    if (inet_pton(af, s, out) != 1) throw std::invalid_argument(s);
  }
  static void put16(std::vector<uint8_t>& v, size_t off, uint16_t x) {
    v[off] = static_cast<uint8_t>(x >> 8);
    v[off + 1] = static_cast<uint8_t>(x);
  }
  std::vector<uint8_t> b_;
  std::vector<Tag> tags_;
  size_t ip_off_ = 0;
  int family_ = 0;
};

}  // namespace pscope::guarder::test
