// Random rules and packets for the parity test (see guard_corpus.h).
#include "guard_corpus.h"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <stdexcept>

#include "guard_rows.h"

namespace pscope::testing::guard {

namespace {

using Addr = std::array<std::uint8_t, 16>;

const std::vector<std::string> kSrc4{"10.0.0.0/8",    "10.1.0.0/16",    "10.1.2.0/24",
                                     "10.1.2.3/32",   "10.1.2.4/32",    "10.2.0.0/16",
                                     "172.16.0.0/12", "172.16.5.0/24",  "192.168.1.0/24",
                                     "0.0.0.0/0"};
const std::vector<std::string> kDst4{"192.0.2.0/24",    "192.0.2.128/25", "192.0.2.1/32",
                                     "198.51.100.0/24", "203.0.113.0/24", "10.0.0.0/8"};
const std::vector<std::string> kSrc6{"2001:db8::/32",       "2001:db8:1::/48",
                                     "2001:db8:1:2::/64",   "2001:db8:1:2::3/128",
                                     "2001:db8:2::/48",     "fd00::/8", "::/0"};
const std::vector<std::string> kDst6{"2001:db8:ff::/48", "2001:db8:ff:1::/64",
                                     "2001:db8:ff:1::1/128", "fe80::/10", "2001:db8::/32"};
const std::vector<std::uint16_t> kPorts{22, 53, 80, 443, 999, 1000, 1500, 2000, 2001, 40000};

guarder::Cidr parse_cidr(const std::string& text) {
  guarder::Cidr c;
  auto slash = text.find('/');
  std::string a = text.substr(0, slash);
  c.prefix = static_cast<std::uint8_t>(std::stoi(text.substr(slash + 1)));
  c.family = a.find(':') == std::string::npos ? 4 : 6;
  if (inet_pton(c.family == 4 ? AF_INET : AF_INET6, a.c_str(), c.addr.data()) != 1)
    throw std::invalid_argument("bad pool address " + text);
  return c;
}

std::string addr_text(std::uint8_t family, const Addr& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, a.data(), buf, sizeof(buf));
  return buf;
}

Addr addr_bytes(std::uint8_t family, const std::string& text) {
  Addr a{};
  inet_pton(family == 4 ? AF_INET : AF_INET6, text.c_str(), a.data());
  return a;
}

guarder::Range<std::uint16_t> port_range(std::mt19937& rng) {
  static const std::vector<guarder::Range<std::uint16_t>> kRanges{
      {22, 22}, {53, 53}, {80, 80}, {443, 443}, {1000, 2000}, {0, 1023}, {1024, 65535}};
  return kRanges[std::uniform_int_distribution<std::size_t>(0, kRanges.size() - 1)(rng)];
}

}  // namespace

std::string rule_text(const guarder::Rule& r) {
  nlohmann::json j = guarder::to_json(r);
  j["id"] = r.id;
  return j.dump();
}

guarder::Cidr Corpus::prefix(std::uint8_t family, bool src) {
  const auto& pool = family == 4 ? (src ? kSrc4 : kDst4) : (src ? kSrc6 : kDst6);
  return parse_cidr(any(pool));
}

std::string Corpus::address_in(std::uint8_t family, bool src) {
  Addr a{};
  int bytes = family == 4 ? 4 : 16;
  for (int i = 0; i < bytes; i++) a[i] = static_cast<std::uint8_t>(rng_());
  if (chance(0.85)) {  // inside a pool prefix: keep the prefix bits, random host bits
    guarder::Cidr c = prefix(family, src);
    for (int bit = 0; bit < c.prefix; bit++) {
      std::uint8_t mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
      a[bit / 8] = static_cast<std::uint8_t>((a[bit / 8] & ~mask) | (c.addr[bit / 8] & mask));
    }
    if (c.prefix == bytes * 8 - 8 && chance(0.5)) a[bytes - 1] = 1;  // hit the /32 and /128 hosts
  }
  return addr_text(family, a);
}

void Corpus::fill_l4(guarder::Match& m, std::uint8_t family) {
  std::uint8_t p = *m.protocol;
  if (p == 6 || p == 17) {
    if (chance(0.4)) m.dport = port_range(rng_);
    if (chance(0.2)) m.sport = port_range(rng_);
  }
  if (p == 6 && chance(0.25)) {
    static const std::vector<std::pair<std::uint8_t, std::uint8_t>> kFlags{
        {kSyn, kSyn | kAck}, {kAck, kAck}, {kRst, kRst}, {0, kFin}};
    auto [bits, mask] = any(kFlags);
    m.tcp_flags = bits;
    m.tcp_mask = mask;
  }
  if (p == 1 || p == 58) {
    static const std::vector<std::uint8_t> kT4{0, 8, 3, 11}, kT6{128, 129, 1, 3};
    if (chance(0.4)) {
      m.icmp_type = any(family == 4 ? kT4 : kT6);
      if (chance(0.5)) m.icmp_code = static_cast<std::uint8_t>(pick(5));
    }
    if (chance(0.25)) {
      guarder::InnerMatch in;
      if (chance(0.5)) in.src = prefix(family, true);
      if (chance(0.3)) in.dst = prefix(family, false);
      if (chance(0.5)) {
        in.protocol = chance(0.5) ? 6 : 17;
        if (chance(0.5)) in.dport = port_range(rng_);
      }
      m.inner = in;
    }
  }
}

