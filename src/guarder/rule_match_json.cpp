// The "match" object of a rule: field parsing plus the cross-field rules (families agree,
// ports only with tcp/udp/sctp, flags only with tcp, ICMP fields only with icmp/icmpv6).
#include <net/if.h>

#include <fmt/format.h>

#include "guarder/rule_json_util.h"

namespace pscope::guarder::detail {
namespace {

constexpr uint8_t kTcp = 6, kUdp = 17, kSctp = 132, kIcmp = 1, kIcmp6 = 58;

bool has_ports(uint8_t p) { return p == kTcp || p == kUdp || p == kSctp; }
bool is_icmp(uint8_t p) { return p == kIcmp || p == kIcmp6; }

const nlohmann::json* field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;  // null means "not set"
  return &*it;
}

// Ports need a protocol that has them; `proto_path` names the field to fix.
void check_ports(const std::optional<uint8_t>& proto, bool any_port, const std::string& path,
                 const std::string& proto_path, Errors& e) {
  if (any_port && !(proto && has_ports(*proto)))
    e.add(path, fmt::format("ports need {} tcp, udp or sctp", proto_path));
}

InnerMatch parse_inner(const nlohmann::json& j, Errors& e) {
  InnerMatch in;
  const std::string p = "match.inner";
  if (!j.is_object()) {
    e.add(p, "must be an object with src, dst, protocol, sport, dport");
    return in;
  }
  refuse_unknown(j, p, {"src", "dst", "protocol", "sport", "dport"}, e);
  if (auto* v = field(j, "src")) in.src = read_cidr(*v, p + ".src", e);
  if (auto* v = field(j, "dst")) in.dst = read_cidr(*v, p + ".dst", e);
  if (auto* v = field(j, "protocol")) in.protocol = read_protocol(*v, p + ".protocol", e);
  if (auto* v = field(j, "sport")) in.sport = read_range16(*v, p + ".sport", 65535, e);
  if (auto* v = field(j, "dport")) in.dport = read_range16(*v, p + ".dport", 65535, e);
  if (in.src && in.dst && in.src->family != in.dst->family)
    e.add(p + ".dst", "must be the same family as match.inner.src");
  if (in.sport) check_ports(in.protocol, true, p + ".sport", "match.inner.protocol", e);
  if (in.dport) check_ports(in.protocol, true, p + ".dport", "match.inner.protocol", e);
  bool any = false;
  for (const auto& [k, v] : j.items()) any = any || !v.is_null();
  if (!any)
    e.add(p, "names no field; give at least one of src, dst, protocol, sport, dport");
  return in;
}

void parse_icmp(const nlohmann::json& j, Match& m, Errors& e) {
  if (!j.is_object() || !j.contains("type")) {
    e.add("match.icmp", "must be {\"type\": 0-255, \"code\": 0-255} (code may be left out)");
    return;
  }
  refuse_unknown(j, "match.icmp", {"type", "code"}, e);
  if (auto t = read_int(j["type"], "match.icmp.type", 0, 255, e)) m.icmp_type = *t;
  if (auto* c = field(j, "code"))
    if (auto v = read_int(*c, "match.icmp.code", 0, 255, e)) m.icmp_code = *v;
}

void parse_fields(const nlohmann::json& j, bool stored, Match& m, Errors& e) {
  if (auto* v = field(j, "src")) m.src = read_cidr(*v, "match.src", e);
  if (auto* v = field(j, "dst")) m.dst = read_cidr(*v, "match.dst", e);
  if (auto* v = field(j, "family")) {
    if (v->is_string() && (*v == "ipv4" || *v == "ipv6"))
      m.family = *v == "ipv4" ? 4 : 6;
    else
      e.add("match.family", "must be \"ipv4\" or \"ipv6\"");
  }
  if (auto* v = field(j, "protocol")) m.protocol = read_protocol(*v, "match.protocol", e);
  if (auto* v = field(j, "sport")) m.sport = read_range16(*v, "match.sport", 65535, e);
  if (auto* v = field(j, "dport")) m.dport = read_range16(*v, "match.dport", 65535, e);
  if (auto* v = field(j, "tcp_flags")) {
    if (auto f = read_tcp_flags(*v, "match.tcp_flags", e)) {
      m.tcp_flags = f->first;
      m.tcp_mask = f->second;
    }
  }
  if (auto* v = field(j, "icmp")) parse_icmp(*v, m, e);
  if (auto* v = field(j, "inner")) m.inner = parse_inner(*v, e);
  if (auto* v = field(j, "ttl")) {
    if (auto r = read_range16(*v, "match.ttl", 255, e))
      m.ttl = Range<uint8_t>{static_cast<uint8_t>(r->lo), static_cast<uint8_t>(r->hi)};
  }
  if (auto* v = field(j, "length")) m.length = read_range16(*v, "match.length", 65535, e);
  if (auto* v = field(j, "iface")) {
    if (auto s = read_string(*v, "match.iface", IFNAMSIZ - 1, e)) {
      if (s->empty() || s->find('\0') != std::string::npos ||
          (!stored && if_nametoindex(s->c_str()) == 0))
        e.add("match.iface", fmt::format("no interface named \"{}\" exists on this host; give "
                                         "the name of an existing interface (ip link)", *s));
      else
        m.iface = *s;
    }
  }
  if (auto* v = field(j, "vlan"))
    if (auto n = read_int(*v, "match.vlan", 0, 4095, e)) m.vlan = static_cast<uint16_t>(*n);
  if (auto* v = field(j, "malformed"))
    if (auto b = read_bool(*v, "match.malformed", e)) m.malformed = *b;
}

const char* fam_name(uint8_t f) { return f == 4 ? "IPv4" : "IPv6"; }

// Every address (outer and inner) must agree with one family; the first one sets it when
// match.family is absent.
void check_families(Match& m, Errors& e) {
  struct Addr {
    const std::optional<Cidr>* c;
    const char* path;
  };
  std::vector<Addr> addrs = {{&m.src, "match.src"}, {&m.dst, "match.dst"}};
  if (m.inner) {
    addrs.push_back({&m.inner->src, "match.inner.src"});
    addrs.push_back({&m.inner->dst, "match.inner.dst"});
  }
  std::optional<uint8_t> fam = m.family;
  std::string fam_from = "match.family";
  for (const auto& a : addrs) {
    if (!*a.c) continue;
    uint8_t f = (*a.c)->family;
    if (!fam) {
      fam = f;
      fam_from = a.path;
    } else if (*fam != f) {
      e.add(a.path, fmt::format("is an {} address but {} is {}; addresses and family must agree",
                                fam_name(f), fam_from, fam_name(*fam)));
    }
  }
  if (fam && m.protocol && *m.protocol == kIcmp && *fam == 6)
    e.add("match.protocol", "icmp is ICMP for IPv4; use icmpv6 for IPv6 rules");
  if (fam && m.protocol && *m.protocol == kIcmp6 && *fam == 4)
    e.add("match.protocol", "icmpv6 is for IPv6; use icmp for IPv4 rules");
  m.family = fam;
}

void check_protocol_needs(const Match& m, Errors& e) {
  if (m.sport) check_ports(m.protocol, true, "match.sport", "match.protocol", e);
  if (m.dport) check_ports(m.protocol, true, "match.dport", "match.protocol", e);
  if (m.tcp_mask && m.protocol != kTcp) e.add("match.tcp_flags", "needs match.protocol tcp");
  if (m.icmp_type && !(m.protocol && is_icmp(*m.protocol)))
    e.add("match.icmp", "needs match.protocol icmp or icmpv6");
  if (m.inner && !(m.protocol && is_icmp(*m.protocol)))
    e.add("match.inner", "needs match.protocol icmp or icmpv6 (it matches the header quoted in "
                         "an ICMP error)");
}

}  // namespace

