// The lock-out guard: refuses drop/rate-limit rules that would cut off all traffic or the API
// caller's own connection (docs/guarder.md "Safety"); the caller may insist with "force".
#include <algorithm>

#include <fmt/format.h>

#include "guarder/rule.h"

namespace pscope::guarder {
namespace {

constexpr uint8_t kTcp = 6;
constexpr uint16_t kFirstEphemeral = 1024;  // Linux never picks a local port below this

bool narrows(const std::optional<Cidr>& c) { return c && c->prefix > 0; }

// A field narrows the rule when some packet of the rule's family could fail it.
bool narrows(const Match& m) {
  return narrows(m.src) || narrows(m.dst) || m.protocol || m.sport || m.dport || m.tcp_mask ||
         m.icmp_type || m.icmp_code || m.inner || (m.ttl && !(m.ttl->lo == 0 && m.ttl->hi == 255)) ||
         (m.length && !(m.length->lo == 0 && m.length->hi == 65535)) || m.iface || m.vlan ||
         m.malformed;
}

// ::ffff:a.b.c.d as a.b.c.d/32: a dual-stack socket reports IPv4 peers that way, while the
// kernel sees (and rules name) plain IPv4.
Cidr unmap(Cidr c) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (c.family != 6 || c.prefix < 96 || !std::equal(kMapped, kMapped + 12, c.addr.begin())) return c;
  Cidr v4;
  v4.family = 4;
  v4.prefix = static_cast<uint8_t>(c.prefix - 96);
  std::copy(c.addr.begin() + 12, c.addr.end(), v4.addr.begin());
  return v4;
}

struct Hit {
  bool yes = false;
  std::string field = "match";
};

// Could the rule match a packet of the API connection going one way? inbound: caller -> local.
Hit may_match_connection(const Match& m, const Cidr& caller, const std::optional<Cidr>& local,
                         uint16_t api_port, bool inbound) {
  Hit no;
  if (m.malformed || m.icmp_type || m.inner) return no;
  if (m.family && *m.family != caller.family) return no;
  if (m.protocol && *m.protocol != kTcp) return no;
  const auto& caller_side = inbound ? m.src : m.dst;
  const auto& local_side = inbound ? m.dst : m.src;
  const char* caller_field = inbound ? "match.src" : "match.dst";
  const char* local_field = inbound ? "match.dst" : "match.src";
  bool caller_hit = caller_side && caller_side->contains(caller);
  if (caller_side && !caller_hit) return no;
  bool local_hit = false;
  if (local_side && local) {
    if (!local_side->contains(*local)) return no;
    local_hit = true;
  }
  // An address we cannot check (the local one, when unknown) may hold anything, but a rule
  // whose only addresses are unknowable is about other hosts, not this connection.
  if (!caller_hit && !local_hit && (m.src || m.dst)) return no;
  const auto& api_ports = inbound ? m.dport : m.sport;
  const auto& peer_ports = inbound ? m.sport : m.dport;
  if (api_ports && api_port && !api_ports->contains(api_port)) return no;
  if (peer_ports && peer_ports->hi < kFirstEphemeral) return no;
  return Hit{true, caller_hit ? caller_field : local_hit ? local_field : "match"};
}

}  // namespace

std::vector<FieldError> safety_check(const Rule& r, const SafetyContext& ctx) {
  if (r.shadow || !r.enabled || (r.action != Action::kDrop && r.action != Action::kRateLimit))
    return {};
  const char* verb = r.action == Action::kDrop ? "drop" : "rate-limit";
  if (!narrows(r.match)) {
    std::string scope = r.match.family ? fmt::format("every IPv{} packet", *r.match.family)
                                       : std::string("every packet");
    return {{"match", fmt::format("this {} rule matches {} and would cut this host off; narrow "
                                  "the match, or add \"force\": true to insist",
                                  verb, scope)}};
  }
  if (!ctx.caller) return {};
  Cidr caller = unmap(*ctx.caller);
  std::optional<Cidr> local;
  if (ctx.local) local = unmap(*ctx.local);
  for (bool inbound : {true, false}) {
    Hit h = may_match_connection(r.match, caller, local, ctx.api_port, inbound);
    if (!h.yes) continue;
    std::string addr = caller.str();
    addr = addr.substr(0, addr.find('/'));
    std::string port = ctx.api_port ? fmt::format("TCP port {}", ctx.api_port) : "the API port";
    return {{h.field, fmt::format("this {} rule would match your own connection to the API (from "
                                  "{} to {}); narrow the rule, or add \"force\": true to insist",
                                  verb, addr, port)}};
  }
  return {};
}

}  // namespace pscope::guarder
