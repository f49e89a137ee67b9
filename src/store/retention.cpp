// Retention and counting for the event tables (see retention.h).
#include "store/retention.h"

#include <fmt/format.h>

namespace pscope::store {

Result<std::int64_t> enforce_table_retention(Database& db, std::string_view table, std::int64_t max_rows,
                                             std::int64_t max_age_ns, std::int64_t now_ns) {
  if (max_rows < 0 || max_age_ns < 0) {
    return fail(fmt::format("{} retention limits must be >= 0 (0 = unlimited), got max_rows={} max_age_ns={}",
                            table, max_rows, max_age_ns));
  }
  if (max_rows == 0 && max_age_ns == 0) return 0;

  auto tx = Transaction::begin(db);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  std::int64_t removed = 0;

  if (max_rows > 0) {
    // The subquery yields the id of the newest row that must go (the (max_rows+1)-th newest).
    // With max_rows or fewer rows it yields NULL and "id <= NULL" matches nothing.
    auto st = db.prepare(fmt::format(
        "DELETE FROM {0} WHERE id <= (SELECT id FROM {0} ORDER BY id DESC LIMIT 1 OFFSET ?1)", table));
    if (!st) return tl::unexpected(std::move(st.error()));
    if (auto r = st->bind(1, max_rows); !r) return tl::unexpected(std::move(r.error()));
    if (auto r = st->run(); !r) return tl::unexpected(std::move(r.error()));
    removed += db.changes();
  }

  if (max_age_ns > 0) {
    std::int64_t cutoff = 0;
    // now_ns - max_age_ns below INT64_MIN means nothing can be that old: skip, don't wrap.
    if (!__builtin_sub_overflow(now_ns, max_age_ns, &cutoff)) {
      auto st = db.prepare(fmt::format("DELETE FROM {} WHERE ts_ns < ?1", table));
      if (!st) return tl::unexpected(std::move(st.error()));
      if (auto r = st->bind(1, cutoff); !r) return tl::unexpected(std::move(r.error()));
      if (auto r = st->run(); !r) return tl::unexpected(std::move(r.error()));
      removed += db.changes();
    }
  }

  if (auto r = tx->commit(); !r) return tl::unexpected(std::move(r.error()));
  return removed;
}

Result<std::int64_t> count_rows(Database& db, std::string_view table) {
  auto st = db.prepare(fmt::format("SELECT count(*) FROM {}", table));
  if (!st) return tl::unexpected(std::move(st.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  return *row ? st->col_int64(0) : 0;
}

}  // namespace pscope::store
