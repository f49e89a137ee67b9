// AuditRepo: append-only record of who changed what (API actions, rule changes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

struct AuditEntry {
  std::int64_t ts_ns = 0;  // CLOCK_REALTIME nanoseconds
  std::string actor;       // e.g. "api:token-3", "cli", "system"
  std::string action;      // e.g. "settings.put"
  std::string object;      // what was acted on
  std::string detail;      // free text / JSON
  std::int64_t id = 0;     // assigned by the database; ignored by append()
};

// Non-owning view over a migrated Database; same threading rule as the Database.
class AuditRepo {
 public:
  explicit AuditRepo(Database& db) noexcept : db_(db) {}

  Result<std::int64_t> append(const AuditEntry& e);  // returns the new id
  // Newest first (by id, i.e. insertion order, which is stable even if clocks step). Pass the
  // last id of a page as before_id to get the next, older page. limit is clamped to [1, 1000].
  Result<std::vector<AuditEntry>> recent(std::int64_t limit,
                                         std::optional<std::int64_t> before_id = std::nullopt);

 private:
  Database& db_;
};

}  // namespace pscope::store
