// The Guarder inside the daemon (api::GuardFacade). It owns the kernel Engine, keeps the rule
// set in SQLite and in memory, and makes every change in one order under one mutex:
// validate -> safety -> store -> apply -> audit. When apply() fails the store change is rolled
// back (undone), so SQLite and the kernel never disagree. A 1 s timer deletes expired rules and publishes
// the guard.counters stream frame; a thread drains the kernel's log samples into a ring.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "api/guard_facade.h"
#include "api/stream_hub.h"
#include "core/config.h"
#include "core/module.h"
#include "guarder/engine.h"
#include "store/database.h"
#include "store/guard_repo.h"

namespace pscope::daemon {

class GuardService final : public api::GuardFacade {
 public:
  using UndoStep = std::function<Result<void>(store::GuardRepo&)>;
  static constexpr size_t kLogRing = 1000;         // log samples kept in memory
  static constexpr int64_t kDryRunCap = 100000;    // stored packets a dry-run examines at most
  static constexpr size_t kDryRunSamples = 20;     // samples per source in a dry-run answer

  // db: rule and audit writes (this service's own connection); history_db: dry-run reads of
  // the Tracer's stored packets. The safety check uses cfg.listen_port until set_api_port().
  GuardService(const Config& cfg, store::Database db, store::Database history_db, api::StreamHub& hub);
  ~GuardService() override;
  GuardService(const GuardService&) = delete;
  GuardService& operator=(const GuardService&) = delete;

  // Opens the engine (reusing pinned state), attaches guard_interfaces, applies the stored rules
  // and logs which live rule ids differed. A failure is logged and shown in status().
  void start();
  void set_api_port(uint16_t port) { api_port_ = port; }
  // Stops the timer and log threads. The pinned program keeps enforcing. Idempotent.
  void stop() noexcept;
  ModuleStatus status() const;

  api::GuardResult<std::vector<api::GuardRuleView>> list_rules(const api::GuardListQuery& q) const override;
  api::GuardResult<api::GuardRuleView> get_rule(uint32_t id) const override;
  api::GuardResult<api::GuardRuleView> add_rule(guarder::Rule r, const api::GuardActor& who) override;
  api::GuardResult<api::GuardRuleView> patch_rule(uint32_t id, const nlohmann::json& patch,
                                                  const api::GuardActor& who) override;
  api::GuardResult<void> delete_rule(uint32_t id, const api::GuardActor& who) override;
  api::GuardResult<size_t> bulk(api::BulkOp op, const std::vector<uint32_t>& ids, const api::GuardActor& who) override;
  api::GuardResult<api::ImportResult> import_rules(std::vector<guarder::Rule> rules, bool replace,
                                                   const api::GuardActor& who) override;
  api::GuardResult<api::DryRunResult> dry_run(const guarder::Rule& r, int minutes) const override;
  api::GuardResult<api::GuardStatsView> stats() const override;
  api::GuardResult<std::unordered_map<uint32_t, guarder::RuleCounters>> counters() const override;
  api::GuardResult<std::vector<guarder::XdpFlow>> flows(size_t limit) const override;
  api::GuardResult<std::vector<guarder::LogSample>> log_samples(size_t limit) const override;
  api::GuardResult<std::vector<store::AuditEntry>> audit(int64_t limit, std::optional<int64_t> before_id) const override;
  api::GuardResult<std::vector<guarder::Attachment>> interfaces() const override;
  api::GuardResult<guarder::Attachment> attach(const std::string& ifname, std::optional<guarder::XdpMode> mode,
                                               const api::GuardActor& who) override;
  api::GuardResult<void> detach(const std::string& ifname, const api::GuardActor& who) override;
  api::GuardResult<void> remove_all(const api::GuardActor& who) override;
  std::string ifname_of(uint32_t ifindex) const override;

 private:
  // Everything below with a _locked suffix, and every member marked (mu_), needs mu_ held.
  api::GuardResult<void> running_locked() const;
  // Runs change(repo, undo) (store writes, each recording its undo step; yields the next rule
  // set), then applies the set; a failed write or a refused apply undoes the store writes.
  template <class Change>
  api::GuardResult<void> change_locked(Change&& change);
  void undo_locked(store::GuardRepo& repo, std::vector<UndoStep>& undo);
  api::GuardResult<void> check_safety(const guarder::Rule& r, const api::GuardActor& who, const std::string& prefix) const;
  void audit_locked(const std::string& actor, const std::string& action, const std::string& object,
                    const nlohmann::json& detail);
  std::unordered_map<uint32_t, guarder::RuleCounters> counters_locked() const;
  api::GuardRuleView view_locked(const guarder::Rule& r) const;
  void attach_configured_locked();
  void reconcile_locked();
  void expire_locked(int64_t now_ns);
  void tick();
  void log_loop(guarder::Engine* engine);  // the engine outlives the thread
  void stop_log_thread();
  void set_state_locked(ModuleState s, std::string detail);
  std::string running_detail_locked() const;
  // Dry-run halves: the Tracer's stored packets and the XDP flow table.
  void dry_run_packets(const guarder::Rule& r, int64_t since_ns, api::DryRunResult& out) const;
  void dry_run_flows(const guarder::Rule& r, int64_t since_ns, api::DryRunResult& out) const;

  const Config& cfg_;
  api::StreamHub& hub_;
  std::atomic<uint16_t> api_port_{0};
  std::optional<guarder::Cidr> local_addr_;  // the API's listen address, when not a wildcard

  mutable std::mutex mu_;
  mutable store::Database db_;                    // (mu_)
  std::unique_ptr<guarder::Engine> engine_;       // (mu_) null when disabled, failed or removed
  std::vector<guarder::Rule> rules_;              // (mu_) the stored set, evaluation order
  std::optional<guarder::ApplyReport> last_apply_;  // (mu_)
  bool apply_pending_ = false;                    // (mu_) expired rules removed but not yet re-applied
  ModuleState state_ = ModuleState::kStopped;     // (mu_)
  std::string detail_;                            // (mu_)

  mutable std::mutex history_mu_;
  mutable store::Database history_db_;

  mutable std::mutex log_mu_;
  std::deque<guarder::LogSample> log_;            // (log_mu_) newest at the back

  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stopping_ = false;                         // (tick_mu_)
  std::atomic<bool> log_stop_{false};
  std::thread ticker_;
  std::thread log_thread_;
};

}  // namespace pscope::daemon
