// GuardService rule changes: add, patch, delete, bulk and import (see guard_service.h). Each
// runs under mu_: validate -> safety -> store -> apply -> audit.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "daemon/guard_service.h"
#include "store/guard_repo.h"

namespace pscope::daemon {
namespace {

using api::GuardErrc;
using api::guard_fail;

void sort_rules(std::vector<guarder::Rule>& v) {
  std::sort(v.begin(), v.end(), [](const guarder::Rule& a, const guarder::Rule& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.id < b.id;
  });
}

using NextSet = api::GuardResult<std::vector<guarder::Rule>>;  // what a change leaves stored

tl::unexpected<api::GuardError> storage(const Error& e) {
  return guard_fail(GuardErrc::kInternal, "rule storage failed: " + e.what);
}

nlohmann::json id_list(const std::vector<uint32_t>& ids) {
  constexpr size_t kMax = 1000;  // audit details stay bounded however many rules a change touches
  nlohmann::json a = nlohmann::json::array();
  for (size_t i = 0; i < ids.size() && i < kMax; ++i) a.push_back(ids[i]);
  return a;
}

}  // namespace

// GuardRepo commits each write on its own, so a change records how to undo every write it made;
// when a later write or the kernel's apply() fails, the undo steps run newest first and the
// store is back where the kernel still is.
template <class Change>
api::GuardResult<void> GuardService::change_locked(Change&& change) {
  store::GuardRepo repo(db_);
  std::vector<UndoStep> undo;
  api::GuardResult<std::vector<guarder::Rule>> next = change(repo, undo);
  if (!next) {
    undo_locked(repo, undo);
    return tl::unexpected(next.error());
  }
  sort_rules(*next);
  auto rep = engine_->apply(*next);
  if (!rep) {
    undo_locked(repo, undo);
    return guard_fail(GuardErrc::kApplyFailed, "the kernel refused the new rule set, nothing changed: " + rep.error().what);
  }
  rules_ = std::move(*next);
  last_apply_ = *rep;
  return {};
}

void GuardService::undo_locked(store::GuardRepo& repo, std::vector<UndoStep>& undo) {
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    if (auto r = (*it)(repo); !r) {
      spdlog::error("guarder: undoing a refused change in the store failed: {}", r.error().what);
      set_state_locked(ModuleState::kFailed, "the store and the kernel disagree after a refused change (" +
                                                 r.error().what + "); restart the daemon to reconcile");
      engine_.reset();
      return;
    }
  }
}

namespace {

GuardService::UndoStep undo_insert(uint32_t id) {
  return [id](store::GuardRepo& repo) -> Result<void> {
    auto r = repo.remove(id);
    if (!r) return tl::unexpected(r.error());
    return {};
  };
}

GuardService::UndoStep undo_update(guarder::Rule before) {
  return [before](store::GuardRepo& repo) -> Result<void> {
    auto r = repo.update(before, before.updated_ns);
    if (!r) return tl::unexpected(r.error());
    return {};
  };
}

// The rule comes back with its id (free again) and its history (import keeps both).
GuardService::UndoStep undo_remove(guarder::Rule before) {
  return [before](store::GuardRepo& repo) -> Result<void> {
    auto r = repo.import(std::span<const guarder::Rule>(&before, 1), false, before.updated_ns);
    if (!r) return tl::unexpected(r.error());
    return {};
  };
}

}  // namespace

api::GuardResult<api::GuardRuleView> GuardService::add_rule(guarder::Rule r, const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  if (auto s = check_safety(r, who, ""); !s) return tl::unexpected(s.error());
  if (rules_.size() >= cfg_.guard_max_rules)
    return guard_fail(GuardErrc::kLimit, "there are already " + std::to_string(rules_.size()) +
                                             " rules, the limit (guard_max_rules); delete some first");
  r.id = 0;
  if (r.created_by.empty()) r.created_by = who.name;
  guarder::Rule stored;
  auto done = change_locked([&](store::GuardRepo& repo, std::vector<UndoStep>& undo) -> NextSet {
    auto s = repo.insert(r, clock::realtime_ns());
    if (!s) return storage(s.error());
    undo.push_back(undo_insert(s->id));
    stored = *s;
    auto next = rules_;
    next.push_back(*s);
    return next;
  });
  if (!done) return tl::unexpected(done.error());
  audit_locked(who.name, "guard.rule.add", std::to_string(stored.id), {{"before", nullptr}, {"after", guarder::to_json(stored)}});
  return view_locked(stored);
}

