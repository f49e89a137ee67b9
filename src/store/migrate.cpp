// The migration runner (the registry itself lives in migrations.cpp).
#include <algorithm>
#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/migrations.h"

namespace pscope::store {
namespace {

constexpr std::string_view kCreateLedger = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
))sql";

Result<std::int64_t> query_int(Database& db, std::string_view sql) {
  auto st = db.prepare(sql);
  if (!st) return tl::unexpected(std::move(st.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  return *row ? st->col_int64(0) : 0;
}

struct Versions {
  std::int64_t recorded = 0;      // max(version) in schema_migrations
  std::int64_t user_version = 0;  // PRAGMA user_version
};

Result<Versions> read_versions(Database& db) {
  Versions v;
  auto has = query_int(db,
                       "SELECT count(*) FROM sqlite_master "
                       "WHERE type = 'table' AND name = 'schema_migrations'");
  if (!has) return tl::unexpected(std::move(has.error()));
  if (*has != 0) {
    auto rec = query_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!rec) return tl::unexpected(std::move(rec.error()));
    v.recorded = *rec;
  }
  auto uv = query_int(db, "PRAGMA user_version");
  if (!uv) return tl::unexpected(std::move(uv.error()));
  v.user_version = *uv;
  return v;
}

// PRAGMA arguments cannot be bound as parameters. This is the one place a number is formatted
// into SQL; it is an int taken from the compiled-in registry, never from input.
Result<void> set_user_version(Database& db, int version) {
  return db.exec(fmt::format("PRAGMA user_version = {}", version));
}

Result<void> record(Database& db, const Migration& m) {
  auto st = db.prepare(
      "INSERT INTO schema_migrations(version, name, applied_at) "
      "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto r = st->bind_all(m.version, m.name); !r) return r;
  return st->run();
}

Result<void> validate(std::span<const Migration> migrations) {
  int prev = 0;
  for (const Migration& m : migrations) {
    if (m.version <= prev) {
      return fail(fmt::format("migration registry is not strictly increasing: version {} ('{}') "
                              "follows version {}",
                              m.version, m.name, prev));
    }
    prev = m.version;
  }
  return {};
}

}  // namespace

Result<int> schema_version(Database& db) {
  auto v = read_versions(db);
  if (!v) return tl::unexpected(std::move(v.error()));
  return static_cast<int>(std::max(v->recorded, v->user_version));
}

Result<int> migrate(Database& db, std::span<const Migration> migrations) {
  if (auto r = validate(migrations); !r) return tl::unexpected(std::move(r.error()));
  const int latest = migrations.empty() ? 0 : migrations.back().version;

  for (;;) {
    // Everything, including reading the current version, happens under the write lock, so two
    // processes starting at once cannot both apply the same migration.
    auto tx = Transaction::begin(db);
    if (!tx) return tl::unexpected(std::move(tx.error()));
    auto v = read_versions(db);
    if (!v) return tl::unexpected(std::move(v.error()));
    // Check before writing anything: an older binary must leave a newer database untouched.
    const std::int64_t seen = std::max(v->recorded, v->user_version);
    if (seen > latest) {
      return fail(fmt::format("database schema version {} is newer than this packetscope (knows "
                              "up to {}); upgrade packetscope or use another --data-dir",
                              seen, latest));
    }
    if (auto r = db.exec(kCreateLedger); !r) return tl::unexpected(std::move(r.error()));

    const Migration* next = nullptr;
    for (const Migration& m : migrations) {
      if (m.version > v->recorded) {
        next = &m;
        break;
      }
    }
    if (!next) {
      const int current = static_cast<int>(v->recorded);
      if (v->user_version != v->recorded) {  // keep the header in step with the ledger
        if (auto r = set_user_version(db, current); !r)
          return tl::unexpected(std::move(r.error()));
      }
      if (auto r = tx->commit(); !r) return tl::unexpected(std::move(r.error()));
      return current;
    }

    if (auto r = db.exec(next->sql); !r) {
      return fail(fmt::format("schema migration {} ('{}') failed and was rolled back: {}",
                              next->version, next->name, r.error().what));
    }
    if (auto r = record(db, *next); !r) return tl::unexpected(std::move(r.error()));
    if (auto r = set_user_version(db, next->version); !r)
      return tl::unexpected(std::move(r.error()));
    if (auto r = tx->commit(); !r) return tl::unexpected(std::move(r.error()));
    spdlog::info("database '{}': applied schema migration {} ({})", db.path().string(),
                 next->version, next->name);
  }
}

}  // namespace pscope::store
