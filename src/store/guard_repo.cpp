// GuardRepo: Guarder rules in SQLite. The JSON column is the whole rule (guarder::to_json); the
// other columns exist for ordering, filtering and the expiry sweep and always agree with it.
#include "store/guard_repo.h"

#include <set>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace pscope::store {
namespace {

constexpr const char* kColumns = "id, json";

// Rule times are kept to the millisecond, the precision of their JSON form, so the JSON
// column, the API answer and the rule in memory all agree.
std::int64_t floor_ms(std::int64_t ns) { return ns / 1000000 * 1000000; }

// Stored rules are read back without the checks against the present: their expiry may have
// passed (take_expired removes them) and an interface may have gone since they were added.
Result<guarder::Rule> rule_from_row(const Statement& st) {
  auto id = st.col_int64(0);
  auto j = nlohmann::json::parse(st.col_text(1), nullptr, false);
  if (j.is_discarded()) return fail(fmt::format("guard rule {} in the database is not valid JSON", id));
  guarder::ParseOptions opt;
  opt.allow_output_fields = true;
  opt.stored = true;
  auto r = guarder::parse_rule(j, opt);
  if (!r.rule)
    return fail(fmt::format("guard rule {} in the database is invalid: {}: {}", id,
                            r.errors[0].field, r.errors[0].message));
  r.rule->id = static_cast<std::uint32_t>(id);
  return std::move(*r.rule);
}

Result<std::vector<guarder::Rule>> read_rules(Statement& st) {
  std::vector<guarder::Rule> out;
  for (;;) {
    auto row = st.step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    auto r = rule_from_row(st);
    if (!r) return tl::unexpected(std::move(r.error()));
    out.push_back(std::move(*r));
  }
  return out;
}

// Writes the row for r.id (which must be set): INSERT OR REPLACE keeps the id and, with
// AUTOINCREMENT, raises the sequence past it so later inserts never hand it out again.
Result<void> write_row(Database& db, const guarder::Rule& r) {
  auto st = db.prepare(
      "INSERT OR REPLACE INTO guard_rules(id, priority, enabled, origin, expires_ns, created_ns, "
      "updated_ns, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto bound = st->bind_all(r.id, r.priority, r.enabled ? 1 : 0, guarder::to_string(r.origin),
                            r.expires_ns, r.created_ns, r.updated_ns, guarder::to_json(r).dump());
  if (!bound) return bound;
  return st->run();
}

// A new id: what AUTOINCREMENT would give (never a deleted rule's id).
Result<std::uint32_t> insert_new(Database& db, guarder::Rule& r) {
  auto st = db.prepare(
      "INSERT INTO guard_rules(priority, enabled, origin, expires_ns, created_ns, updated_ns, "
      "json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, '')");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto bound = st->bind_all(r.priority, r.enabled ? 1 : 0, guarder::to_string(r.origin),
                            r.expires_ns, r.created_ns, r.updated_ns);
  if (!bound) return tl::unexpected(std::move(bound.error()));
  if (auto ran = st->run(); !ran) return tl::unexpected(std::move(ran.error()));
  auto id = db.last_insert_rowid();
  if (id <= 0 || id > static_cast<std::int64_t>(UINT32_MAX))
    return fail(fmt::format("guard rule ids are exhausted (next id {})", id));
  r.id = static_cast<std::uint32_t>(id);
  if (auto w = write_row(db, r); !w) return tl::unexpected(std::move(w.error()));
  return r.id;
}

Result<bool> exists(Database& db, std::uint32_t id) {
  auto st = db.prepare("SELECT 1 FROM guard_rules WHERE id = ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(id); !b) return tl::unexpected(std::move(b.error()));
  return st->step();
}

}  // namespace

Result<guarder::Rule> GuardRepo::insert(guarder::Rule r, std::int64_t now_ns) {
  r.created_ns = r.updated_ns = floor_ms(now_ns);
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  if (auto id = insert_new(db_, r); !id) return tl::unexpected(std::move(id.error()));
  if (auto c = tx->commit(); !c) return tl::unexpected(std::move(c.error()));
  return r;
}

Result<guarder::Rule> GuardRepo::update(guarder::Rule r, std::int64_t now_ns) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto old = get(r.id);
  if (!old) return tl::unexpected(std::move(old.error()));
  if (!*old) return fail(fmt::format("guard rule {} does not exist", r.id));
  // Who created a rule and when is history, not something an update can rewrite.
  r.created_ns = (*old)->created_ns;
  r.created_by = (*old)->created_by;
  r.updated_ns = floor_ms(now_ns);
  if (auto w = write_row(db_, r); !w) return tl::unexpected(std::move(w.error()));
  if (auto c = tx->commit(); !c) return tl::unexpected(std::move(c.error()));
  return r;
}

