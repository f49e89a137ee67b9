// GuardService life cycle and rule changes (see guard_service.h). Reads, interfaces and the
// dry-run are in guard_service_read.cpp.
#include "daemon/guard_service.h"

#include <arpa/inet.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "store/audit_repo.h"
#include "store/guard_repo.h"
#include "api/guard_json.h"

namespace pscope::daemon {
namespace {

using api::GuardErrc;
using api::guard_fail;

// Audit details stay bounded however many rules a bulk change or an import touches.
nlohmann::json id_list(const std::vector<uint32_t>& ids) {
  constexpr size_t kMax = 1000;
  nlohmann::json a = nlohmann::json::array();
  for (size_t i = 0; i < ids.size() && i < kMax; ++i) a.push_back(ids[i]);
  return a;
}

}  // namespace

GuardService::GuardService(const Config& cfg, store::Database db, store::Database history_db, api::StreamHub& hub)
    : cfg_(cfg), hub_(hub), api_port_(cfg.listen_port), db_(std::move(db)), history_db_(std::move(history_db)) {
  // The API's own address is the listen address unless that is a wildcard (then unknown).
  guarder::Cidr c;
  if (inet_pton(AF_INET, cfg.listen_host.c_str(), c.addr.data()) == 1 && cfg.listen_host != "0.0.0.0") {
    c.family = 4;
    c.prefix = 32;
    local_addr_ = c;
  } else if (inet_pton(AF_INET6, cfg.listen_host.c_str(), c.addr.data()) == 1 && cfg.listen_host != "::") {
    c.family = 6;
    c.prefix = 128;
    local_addr_ = c;
  }
}

GuardService::~GuardService() { stop(); }

void GuardService::start() {
  std::lock_guard lk(mu_);
  // The stored rules are listed even when the kernel side cannot run.
  if (auto all = store::GuardRepo(db_).all()) rules_ = std::move(*all);
  else spdlog::error("guarder: cannot read the stored rules: {}", all.error().what);
  if (!cfg_.guard_enabled) {
    set_state_locked(ModuleState::kDisabled, "disabled by configuration (guard_enabled=false)");
    return;
  }
  set_state_locked(ModuleState::kStarting, "opening the pinned state in " + cfg_.guard_pin_dir);
  auto engine = guarder::Engine::open({cfg_.guard_pin_dir});
  if (!engine) {
    spdlog::error("guarder failed to start: {}", engine.error().what);
    set_state_locked(ModuleState::kFailed, engine.error().what);
    return;
  }
  engine_ = std::move(*engine);
  attach_configured_locked();
  reconcile_locked();
  if (!engine_) return;  // reconcile failed and said why
  set_state_locked(ModuleState::kRunning, "");
  spdlog::info("guarder: {}", running_detail_locked());
  log_stop_ = false;
  log_thread_ = std::thread([this, engine = engine_.get()] { log_loop(engine); });
  ticker_ = std::thread([this] {
    std::unique_lock tl(tick_mu_);
    while (!tick_cv_.wait_for(tl, std::chrono::seconds(1), [&] { return stopping_; })) {
      tl.unlock();
      tick();
      tl.lock();
    }
  });
}

void GuardService::stop() noexcept {
  {
    std::lock_guard tl(tick_mu_);
    stopping_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  stop_log_thread();
  std::lock_guard lk(mu_);
  if (state_ == ModuleState::kRunning) set_state_locked(ModuleState::kStopped, "stopped; the pinned rules keep enforcing");
}

void GuardService::stop_log_thread() {
  log_stop_ = true;
  if (log_thread_.joinable()) log_thread_.join();
}

ModuleStatus GuardService::status() const {
  std::lock_guard lk(mu_);
  if (state_ == ModuleState::kRunning) return {"guarder", state_, running_detail_locked()};
  return {"guarder", state_, detail_};
}

void GuardService::set_state_locked(ModuleState s, std::string detail) {
  state_ = s;
  detail_ = std::move(detail);
}

std::string GuardService::running_detail_locked() const {
  std::string where;
  for (const auto& a : engine_->attachments())
    where += (where.empty() ? "" : ", ") + a.ifname + " (" + std::string(guarder::to_string(a.mode)) + ")";
  size_t live = last_apply_ ? last_apply_->rules : 0;
  std::string rules = std::to_string(rules_.size()) + " rules stored, " + std::to_string(live) + " live";
  if (where.empty()) return "XDP attached to no interface (set guard_interfaces or `packetscope guard attach IF`); " + rules;
  return "XDP on " + where + "; " + rules;
}

api::GuardResult<void> GuardService::running_locked() const {
  if (engine_ && state_ == ModuleState::kRunning) return {};
  if (state_ == ModuleState::kDisabled) return guard_fail(GuardErrc::kUnavailable, "the Guarder is " + detail_);
  return guard_fail(GuardErrc::kUnavailable,
                    "the Guarder is not running (" + std::string(to_string(state_)) + "): " + detail_);
}

void GuardService::attach_configured_locked() {
  auto list = parse_guard_interfaces(cfg_.guard_interfaces);  // validated when loaded; kept for safety
  if (!list) return spdlog::error("guarder: {}", list.error().what);
  for (const auto& gi : *list) {
    std::optional<guarder::XdpMode> mode;
    if (gi.mode == "native") mode = guarder::XdpMode::kNative;
    if (gi.mode == "generic") mode = guarder::XdpMode::kGeneric;
    auto a = engine_->attach(gi.name, mode);
    if (!a) spdlog::error("guarder: cannot attach to {}: {}", gi.name, a.error().what);
    else spdlog::info("guarder: attached to {} ({})", a->ifname, guarder::to_string(a->mode));
  }
}

// Start-up: rules that expired while the daemon was down go first, then the stored set is
// applied whole. The live set normally equals it (pinned state); a difference is logged.
void GuardService::reconcile_locked() {
  expire_locked(clock::realtime_ns());
  int64_t now = clock::realtime_ns();
  std::set<uint32_t> want;
  for (const auto& r : rules_)
    if (r.enabled && (!r.expires_ns || *r.expires_ns > now)) want.insert(r.id);
  if (auto live = engine_->live_rule_ids()) {
    std::set<uint32_t> have(live->begin(), live->end());
    std::vector<uint32_t> missing, extra;
    std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(missing));
    std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(extra));
    if (!missing.empty() || !extra.empty())
      spdlog::warn("guarder: the kernel's live rules differed from the store: {} missing {}, {} extra {}; applying "
                   "the stored set",
                   missing.size(), id_list(missing).dump(), extra.size(), id_list(extra).dump());
  }
  auto rep = engine_->apply(rules_);
  if (!rep) {
    spdlog::error("guarder: the stored rules cannot be applied: {}", rep.error().what);
    set_state_locked(ModuleState::kFailed, "the stored rules cannot be applied: " + rep.error().what);
    engine_.reset();
    return;
  }
  last_apply_ = *rep;
  apply_pending_ = false;
}

