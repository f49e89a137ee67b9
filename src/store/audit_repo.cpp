#include "store/audit_repo.h"

#include "store/paging.h"

namespace pscope::store {

Result<std::int64_t> AuditRepo::append(const AuditEntry& e) {
  auto st = db_.prepare(
      "INSERT INTO audit_log(ts_ns, actor, action, object, detail) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto r = st->bind_all(e.ts_ns, e.actor, e.action, e.object, e.detail); !r)
    return tl::unexpected(std::move(r.error()));
  if (auto r = st->run(); !r) return tl::unexpected(std::move(r.error()));
  return db_.last_insert_rowid();
}

Result<std::vector<AuditEntry>> AuditRepo::recent(std::int64_t limit,
                                                  std::optional<std::int64_t> before_id) {
  // Two fixed statements rather than "(?1 IS NULL OR id < ?1)": the explicit range lets SQLite
  // seek straight to before_id on the rowid instead of scanning down from the newest row.
  auto st = before_id ? db_.prepare(
                            "SELECT id, ts_ns, actor, action, object, detail FROM audit_log "
                            "WHERE id < ?2 ORDER BY id DESC LIMIT ?1")
                      : db_.prepare(
                            "SELECT id, ts_ns, actor, action, object, detail FROM audit_log "
                            "ORDER BY id DESC LIMIT ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto bound = before_id ? st->bind_all(clamp_limit(limit), *before_id)
                         : st->bind_all(clamp_limit(limit));
  if (!bound) return tl::unexpected(std::move(bound.error()));
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.push_back(AuditEntry{st->col_int64(1), st->col_text(2), st->col_text(3), st->col_text(4),
                             st->col_text(5), st->col_int64(0)});
  }
  return out;
}

}  // namespace pscope::store