Result<bool> GuardRepo::remove(std::uint32_t id) {
  auto st = db_.prepare("DELETE FROM guard_rules WHERE id = ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(id); !b) return tl::unexpected(std::move(b.error()));
  if (auto r = st->run(); !r) return tl::unexpected(std::move(r.error()));
  return db_.changes() > 0;
}

Result<std::optional<guarder::Rule>> GuardRepo::get(std::uint32_t id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM guard_rules WHERE id = ?1", kColumns));
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(id); !b) return tl::unexpected(std::move(b.error()));
  auto rules = read_rules(*st);
  if (!rules) return tl::unexpected(std::move(rules.error()));
  if (rules->empty()) return std::optional<guarder::Rule>{};
  return std::optional<guarder::Rule>{std::move(rules->front())};
}

Result<std::vector<guarder::Rule>> GuardRepo::all() {
  auto st = db_.prepare(
      fmt::format("SELECT {} FROM guard_rules ORDER BY priority, id", kColumns));
  if (!st) return tl::unexpected(std::move(st.error()));
  return read_rules(*st);
}

Result<std::int64_t> GuardRepo::count() {
  auto st = db_.prepare("SELECT count(*) FROM guard_rules");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  return st->col_int64(0);
}

Result<std::vector<guarder::Rule>> GuardRepo::take_expired(std::int64_t now_ns) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto st = db_.prepare(fmt::format(
      "SELECT {} FROM guard_rules WHERE expires_ns IS NOT NULL AND expires_ns <= ?1 ORDER BY id",
      kColumns));
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(now_ns); !b) return tl::unexpected(std::move(b.error()));
  auto expired = read_rules(*st);
  if (!expired) return tl::unexpected(std::move(expired.error()));
  if (expired->empty()) return expired;  // the transaction rolls back: nothing was written
  auto del = db_.prepare(
      "DELETE FROM guard_rules WHERE expires_ns IS NOT NULL AND expires_ns <= ?1");
  if (!del) return tl::unexpected(std::move(del.error()));
  if (auto b = del->bind_all(now_ns); !b) return tl::unexpected(std::move(b.error()));
  if (auto r = del->run(); !r) return tl::unexpected(std::move(r.error()));
  if (auto c = tx->commit(); !c) return tl::unexpected(std::move(c.error()));
  return expired;
}

Result<std::vector<guarder::Rule>> GuardRepo::import(std::span<const guarder::Rule> rules,
                                                     bool replace, std::int64_t now_ns) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  if (replace)
    if (auto r = db_.exec("DELETE FROM guard_rules"); !r) return tl::unexpected(std::move(r.error()));
  std::vector<guarder::Rule> out;
  out.reserve(rules.size());
  std::set<std::uint32_t> taken;  // ids given earlier in this same import
  for (guarder::Rule r : rules) {
    // An exported rule keeps its history; a rule without one starts it now.
    if (r.created_ns == 0) r.created_ns = floor_ms(now_ns);
    if (r.updated_ns == 0) r.updated_ns = floor_ms(now_ns);
    bool keep = r.id != 0 && !taken.count(r.id);
    if (keep) {
      auto used = exists(db_, r.id);
      if (!used) return tl::unexpected(std::move(used.error()));
      keep = !*used;
    }
    if (keep) {
      if (auto w = write_row(db_, r); !w) return tl::unexpected(std::move(w.error()));
    } else if (auto id = insert_new(db_, r); !id) {
      return tl::unexpected(std::move(id.error()));
    }
    taken.insert(r.id);
    out.push_back(std::move(r));
  }
  if (auto c = tx->commit(); !c) return tl::unexpected(std::move(c.error()));
  return out;
}

}  // namespace pscope::store