void GuardService::audit_locked(const std::string& actor, const std::string& action, const std::string& object,
                                const nlohmann::json& detail) {
  store::AuditEntry e{clock::realtime_ns(), actor, action, object,
                      detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  if (auto r = store::AuditRepo(db_).append(e); !r)
    spdlog::error("guarder: audit entry for {} {} not written: {}", action, object, r.error().what);
}

api::GuardResult<void> GuardService::check_safety(const guarder::Rule& r, const api::GuardActor& who,
                                                  const std::string& prefix) const {
  if (who.force) return {};
  auto reasons = guarder::safety_check(r, {who.caller, api_port_.load(), local_addr_});
  if (reasons.empty()) return {};
  for (auto& f : reasons) f.field = prefix + f.field;
  // The message first: the fields are moved into the error (argument order is unspecified).
  std::string message = "the rule was refused for safety: " + reasons.front().message;
  return guard_fail(GuardErrc::kUnsafe, std::move(message), std::move(reasons));
}


// Expired rules already stopped matching in the kernel; deleting them is bookkeeping. When the
// apply fails the set is retried every tick (apply_pending_).
void GuardService::expire_locked(int64_t now_ns) {
  auto gone = store::GuardRepo(db_).take_expired(now_ns);
  if (!gone) return spdlog::error("guarder: expired rules not deleted: {}", gone.error().what);
  if (gone->empty()) return;
  std::set<uint32_t> ids;
  for (const auto& r : *gone) {
    ids.insert(r.id);
    audit_locked("system", "guard.rule.expired", std::to_string(r.id), {{"before", guarder::to_json(r)}, {"after", nullptr}});
  }
  std::erase_if(rules_, [&](const guarder::Rule& r) { return ids.count(r.id) > 0; });
  apply_pending_ = true;
  spdlog::info("guarder: {} expired rule(s) deleted", ids.size());
}

void GuardService::tick() {
  nlohmann::json frame;
  {
    std::lock_guard lk(mu_);
    if (!engine_ || state_ != ModuleState::kRunning) return;
    expire_locked(clock::realtime_ns());
    if (apply_pending_) {
      if (auto rep = engine_->apply(rules_)) {
        last_apply_ = *rep;
        apply_pending_ = false;
      } else {
        spdlog::warn("guarder: re-applying the rule set failed (retrying in 1 s): {}", rep.error().what);
      }
    }
    if (hub_.subscribers() == 0) return;
    auto c = engine_->counters();
    auto s = engine_->stats();
    if (!c || !s) return;
    frame = api::counters_json(*c, clock::realtime_ns());
    frame["stats"] = api::stats_json({*s, engine_->attachments(), last_apply_});
  }
  hub_.publish("guard.counters", frame);
}

// Drains the kernel's log ring into the in-memory ring of the last kLogRing samples. The engine
// outlives this thread: remove_all() and stop() join it before the engine goes away.
void GuardService::log_loop(guarder::Engine* engine) {
  bool warned = false;
  while (!log_stop_) {
    auto r = engine->poll_log(200, [this](const guarder::LogSample& s) {
      std::lock_guard lk(log_mu_);
      if (log_.size() == kLogRing) log_.pop_front();
      log_.push_back(s);
    });
    if (!r) {
      if (!warned) spdlog::warn("guarder: reading log samples failed: {}", r.error().what);
      warned = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

}  // namespace pscope::daemon
