// Versioned schema migrations for the PacketScope database.
#pragma once

#include <span>
#include <string_view>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

// One schema step. `sql` may hold several statements; it runs inside the migration's own
// transaction, so it must not contain BEGIN/COMMIT or PRAGMAs that are illegal in a transaction
// (journal_mode, foreign_keys).
struct Migration {
  int version;  // strictly increasing, starting at 1; never renumber or edit a released one
  std::string_view name;
  std::string_view sql;
};

// The registry compiled into this binary, ordered by version (migrations.cpp).
std::span<const Migration> default_migrations() noexcept;

// Applies every migration newer than the database, each in its own BEGIN IMMEDIATE transaction
// together with its schema_migrations row and PRAGMA user_version, so a failure leaves the
// database at the last fully applied version. Safe to run concurrently from several processes
// (the version is re-read under the write lock). Refuses a database whose version is newer than
// the last entry of `migrations`. Returns the resulting version.
Result<int> migrate(Database& db, std::span<const Migration> migrations = default_migrations());

// Highest applied version (0 for a fresh database), without changing anything.
Result<int> schema_version(Database& db);

}  // namespace pscope::store