guarder::Rule Corpus::rule(std::uint32_t id, std::int64_t now_ns) {
  guarder::Rule r;
  r.id = id;
  double a = std::uniform_real_distribution<double>(0, 1)(rng_);
  r.action = a < 0.35 ? guarder::Action::kDrop
             : a < 0.65 ? guarder::Action::kPass
             : a < 0.82 ? guarder::Action::kLog
                        : guarder::Action::kRateLimit;
  if (r.action == guarder::Action::kRateLimit) r.rate = guarder::RateLimit{1000000000, 1000000000, false};
  if (r.action == guarder::Action::kLog) r.log_every = static_cast<std::uint32_t>(1 + pick(3));
  r.shadow = chance(0.15);
  r.enabled = chance(0.94);
  if (chance(0.03)) r.expires_ns = now_ns - 1'000'000'000;
  else if (chance(0.05)) r.expires_ns = now_ns + 3600'000'000'000;
  std::uint8_t family = chance(0.5) ? 4 : 6;
  guarder::Match& m = r.match;
  double g = std::uniform_real_distribution<double>(0, 1)(rng_);
  bool src = g >= 0.25 && g < 0.6, dst = g >= 0.6 && g < 0.8, both = g >= 0.8;
  if (src || both) m.src = prefix(family, true);
  if (dst || both) m.dst = prefix(family, false);
  // Specific rules usually come first (as people write them), broad ones later, rules without
  // addresses last: so that many different rules get to decide.
  std::uint8_t longest = std::max(m.src ? m.src->prefix : 0, m.dst ? m.dst->prefix : 0);
  bool broad = longest < (family == 4 ? 16 : 48);
  r.priority = static_cast<std::int32_t>(!(m.src || m.dst) ? 60 + pick(20) : broad ? 30 + pick(30) : pick(30));
  if (m.src || m.dst || chance(0.3)) m.family = family;
  bool malformed = chance(0.05);
  if (chance(0.65)) {
    static const std::vector<std::uint8_t> kP4{6, 6, 17, 17, 1, 47}, kP6{6, 6, 17, 17, 58, 47};
    m.protocol = any(family == 4 ? kP4 : kP6);
    if (!malformed) fill_l4(m, family);
  }
  if (malformed) {
    m.malformed = true;
    return r;
  }
  if (chance(0.08)) {
    static const std::vector<guarder::Range<std::uint8_t>> kTtl{{1, 5}, {64, 64}, {0, 63}, {200, 255}};
    m.ttl = any(kTtl);
  }
  if (chance(0.08)) {
    static const std::vector<guarder::Range<std::uint16_t>> kLen{{0, 100}, {101, 200}, {60, 1500}};
    m.length = any(kLen);
  }
  if (chance(0.08)) m.vlan = any(std::vector<std::uint16_t>{0, 100, 200, 7});
  if (chance(0.04)) m.iface = "lo";
  return r;
}

std::vector<guarder::Rule> Corpus::rules(std::size_t n, std::uint32_t first_id, std::int64_t now_ns) {
  std::vector<guarder::Rule> out;
  for (std::size_t i = 0; i < n; i++) out.push_back(rule(first_id + static_cast<std::uint32_t>(i), now_ns));
  return out;
}