api::GuardResult<api::GuardRuleView> GuardService::patch_rule(uint32_t id, const nlohmann::json& patch,
                                                              const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const guarder::Rule& r) { return r.id == id; });
  if (it == rules_.end()) return guard_fail(GuardErrc::kNotFound, "no guard rule " + std::to_string(id));
  guarder::Rule before = *it;
  auto parsed = guarder::apply_patch(before, patch, {clock::realtime_ns(), false});
  if (!parsed.errors.empty() || !parsed.rule)
    return guard_fail(GuardErrc::kBadRule, "the patched rule is not valid; see fields", std::move(parsed.errors));
  if (auto s = check_safety(*parsed.rule, who, ""); !s) return tl::unexpected(s.error());
  guarder::Rule stored;
  auto done = change_locked([&](store::GuardRepo& repo, std::vector<UndoStep>& undo) -> NextSet {
    auto s = repo.update(*parsed.rule, clock::realtime_ns());
    if (!s) return storage(s.error());
    undo.push_back(undo_update(before));
    stored = *s;
    auto next = rules_;
    for (auto& r : next)
      if (r.id == id) r = *s;
    return next;
  });
  if (!done) return tl::unexpected(done.error());
  audit_locked(who.name, "guard.rule.patch", std::to_string(id),
               {{"before", guarder::to_json(before)}, {"after", guarder::to_json(stored)}, {"patch", patch}});
  return view_locked(stored);
}

api::GuardResult<void> GuardService::delete_rule(uint32_t id, const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const guarder::Rule& r) { return r.id == id; });
  if (it == rules_.end()) return guard_fail(GuardErrc::kNotFound, "no guard rule " + std::to_string(id));
  guarder::Rule before = *it;
  auto done = change_locked([&](store::GuardRepo& repo, std::vector<UndoStep>& undo) -> NextSet {
    auto s = repo.remove(id);
    if (!s) return storage(s.error());
    undo.push_back(undo_remove(before));
    auto next = rules_;
    std::erase_if(next, [&](const guarder::Rule& r) { return r.id == id; });
    return next;
  });
  if (!done) return tl::unexpected(done.error());
  audit_locked(who.name, "guard.rule.del", std::to_string(id), {{"before", guarder::to_json(before)}, {"after", nullptr}});
  return {};
}

