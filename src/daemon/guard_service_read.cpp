// GuardService reads, interface changes and the dry-run (see guard_service.h).
#include <arpa/inet.h>
#include <net/if.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/guard_json.h"
#include "core/clock.h"
#include "daemon/guard_service.h"
#include "guarder/matcher.h"
#include "store/audit_repo.h"
#include "store/path_repo.h"

namespace pscope::daemon {
namespace {

using api::GuardErrc;
using api::guard_fail;

constexpr size_t kFlowTableSize = 65536;  // PS_GUARD_MAX_FLOWS: the whole XDP flow table

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The text `q` searches: the comment and every address the rule names.
std::string search_text(const guarder::Rule& r) {
  std::string t = r.comment;
  const auto& m = r.match;
  for (const auto* c : {&m.src, &m.dst}) if (*c) t += " " + (*c)->str();
  if (m.inner)
    for (const auto* c : {&m.inner->src, &m.inner->dst}) if (*c) t += " " + (*c)->str();
  return lower(t);
}

// What an XDP flow tells about its packets. The table keeps no TTL, length, VLAN, inner
// header or malformed flag, and its TCP flags are those of the whole flow, OR-ed together.
std::optional<guarder::PacketFacts> flow_facts(const guarder::XdpFlow& f) {
  guarder::PacketFacts p;
  p.family = f.family;
  int af = f.family == 6 ? AF_INET6 : AF_INET;
  if (inet_pton(af, f.src.c_str(), p.saddr.data()) != 1 || inet_pton(af, f.dst.c_str(), p.daddr.data()) != 1)
    return std::nullopt;
  p.protocol = f.protocol;
  p.ifindex = f.ifindex;
  if (f.protocol == IPPROTO_TCP || f.protocol == IPPROTO_UDP || f.protocol == IPPROTO_SCTP) {
    p.sport = f.sport;
    p.dport = f.dport;
  }
  if (f.protocol == IPPROTO_TCP) p.tcp_flags = f.tcp_flags;
  if (f.protocol == IPPROTO_ICMP || f.protocol == IPPROTO_ICMPV6) {
    p.icmp_type = static_cast<uint8_t>(f.sport >> 8);
    p.icmp_code = static_cast<uint8_t>(f.sport & 0xff);
  }
  return p;
}

bool flows_can_answer(const guarder::Match& m) {
  return !m.ttl && !m.length && !m.vlan && !m.inner && !m.malformed;
}

std::string path_summary(const store::PathRow& r) {
  bool ports = r.protocol == "tcp" || r.protocol == "udp" || r.protocol == "sctp";
  auto ep = [&](const std::string& a, int64_t port) {
    if (!ports) return a;
    return a.find(':') != std::string::npos ? fmt::format("[{}]:{}", a, port) : fmt::format("{}:{}", a, port);
  };
  return fmt::format("{} {} > {} len {} ({}{})", r.protocol, ep(r.src, r.sport), ep(r.dst, r.dport), r.length,
                     r.direction, r.dropped ? ", dropped" : "");
}

}  // namespace

std::unordered_map<uint32_t, guarder::RuleCounters> GuardService::counters_locked() const {
  if (!engine_) return {};
  auto c = engine_->counters();
  if (!c) return {};
  return std::move(*c);
}

api::GuardRuleView GuardService::view_locked(const guarder::Rule& r) const {
  auto c = counters_locked();
  auto it = c.find(r.id);
  return {r, it == c.end() ? guarder::RuleCounters{} : it->second};
}

api::GuardResult<std::vector<api::GuardRuleView>> GuardService::list_rules(const api::GuardListQuery& q) const {
  std::lock_guard lk(mu_);
  auto counters = counters_locked();
  std::string text = lower(q.text);
  std::vector<api::GuardRuleView> out;
  for (const auto& r : rules_) {
    if (q.origin && r.origin != *q.origin) continue;
    if (q.enabled && r.enabled != *q.enabled) continue;
    if (!text.empty() && search_text(r).find(text) == std::string::npos) continue;
    auto it = counters.find(r.id);
    out.push_back({r, it == counters.end() ? guarder::RuleCounters{} : it->second});
  }
  return out;
}

api::GuardResult<api::GuardRuleView> GuardService::get_rule(uint32_t id) const {
  std::lock_guard lk(mu_);
  for (const auto& r : rules_)
    if (r.id == id) return view_locked(r);
  return guard_fail(GuardErrc::kNotFound, "no guard rule " + std::to_string(id));
}

api::GuardResult<api::GuardStatsView> GuardService::stats() const {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  auto s = engine_->stats();
  if (!s) return guard_fail(GuardErrc::kInternal, "reading the Guarder's counters failed: " + s.error().what);
  return api::GuardStatsView{*s, engine_->attachments(), last_apply_};
}

api::GuardResult<std::unordered_map<uint32_t, guarder::RuleCounters>> GuardService::counters() const {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  auto c = engine_->counters();
  if (!c) return guard_fail(GuardErrc::kInternal, "reading the rule counters failed: " + c.error().what);
  return std::move(*c);
}

api::GuardResult<std::vector<guarder::XdpFlow>> GuardService::flows(size_t limit) const {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  auto f = engine_->flows(limit);
  if (!f) return guard_fail(GuardErrc::kInternal, "reading the XDP flow table failed: " + f.error().what);
  return std::move(*f);
}

api::GuardResult<std::vector<guarder::LogSample>> GuardService::log_samples(size_t limit) const {
  std::lock_guard lk(log_mu_);
  std::vector<guarder::LogSample> out;
  for (auto it = log_.rbegin(); it != log_.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

// The audit log holds other modules' entries too; pages are read until `limit` Guarder entries
// are found or the log ends (bounded, so a log of foreign entries cannot stall the request).
api::GuardResult<std::vector<store::AuditEntry>> GuardService::audit(int64_t limit, std::optional<int64_t> before_id) const {
  std::lock_guard lk(mu_);
  std::vector<store::AuditEntry> out;
  store::AuditRepo repo(db_);
  for (int page = 0; page < 50 && static_cast<int64_t>(out.size()) < limit; ++page) {
    auto rows = repo.recent(1000, before_id);
    if (!rows) return guard_fail(GuardErrc::kInternal, "reading the audit log failed: " + rows.error().what);
    for (auto& e : *rows)
      if (e.action.rfind("guard.", 0) == 0 && static_cast<int64_t>(out.size()) < limit) out.push_back(std::move(e));
    if (rows->size() < 1000) break;
    before_id = rows->back().id;
  }
  return out;
}

api::GuardResult<std::vector<guarder::Attachment>> GuardService::interfaces() const {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  return engine_->attachments();
}

api::GuardResult<guarder::Attachment> GuardService::attach(const std::string& ifname, std::optional<guarder::XdpMode> mode,
                                                           const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  if (if_nametoindex(ifname.c_str()) == 0) return guard_fail(GuardErrc::kNotFound, "no interface '" + ifname + "' here");
  auto a = engine_->attach(ifname, mode);
  if (!a) return guard_fail(GuardErrc::kAttachFailed, a.error().what);
  audit_locked(who.name, "guard.interface.attach", ifname,
               {{"ifindex", a->ifindex}, {"mode", std::string(guarder::to_string(a->mode))},
                {"requested", mode ? std::string(guarder::to_string(*mode)) : "auto"}});
  return *a;
}

api::GuardResult<void> GuardService::detach(const std::string& ifname, const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  auto att = engine_->attachments();
  if (std::none_of(att.begin(), att.end(), [&](const guarder::Attachment& a) { return a.ifname == ifname; }))
    return guard_fail(GuardErrc::kNotFound, "the Guarder is not attached to '" + ifname + "'");
  if (auto r = engine_->detach(ifname); !r) return guard_fail(GuardErrc::kAttachFailed, r.error().what);
  audit_locked(who.name, "guard.interface.detach", ifname, nlohmann::json::object());
  return {};
}

// The engine goes first (its threads and fds), then the pinned state. The daemon does not load
// the Guarder again before it restarts: detaching everywhere was asked for explicitly.
api::GuardResult<void> GuardService::remove_all(const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  nlohmann::json was = nlohmann::json::array();
  if (engine_)
    for (const auto& a : engine_->attachments()) was.push_back(api::to_json(a));
  stop_log_thread();
  engine_.reset();
  auto r = guarder::Engine::remove_all({cfg_.guard_pin_dir});
  audit_locked(who.name, "guard.interface.detach", "*", {{"remove_all", true}, {"attachments", was}, {"ok", r.has_value()}});
  if (!r) {
    set_state_locked(ModuleState::kFailed, "removing the pinned state failed: " + r.error().what);
    return guard_fail(GuardErrc::kAttachFailed, r.error().what);
  }
  set_state_locked(ModuleState::kStopped,
                   "removed by `packetscope guard detach` (no XDP program, no pinned state); restart the daemon to "
                   "load the Guarder and its stored rules again");
  spdlog::info("guarder: detached everywhere and removed {}", cfg_.guard_pin_dir);
  return {};
}

std::string GuardService::ifname_of(uint32_t ifindex) const {
  char buf[IF_NAMESIZE] = {};
  return ifindex && if_indextoname(ifindex, buf) ? std::string(buf) : std::string();
}

api::GuardResult<api::DryRunResult> GuardService::dry_run(const guarder::Rule& r, int minutes) const {
  api::DryRunResult out;
  out.cap = kDryRunCap;
  int64_t since = clock::realtime_ns() - static_cast<int64_t>(minutes) * 60'000'000'000LL;
  dry_run_packets(r, since, out);
  dry_run_flows(r, since, out);
  if (out.truncated)
    out.notes.push_back("only the newest " + std::to_string(kDryRunCap) + " stored packets were examined");
  return out;
}

void GuardService::dry_run_packets(const guarder::Rule& r, int64_t since_ns, api::DryRunResult& out) const {
  std::lock_guard lk(history_mu_);
  auto n = store::PathRepo(history_db_).for_each_since(since_ns, kDryRunCap, [&](const store::PathRow& row) {
    auto detail = nlohmann::json::parse(row.detail, nullptr, false);
    if (detail.is_discarded()) return true;
    auto facts = guarder::facts_from_path_detail(detail);
    if (!facts) return true;  // not IP: no rule can match it
    ++out.examined_packets;
    if (!guarder::matches(r.match, *facts)) return true;
    ++out.matched_packets;
    if (out.samples.size() < kDryRunSamples) out.samples.push_back({"tracer", row.ts_ns, path_summary(row)});
    return true;
  });
  if (!n) out.notes.push_back("the Tracer's stored packets could not be read: " + n.error().what);
  else if (*n >= kDryRunCap) out.truncated = true;
  if (n && *n == 0) out.notes.push_back("the Tracer stored no packets in that window (is tracer_paths on?)");
}

void GuardService::dry_run_flows(const guarder::Rule& r, int64_t since_ns, api::DryRunResult& out) const {
  if (!flows_can_answer(r.match)) {
    out.notes.push_back("the XDP flow table was not examined: it keeps no TTL, length, VLAN, inner header or "
                        "malformed flag, which this rule tests");
    return;
  }
  std::vector<guarder::XdpFlow> flows;
  {
    std::lock_guard lk(mu_);
    if (!engine_ || state_ != ModuleState::kRunning) {
      out.notes.push_back("the XDP flow table was not examined: the Guarder is not running");
      return;
    }
    auto f = engine_->flows(kFlowTableSize);
    if (!f) {
      out.notes.push_back("the XDP flow table could not be read: " + f.error().what);
      return;
    }
    flows = std::move(*f);
  }
  if (r.match.tcp_flags) out.notes.push_back("XDP flows are matched on the TCP flags seen over the whole flow");
  size_t xdp_samples = 0;
  for (const auto& f : flows) {
    if (f.last_ns < since_ns) continue;
    auto facts = flow_facts(f);
    if (!facts) continue;
    ++out.examined_flows;
    if (!guarder::matches(r.match, *facts)) continue;
    ++out.matched_flows;
    if (xdp_samples++ < kDryRunSamples) out.samples.push_back({"xdp", f.last_ns, api::flow_summary(f, ifname_of(f.ifindex))});
  }
}

}  // namespace pscope::daemon
