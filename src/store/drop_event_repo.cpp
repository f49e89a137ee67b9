#include "store/drop_event_repo.h"

#include <fmt/format.h>

#include "store/paging.h"
#include "store/retention.h"

namespace pscope::store {
namespace {

DropEvent read_row(const Statement& st) {
  DropEvent e;
  e.id = st.col_int64(0);
  e.ts_ns = st.col_int64(1);
  e.reason = st.col_text(2);
  e.location = st.col_text(3);
  e.ifindex = static_cast<std::uint32_t>(st.col_int64(4));
  e.netns = static_cast<std::uint64_t>(st.col_int64(5));  // bit pattern back, see DropEvent
  e.protocol = st.col_text(6);
  e.src = st.col_text(7);
  e.dst = st.col_text(8);
  return e;
}

}  // namespace

Result<void> DropEventRepo::insert_batch(std::span<const DropEvent> events) {
  if (events.empty()) return {};
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto st = db_.prepare(
      "INSERT INTO drop_events(ts_ns, reason, location, ifindex, netns, protocol, src, dst) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st) return tl::unexpected(std::move(st.error()));
  for (const DropEvent& e : events) {
    auto r = st->bind_all(e.ts_ns, e.reason, e.location, e.ifindex,
                          static_cast<std::int64_t>(e.netns), e.protocol, e.src, e.dst);
    if (r) r = st->run();
    if (!r) return r;  // tx's destructor rolls the whole batch back
  }
  return tx->commit();
}

Result<std::vector<DropEvent>> DropEventRepo::recent(std::int64_t limit,
                                                     std::optional<std::int64_t> before_id) {
  // Two fixed statements so the before_id case is a rowid range seek (see AuditRepo::recent).
  auto st = before_id
                ? db_.prepare(
                      "SELECT id, ts_ns, reason, location, ifindex, netns, protocol, src, dst "
                      "FROM drop_events WHERE id < ?2 ORDER BY id DESC LIMIT ?1")
                : db_.prepare(
                      "SELECT id, ts_ns, reason, location, ifindex, netns, protocol, src, dst "
                      "FROM drop_events ORDER BY id DESC LIMIT ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto bound = before_id ? st->bind_all(clamp_limit(limit), *before_id)
                         : st->bind_all(clamp_limit(limit));
  if (!bound) return tl::unexpected(std::move(bound.error()));
  std::vector<DropEvent> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.push_back(read_row(*st));
  }
  return out;
}

Result<std::int64_t> DropEventRepo::enforce_retention(std::int64_t max_rows,
                                                      std::int64_t max_age_ns,
                                                      std::int64_t now_ns) {
  return enforce_table_retention(db_, "drop_events", max_rows, max_age_ns, now_ns);
}

Result<std::int64_t> DropEventRepo::count() { return count_rows(db_, "drop_events"); }

}  // namespace pscope::store
