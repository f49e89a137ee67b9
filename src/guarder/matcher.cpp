// The reference matcher: docs/guarder.md "Semantics" in plain C++. The XDP program
// (bpf/guard_match.bpf.h, bpf/guard.bpf.c) must give the same verdicts on the same facts.
#include "guarder/matcher.h"

#include <net/if.h>

#include <algorithm>
#include <numeric>

namespace pscope::guarder {
namespace {

constexpr uint8_t kIcmp = 1, kIcmp6 = 58;

template <class T>
bool in(const std::optional<Range<T>>& r, const std::optional<T>& v) {
  return !r || (v && r->contains(*v));
}

bool prefix_ok(const std::optional<Cidr>& c, uint8_t family, const std::array<uint8_t, 16>& a) {
  return !c || c->contains(family, a);
}

bool l4_ok(const Match& m, const PacketFacts& p) {
  if (!in(m.sport, p.sport) || !in(m.dport, p.dport)) return false;
  if (m.tcp_mask && (!p.tcp_flags || (*p.tcp_flags & *m.tcp_mask) != m.tcp_flags.value_or(0)))
    return false;
  if (m.icmp_type || m.icmp_code) {
    // The packet's family decides which ICMP it is: type 128 on IPv6 is ICMPv6 echo request.
    bool icmp = (p.family == 4 && p.protocol == kIcmp) || (p.family == 6 && p.protocol == kIcmp6);
    if (!icmp || !p.icmp_type) return false;
    if (m.icmp_type && *p.icmp_type != *m.icmp_type) return false;
    if (m.icmp_code && p.icmp_code != m.icmp_code) return false;
  }
  return true;
}

bool inner_ok(const InnerMatch& m, const PacketFacts& p) {
  if (!p.inner) return false;
  const auto& q = *p.inner;
  if (m.protocol && q.protocol != *m.protocol) return false;
  // The quoted header has the packet's own family.
  if (!prefix_ok(m.src, p.family, q.src) || !prefix_ok(m.dst, p.family, q.dst)) return false;
  return in(m.sport, q.sport) && in(m.dport, q.dport);
}

bool expired(const Rule& r, int64_t now_ns) { return r.expires_ns && now_ns > *r.expires_ns; }

}  // namespace

std::optional<uint32_t> system_ifindex(const std::string& name) {
  unsigned idx = if_nametoindex(name.c_str());
  if (idx == 0) return std::nullopt;
  return idx;
}

bool matches(const Match& m, const PacketFacts& p, IfindexOf ifindex_of) {
  if (p.family != 4 && p.family != 6) return false;
  if (m.malformed != p.malformed) return false;  // malformed rules see only malformed packets
  if (m.family && *m.family != p.family) return false;
  if ((m.src || m.dst || m.protocol || m.ttl || m.length) && !p.has_l3) return false;
  if (!prefix_ok(m.src, p.family, p.saddr) || !prefix_ok(m.dst, p.family, p.daddr)) return false;
  if (m.protocol && p.protocol != *m.protocol) return false;
  if (m.ttl && !m.ttl->contains(p.ttl)) return false;
  if (m.length && !m.length->contains(p.length)) return false;
  if (m.iface) {
    auto idx = ifindex_of ? ifindex_of(*m.iface) : std::nullopt;
    if (!idx || *idx != p.ifindex) return false;
  }
  if (m.vlan && p.vlan != m.vlan) return false;
  if (!l4_ok(m, p)) return false;
  if (m.inner && !inner_ok(*m.inner, p)) return false;
  return true;
}

Verdict evaluate(std::span<const Rule> rules, const PacketFacts& p, int64_t now_ns,
                 IfindexOf ifindex_of) {
  std::vector<size_t> order(rules.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::pair(rules[a].priority, rules[a].id) < std::pair(rules[b].priority, rules[b].id);
  });
  Verdict v;
  for (size_t i : order) {
    const Rule& r = rules[i];
    if (!r.enabled || expired(r, now_ns) || !matches(r.match, p, ifindex_of)) continue;
    bool terminal = r.action == Action::kDrop || r.action == Action::kPass;
    if (terminal && !r.shadow) {
      v.terminal = r.id;
      v.drop = r.action == Action::kDrop;
      break;
    }
    // log, rate-limit (within its rate) and shadow rules count the packet and go on.
    if (v.applied.size() < kMaxApplied) v.applied.push_back(r.id);
  }
  return v;
}

}  // namespace pscope::guarder