// One packet: frame and facts from the same choices. ifindex is the test run's default (lo).
CorpusPacket Corpus::packet() {
  CorpusPacket out;
  guarder::PacketFacts& f = out.facts;
  std::uint8_t family = chance(0.5) ? 4 : 6;
  std::string src = address_in(family, true), dst = address_in(family, false);
  f.family = family;
  f.saddr = addr_bytes(family, src);
  f.daddr = addr_bytes(family, dst);
  f.ifindex = 1;
  f.ttl = any(std::vector<std::uint8_t>{1, 5, 6, 63, 64, 200, 255, static_cast<std::uint8_t>(rng_())});
  PacketBuilder b = Frame();
  std::string text = (family == 4 ? "v4 " : "v6 ") + src + " > " + dst;
  double v = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (v < 0.2) {
    std::uint16_t id = any(std::vector<std::uint16_t>{0, 100, 200, 7});
    b.vlan(id);
    f.vlan = id;
    text += " vlan " + std::to_string(id);
  } else if (v < 0.3) {
    std::uint16_t outer = any(std::vector<std::uint16_t>{100, 200}), inner = any(std::vector<std::uint16_t>{100, 5});
    b.vlan(outer, 0, kEth8021AD).vlan(inner);
    f.vlan = outer;
    text += " qinq " + std::to_string(outer) + "/" + std::to_string(inner);
  }
  if (family == 4) {
    b.ipv4(src, dst).ttl(f.ttl);
    if (chance(0.1)) b.ip_options(4 * (1 + pick(10)));
  } else {
    b.ipv6(src, dst).hop_limit(f.ttl);
    if (chance(0.15)) {
      switch (pick(4)) {
        case 0: b.ext_hop_by_hop(static_cast<std::uint8_t>(pick(3))); break;
        case 1: b.ext_routing(); break;
        case 2: b.ext_dest_opts(); break;
        default: b.ext_fragment(0, true); break;
      }
      text += " ext";
    }
  }
  bool later_fragment = chance(0.05);
  if (later_fragment) {
    if (family == 4) b.ip_fragment(static_cast<std::uint16_t>(8 * (1 + pick(100))), chance(0.5));
    else b.ext_fragment(static_cast<std::uint16_t>(8 * (1 + pick(100))), chance(0.5));
    text += " later-fragment";
  }
  bool truncated = !later_fragment && chance(0.05);
  double pr = std::uniform_real_distribution<double>(0, 1)(rng_);
  std::uint16_t sport = any(kPorts), dport = any(kPorts);
  if (pr < 0.35) {
    std::uint8_t flags = any(std::vector<std::uint8_t>{kSyn, kSyn | kAck, kAck, kRst | kAck, kFin | kAck,
                                                       kPsh | kAck, kSyn | kEce | kCwr});
    b.tcp(sport, dport, flags);
    f.protocol = 6;
    f.sport = sport;
    f.dport = dport;
    f.tcp_flags = flags;
    text += " tcp " + std::to_string(sport) + ">" + std::to_string(dport) + " flags " + std::to_string(flags);
  } else if (pr < 0.7) {
    b.udp(sport, dport);
    f.protocol = 17;
    f.sport = sport;
    f.dport = dport;
    text += " udp " + std::to_string(sport) + ">" + std::to_string(dport);
  } else if (pr < 0.9) {
    static const std::vector<std::uint8_t> kT4{0, 8, 3, 11}, kT6{128, 129, 1, 3};
    std::uint8_t type = any(family == 4 ? kT4 : kT6), code = static_cast<std::uint8_t>(pick(5));
    bool error = !(type == 0 || type == 8 || type >= 128);
    if (family == 4)
      b.icmp(type, code);
    else
      b.icmpv6(type, code);
    f.protocol = family == 4 ? 1 : 58;
    f.icmp_type = type;
    f.icmp_code = code;
    text += " icmp " + std::to_string(type) + "/" + std::to_string(code);
    if (error) {
      std::string is = address_in(family, true), id = address_in(family, false);
      std::uint8_t ip = chance(0.5) ? kProtoTcp : kProtoUdp;
      std::uint16_t isp = any(kPorts), idp = any(kPorts);
      b.payload(family == 4 ? quote4(is.c_str(), id.c_str(), ip, isp, idp)
                            : quote6(is.c_str(), id.c_str(), ip, isp, idp));
      f.inner = guarder::PacketFacts::Inner{addr_bytes(family, is), addr_bytes(family, id), ip, isp, idp};
      text += " quoting " + is + " > " + id + " proto " + std::to_string(ip) + " " +
              std::to_string(isp) + ">" + std::to_string(idp);
    }
  } else {
    b.ip_proto(47);
    f.protocol = 47;
    text += " gre";
  }
  if (pr < 0.7 || pr >= 0.9 || !f.inner) b.payload(pick(120));
  if (later_fragment) {  // no L4 header: only the protocol is known
    f.sport.reset();
    f.dport.reset();
    f.tcp_flags.reset();
    f.icmp_type.reset();
    f.icmp_code.reset();
    f.inner.reset();
  }
  Layout lay = b.layout();
  if (truncated && pr < 0.9) {  // cut 2 bytes into the L4 header: malformed, no L4 fields
    b.truncate(lay.l4 + 2);
    f.malformed = true;
    f.sport.reset();
    f.dport.reset();
    f.tcp_flags.reset();
    f.icmp_type.reset();
    f.icmp_code.reset();
    f.inner.reset();
    text += " truncated";
  }
  out.frame = b.build();
  // Lengths as the IP header states them (the kernel reads the header, not the frame).
  std::size_t l3 = lay.l3;
  auto be16 = [&](std::size_t at) { return static_cast<std::uint16_t>(out.frame[at] << 8 | out.frame[at + 1]); };
  f.length = family == 4 ? be16(l3 + 2) : static_cast<std::uint16_t>(be16(l3 + 4) + 40);
  text += " len " + std::to_string(f.length) + " ttl " + std::to_string(f.ttl);
  out.text = text;
  return out;
}

}  // namespace pscope::testing::guard
