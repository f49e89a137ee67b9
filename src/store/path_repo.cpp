// PathRepo (see path_repo.h).
#include "store/path_repo.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "store/paging.h"
#include "store/retention.h"

namespace pscope::store {
namespace {

constexpr const char* kColumns =
    "id, ts_ns, direction, protocol, family, l4_proto, src, dst, sport, dport, length, hops, latency_ns, "
    "dropped, reason, comm, tgid, ifindexes, netns";

PathRow read_row(const Statement& st, bool with_detail) {
  PathRow r;
  r.id = st.col_int64(0);
  r.ts_ns = st.col_int64(1);
  r.direction = st.col_text(2);
  r.protocol = st.col_text(3);
  r.family = st.col_int64(4);
  r.l4_proto = st.col_int64(5);
  r.src = st.col_text(6);
  r.dst = st.col_text(7);
  r.sport = st.col_int64(8);
  r.dport = st.col_int64(9);
  r.length = st.col_int64(10);
  r.hops = st.col_int64(11);
  r.latency_ns = st.col_int64(12);
  r.dropped = st.col_int64(13) != 0;
  r.reason = st.col_text(14);
  r.comm = st.col_text(15);
  r.tgid = st.col_int64(16);
  r.ifindexes = st.col_text(17);
  r.netns = st.col_text(18);
  if (with_detail) r.detail = st.col_text(19);
  return r;
}

// An address of a PathQuery as the tracer stores it (inet_ntop text), nullopt for a wildcard.
// Text that is no address is kept as given: it matches only itself.
std::optional<std::string> stored_address(const std::optional<std::string>& a) {
  if (!a) return std::nullopt;
  constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  std::array<uint8_t, 16> b{};
  int af = AF_INET;
  if (inet_pton(AF_INET, a->c_str(), b.data()) != 1) {
    if (inet_pton(AF_INET6, a->c_str(), b.data()) != 1) return a;
    af = AF_INET6;
    if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), b.begin())) {  // ::ffff:a.b.c.d is a.b.c.d
      std::copy(b.begin() + 12, b.end(), b.begin());
      std::fill(b.begin() + 4, b.end(), 0);
      af = AF_INET;
    }
  }
  if (std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; })) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  return std::string(inet_ntop(af, b.data(), buf, sizeof(buf)));
}

}  // namespace

Result<void> PathRepo::insert_batch(std::span<const PathRow> rows) {
  if (rows.empty()) return {};
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto st = db_.prepare(
      "INSERT INTO packet_paths(id, ts_ns, direction, protocol, family, l4_proto, src, dst, sport, dport, length, "
      "hops, latency_ns, dropped, reason, comm, tgid, ifindexes, netns, detail) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
  if (!st) return tl::unexpected(std::move(st.error()));
  for (const PathRow& r : rows) {
    std::optional<std::int64_t> id;
    if (r.id > 0) id = r.id;
    auto b = st->bind_all(id, r.ts_ns, r.direction, r.protocol, r.family, r.l4_proto, r.src, r.dst, r.sport, r.dport,
                          r.length, r.hops, r.latency_ns, static_cast<std::int64_t>(r.dropped), r.reason, r.comm,
                          r.tgid, r.ifindexes, r.netns, r.detail);
    if (b) b = st->run();
    if (!b) return b;  // the transaction's destructor rolls the batch back
  }
  return tx->commit();
}

Result<std::vector<PathRow>> PathRepo::recent(std::int64_t limit, const PathQuery& q) {
  // One statement: absent parameters are NULL and match anything; the tuple matches either way.
  auto st = db_.prepare(std::string("SELECT ") + kColumns +
                        " FROM packet_paths WHERE (?2 IS NULL OR id < ?2) AND ("
                        "((?3 IS NULL OR src = ?3) AND (?4 IS NULL OR sport = ?4) AND "
                        " (?5 IS NULL OR dst = ?5) AND (?6 IS NULL OR dport = ?6)) OR "
                        "((?3 IS NULL OR dst = ?3) AND (?4 IS NULL OR dport = ?4) AND "
                        " (?5 IS NULL OR src = ?5) AND (?6 IS NULL OR sport = ?6))) "
                        "AND (?7 IS NULL OR family = ?7) AND (?8 IS NULL OR l4_proto = ?8) "
                        "ORDER BY id DESC LIMIT ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto b = st->bind_all(clamp_limit(limit), q.before_id, stored_address(q.addr_a), q.port_a, stored_address(q.addr_b),
                        q.port_b, q.family, q.l4_proto);
  if (!b) return tl::unexpected(std::move(b.error()));
  std::vector<PathRow> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.push_back(read_row(*st, false));
  }
  return out;
}

Result<std::optional<PathRow>> PathRepo::get(std::int64_t id) {
  auto st = db_.prepare(std::string("SELECT ") + kColumns + ", detail FROM packet_paths WHERE id = ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(id); !b) return tl::unexpected(std::move(b.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::optional<PathRow>{};
  return std::optional<PathRow>(read_row(*st, true));
}

Result<std::int64_t> PathRepo::for_each_since(std::int64_t since_ns, std::int64_t max_rows,
                                              const std::function<bool(const PathRow&)>& fn) {
  // packet_paths_ts_ns serves both the bound and the order.
  auto st = db_.prepare(std::string("SELECT ") + kColumns +
                        ", detail FROM packet_paths WHERE ts_ns >= ?1 ORDER BY ts_ns DESC LIMIT ?2");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(since_ns, std::max<std::int64_t>(max_rows, 0)); !b) return tl::unexpected(std::move(b.error()));
  std::int64_t n = 0;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    ++n;
    if (!fn(read_row(*st, true))) break;
  }
  return n;
}

Result<std::int64_t> PathRepo::enforce_retention(std::int64_t max_rows, std::int64_t max_age_ns,
                                                 std::int64_t now_ns) {
  return enforce_table_retention(db_, "packet_paths", max_rows, max_age_ns, now_ns);
}

Result<std::int64_t> PathRepo::count() { return count_rows(db_, "packet_paths"); }

Result<std::int64_t> PathRepo::last_id() {
  auto st = db_.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'packet_paths'");
  if (!st) return tl::unexpected(std::move(st.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  return *row ? st->col_int64(0) : 0;
}

}  // namespace pscope::store
