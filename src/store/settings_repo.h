// SettingsRepo: the key/value `settings` table (runtime configuration changed through the API).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

struct Setting {
  std::string key;
  std::string value;
  std::string updated_at;  // ISO-8601 UTC, set by the database on put()
};

// Non-owning view over a migrated Database; same threading rule as the Database.
class SettingsRepo {
 public:
  explicit SettingsRepo(Database& db) noexcept : db_(db) {}

  Result<std::optional<std::string>> get(std::string_view key);
  Result<void> put(std::string_view key, std::string_view value);  // insert or overwrite
  Result<bool> erase(std::string_view key);                          // true if it existed
  Result<std::vector<Setting>> all();                                // ordered by key

 private:
  Database& db_;
};

}  // namespace pscope::store
