// GuardRepo: the Guarder's rules (the source of truth the kernel maps are compiled from).
// Rules are stored whole as JSON (guarder::to_json) beside the columns queries need.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "guarder/rule.h"
#include "store/database.h"

namespace pscope::store {

// Non-owning view over a migrated Database; same threading rule as the Database.
class GuardRepo {
 public:
  explicit GuardRepo(Database& db) noexcept : db_(db) {}

  // Stores a new rule: assigns id (never reused, AUTOINCREMENT), created_ns = updated_ns = now
  // (all rule times are kept to the millisecond, the precision of their JSON form).
  Result<guarder::Rule> insert(guarder::Rule r, std::int64_t now_ns);
  // Replaces the stored rule with the same id (updated_ns = now). Error if the id is unknown.
  Result<guarder::Rule> update(guarder::Rule r, std::int64_t now_ns);
  // false when no such rule.
  Result<bool> remove(std::uint32_t id);
  Result<std::optional<guarder::Rule>> get(std::uint32_t id);
  // Every rule in evaluation order (priority, id).
  Result<std::vector<guarder::Rule>> all();
  Result<std::int64_t> count();
  // Rules whose expires_ns <= now_ns, removed and returned (one transaction).
  Result<std::vector<guarder::Rule>> take_expired(std::int64_t now_ns);
  // In one transaction: delete every rule when `replace`, then insert `rules` (ids given in
  // the input are kept when free, else new ones are assigned). Returns the stored rules.
  Result<std::vector<guarder::Rule>> import(std::span<const guarder::Rule> rules, bool replace,
                                            std::int64_t now_ns);

 private:
  Database& db_;
};

}  // namespace pscope::store