Match parse_match(const nlohmann::json& j, bool stored, Errors& e) {
  Match m;
  if (!j.is_object()) {
    e.add("match", "must be an object (see docs/guarder.md, Rule JSON)");
    return m;
  }
  refuse_unknown(j, "match",
                 {"src", "dst", "family", "protocol", "sport", "dport", "tcp_flags", "icmp",
                  "inner", "ttl", "length", "iface", "vlan", "malformed"},
                 e);
  parse_fields(j, stored, m, e);
  check_families(m, e);
  check_protocol_needs(m, e);
  return m;
}

nlohmann::json match_json(const Match& m) {
  nlohmann::json j = nlohmann::json::object();
  if (m.src) j["src"] = m.src->str();
  if (m.dst) j["dst"] = m.dst->str();
  if (m.family) j["family"] = *m.family == 4 ? "ipv4" : "ipv6";
  if (m.protocol) j["protocol"] = protocol_json(*m.protocol);
  if (m.sport) j["sport"] = range_json(m.sport->lo, m.sport->hi);
  if (m.dport) j["dport"] = range_json(m.dport->lo, m.dport->hi);
  if (m.tcp_flags && m.tcp_mask) j["tcp_flags"] = tcp_flags_text(*m.tcp_flags, *m.tcp_mask);
  if (m.icmp_type) {
    j["icmp"] = {{"type", *m.icmp_type}};
    if (m.icmp_code) j["icmp"]["code"] = *m.icmp_code;
  }
  if (m.inner) {
    nlohmann::json in = nlohmann::json::object();
    if (m.inner->src) in["src"] = m.inner->src->str();
    if (m.inner->dst) in["dst"] = m.inner->dst->str();
    if (m.inner->protocol) in["protocol"] = protocol_json(*m.inner->protocol);
    if (m.inner->sport) in["sport"] = range_json(m.inner->sport->lo, m.inner->sport->hi);
    if (m.inner->dport) in["dport"] = range_json(m.inner->dport->lo, m.inner->dport->hi);
    j["inner"] = in;
  }
  if (m.ttl) j["ttl"] = range_json(m.ttl->lo, m.ttl->hi);
  if (m.length) j["length"] = range_json(m.length->lo, m.length->hi);
  if (m.iface) j["iface"] = *m.iface;
  if (m.vlan) j["vlan"] = *m.vlan;
  if (m.malformed) j["malformed"] = true;
  return j;
}

}  // namespace pscope::guarder::detail