api::GuardResult<size_t> GuardService::bulk(api::BulkOp op, const std::vector<uint32_t>& ids, const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  std::set<uint32_t> want(ids.begin(), ids.end()), known;
  for (const auto& r : rules_)
    if (want.count(r.id)) known.insert(r.id);
  if (known.size() != want.size()) {
    std::vector<uint32_t> unknown;
    std::set_difference(want.begin(), want.end(), known.begin(), known.end(), std::back_inserter(unknown));
    return guard_fail(GuardErrc::kNotFound, "no guard rule(s) " + id_list(unknown).dump() + "; nothing was changed");
  }
  bool enable = op == api::BulkOp::kEnable;
  std::vector<uint32_t> changed;
  for (const auto& r : rules_) {
    if (!want.count(r.id)) continue;
    if (op == api::BulkOp::kDelete || r.enabled != enable) changed.push_back(r.id);
    if (enable && !r.enabled) {
      auto on = r;
      on.enabled = true;
      if (auto s = check_safety(on, who, "rule " + std::to_string(r.id) + "."); !s) return tl::unexpected(s.error());
    }
  }
  std::set<uint32_t> hit(changed.begin(), changed.end());
  auto done = change_locked([&](store::GuardRepo& repo, std::vector<UndoStep>& undo) -> NextSet {
    std::vector<guarder::Rule> next;
    int64_t now = clock::realtime_ns();
    for (const auto& r : rules_) {
      if (!hit.count(r.id)) {
        next.push_back(r);
      } else if (op == api::BulkOp::kDelete) {
        if (auto s = repo.remove(r.id); !s) return storage(s.error());
        undo.push_back(undo_remove(r));
      } else {
        auto u = r;
        u.enabled = enable;
        auto s = repo.update(u, now);
        if (!s) return storage(s.error());
        undo.push_back(undo_update(r));
        next.push_back(*s);
      }
    }
    return next;
  });
  if (!done) return tl::unexpected(done.error());
  static const char* kOp[] = {"enable", "disable", "delete"};
  audit_locked(who.name, "guard.rule.bulk", "rules",
               {{"op", kOp[static_cast<int>(op)]}, {"ids", id_list(changed)}, {"changed", changed.size()}});
  return changed.size();
}


// GuardRepo::import is its own transaction, so a refused apply is undone by a second store
// change: the imported rules are removed (merge), or the previous set is imported back with its
// ids (replace).
api::GuardResult<api::ImportResult> GuardService::import_rules(std::vector<guarder::Rule> rules, bool replace,
                                                               const api::GuardActor& who) {
  std::lock_guard lk(mu_);
  if (auto ok = running_locked(); !ok) return tl::unexpected(ok.error());
  size_t total = (replace ? 0 : rules_.size()) + rules.size();
  if (total > cfg_.guard_max_rules)
    return guard_fail(GuardErrc::kLimit, "the import would leave " + std::to_string(total) +
                                             " rules, over the limit (guard_max_rules = " +
                                             std::to_string(cfg_.guard_max_rules) + "); nothing was changed");
  std::vector<guarder::FieldError> unsafe;
  for (size_t i = 0; i < rules.size() && unsafe.size() < 100; ++i)
    if (auto s = check_safety(rules[i], who, "rules[" + std::to_string(i) + "]."); !s)
      unsafe.insert(unsafe.end(), s.error().fields.begin(), s.error().fields.end());
  if (!unsafe.empty())
    return guard_fail(GuardErrc::kUnsafe, "the import was refused for safety (send \"force\": true to insist); nothing was changed",
                      std::move(unsafe));
  store::GuardRepo repo(db_);
  int64_t now = clock::realtime_ns();
  auto stored = repo.import(rules, replace, now);
  if (!stored) return storage(stored.error());
  std::vector<guarder::Rule> next = *stored;
  if (!replace) next.insert(next.end(), rules_.begin(), rules_.end());
  sort_rules(next);
  auto rep = engine_->apply(next);
  if (!rep) {
    std::vector<UndoStep> undo;
    if (replace) {
      undo.push_back([this, now](store::GuardRepo& r) -> Result<void> {
        auto back = r.import(rules_, true, now);
        if (!back) return tl::unexpected(back.error());
        return {};
      });
    } else {
      for (const auto& r : *stored) undo.push_back(undo_insert(r.id));
    }
    undo_locked(repo, undo);
    return guard_fail(GuardErrc::kApplyFailed, "the kernel refused the imported rule set, nothing changed: " +
                                                   rep.error().what);
  }
  api::ImportResult res{stored->size(), replace ? rules_.size() : 0};
  std::vector<uint32_t> ids;
  for (const auto& r : *stored) ids.push_back(r.id);
  rules_ = std::move(next);
  last_apply_ = *rep;
  audit_locked(who.name, "guard.rule.import", "rules",
               {{"mode", replace ? "replace" : "merge"}, {"imported", res.imported}, {"replaced", res.replaced},
                {"ids", id_list(ids)}});
  return res;
}

}  // namespace pscope::daemon
