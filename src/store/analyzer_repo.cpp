// AnalyzerRepo (see analyzer_repo.h).
#include "store/analyzer_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace pscope::store {
namespace {

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

template <size_t N>
bool one_of(std::string_view v, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

constexpr std::array<std::string_view, 4> kLayers = {"link", "network", "transport", "socket"};
constexpr std::array<std::string_view, 2> kDirs = {"rx", "tx"};
constexpr std::array<std::string_view, 2> kRates = {"pps", "bps"};

// Drop reasons are the kernel's enum skb_drop_reason names without the prefix: NETFILTER_DROP.
bool is_reason(std::string_view r) {
  return !r.empty() && r.size() <= 64 &&
         std::all_of(r.begin(), r.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Flow keys look like 4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000 (IPv6 in []).
bool is_flow_key(std::string_view k) {
  return !k.empty() && k.size() <= 128 &&
         std::all_of(k.begin(), k.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Result<std::optional<std::int64_t>> scalar(Database& db, std::string_view sql, std::int64_t arg) {
  auto st = db.prepare(sql);
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind(1, arg); !b) return tl::unexpected(std::move(b.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row || st->col_is_null(0)) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(st->col_int64(0));
}

std::int64_t minute_of(std::int64_t ts_ms) { return ts_ms - ((ts_ms % 60000) + 60000) % 60000; }

}  // namespace

bool is_analyzer_metric(std::string_view metric, bool per_flow) {
  auto p = split_dots(metric);
  if (per_flow) {
    if (p.size() == 3) return p[0] == "flow" && one_of(p[1], kDirs) && one_of(p[2], kRates);
    return p.size() == 2 && p[0] == "flow" && (p[1] == "srtt_us" || p[1] == "cwnd");
  }
  const std::string_view kind = p[0];
  if (kind == "volume")
    return p.size() == 4 && one_of(p[1], kLayers) && one_of(p[2], kDirs) && one_of(p[3], kRates);
  if (kind == "latency")
    return p.size() == 5 && one_of(p[1], kDirs) && one_of(p[2], kLayers) && one_of(p[3], kLayers) &&
           one_of(p[4], std::array<std::string_view, 4>{"p50", "p90", "p99", "max"});
  if (kind == "transitions")
    return p.size() == 4 && one_of(p[1], kDirs) && one_of(p[2], kLayers) && one_of(p[3], kLayers);
  if (kind == "loss") {
    if (p.size() == 2) return p[1] == "drops_per_s" || p[1] == "drop_ratio";
    return p.size() == 4 && p[1] == "reason" && is_reason(p[2]) && p[3] == "per_s";
  }
  if (kind == "tcp")
    return p.size() == 2 &&
           one_of(p[1], std::array<std::string_view, 3>{"retransmits_per_s", "rst_sent_per_s", "rst_received_per_s"});
  return false;
}

Result<std::int64_t> AnalyzerRepo::series_id(const AnalyzerSample& s, std::int64_t ts_ms, Statement& upsert) {
  bool per_flow = !s.flow.empty();
  if (!is_analyzer_metric(s.metric, per_flow) || (per_flow && !is_flow_key(s.flow)))
    return tl::unexpected(Error{kAnalyzerBadInput, fmt::format("'{}' is not an analyzer {}metric (flow '{}')",
                                                               s.metric, per_flow ? "flow " : "", s.flow)});
  std::int64_t agg = s.metric.ends_with(".max") ? 1 : 0;
  if (auto b = upsert.bind_all(s.metric, s.flow, agg, ts_ms); !b) return tl::unexpected(std::move(b.error()));
  auto row = upsert.step();
  if (!row) {
    upsert.reset();
    return tl::unexpected(std::move(row.error()));
  }
  std::int64_t id = *row ? upsert.col_int64(0) : 0;
  upsert.reset();
  if (id == 0) return fail("analyzer series upsert returned no id for " + s.metric);
  return id;
}

Result<void> AnalyzerRepo::insert_batch(std::span<const AnalyzerSecond> seconds) {
  if (seconds.empty()) return {};
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto upsert = db_.prepare(
      "INSERT INTO analyzer_series(metric, flow, agg, last_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(metric, flow) DO UPDATE SET last_ms = max(last_ms, excluded.last_ms) RETURNING id");
  if (!upsert) return tl::unexpected(std::move(upsert.error()));
  auto ins = db_.prepare("INSERT INTO analyzer_samples(series, ts_ms, value) VALUES (?1, ?2, ?3)");
  if (!ins) return tl::unexpected(std::move(ins.error()));
  for (const auto& sec : seconds) {
    for (const auto& s : sec.samples) {
      auto id = series_id(s, sec.ts_ms, *upsert);
      if (!id) return tl::unexpected(std::move(id.error()));  // the transaction rolls back
      auto b = ins->bind_all(*id, sec.ts_ms, s.value);
      if (b) b = ins->run();
      if (!b) return b;
    }
  }
  return tx->commit();
}

Result<std::int64_t> AnalyzerRepo::roll_up(std::int64_t now_ms) {
  auto last = scalar(db_, "SELECT max(ts_ms) FROM analyzer_rollup WHERE ?1 = ?1", 0);
  if (!last) return tl::unexpected(std::move(last.error()));
  std::int64_t from = *last ? **last + kMinuteMs : INT64_MIN;
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto roll = db_.prepare(
      "INSERT OR REPLACE INTO analyzer_rollup(series, ts_ms, value) "
      "SELECT a.series, ?1, CASE WHEN s.agg = 1 THEN max(a.value) ELSE avg(a.value) END "
      "FROM analyzer_samples a JOIN analyzer_series s ON s.id = a.series "
      "WHERE a.ts_ms >= ?1 AND a.ts_ms < ?1 + 60000 AND (s.flow = '' OR s.flow IN ("
      "  SELECT s2.flow FROM analyzer_samples a2 JOIN analyzer_series s2 ON s2.id = a2.series "
      "  WHERE a2.ts_ms >= ?1 AND a2.ts_ms < ?1 + 60000 AND s2.metric IN ('flow.rx.bps', 'flow.tx.bps') "
      "  GROUP BY s2.flow ORDER BY sum(a2.value) DESC LIMIT ?2)) "
      "GROUP BY a.series");
  if (!roll) return tl::unexpected(std::move(roll.error()));
  std::int64_t rolled = 0;
  // Jump from one minute that has samples to the next: a daemon that was down for days costs
  // nothing here. Bounded per call; the next call continues.
  for (int i = 0; i < 240; ++i) {
    auto next = scalar(db_, "SELECT min(ts_ms) FROM analyzer_samples WHERE ts_ms >= ?1", from);
    if (!next) return tl::unexpected(std::move(next.error()));
    if (!*next) break;
    std::int64_t minute = minute_of(**next);
    if (minute + kMinuteMs + kRollupGraceMs > now_ms) break;  // not complete yet
    auto b = roll->bind_all(minute, kRollupFlowsMax);
    if (b) b = roll->run();
    if (!b) return tl::unexpected(std::move(b.error()));
    ++rolled;
    from = minute + kMinuteMs;
  }
  if (auto c = tx->commit(); !c) return tl::unexpected(std::move(c.error()));
  return rolled;
}

Result<AnalyzerSeriesResult> AnalyzerRepo::query(std::string_view metric, std::string_view flow, std::int64_t from_ms,
                                                 std::int64_t to_ms, std::int64_t now_ms, std::int64_t history_s) {
  bool per_flow = !flow.empty();
  if (!is_analyzer_metric(metric, per_flow)) {
    bool other_kind = is_analyzer_metric(metric, !per_flow);
    return tl::unexpected(Error{
        kAnalyzerBadInput,
        other_kind ? fmt::format("metric '{}' {}", metric, per_flow ? "is not a flow metric (flow.*)" : "needs flow=KEY")
                   : fmt::format("unknown metric '{}' (see GET /api/v1/analyzer/metrics and docs/analyzer.md)", metric)});
  }
  if (from_ms > to_ms)
    return tl::unexpected(Error{kAnalyzerBadInput, fmt::format("from ({}) is after to ({})", from_ms, to_ms)});
  AnalyzerSeriesResult out;
  bool fine = from_ms >= now_ms - history_s * 1000 && (to_ms - from_ms) / 1000 < kMaxPoints;
  out.resolution_s = fine ? 1 : 60;
  // The newest kMaxPoints of the range, returned oldest first.
  auto st = db_.prepare(fmt::format(
      "SELECT ts_ms, value FROM (SELECT t.ts_ms, t.value FROM {} t JOIN analyzer_series s ON s.id = t.series "
      "WHERE s.metric = ?1 AND s.flow = ?2 AND t.ts_ms >= ?3 AND t.ts_ms <= ?4 ORDER BY t.ts_ms DESC LIMIT ?5) "
      "ORDER BY ts_ms",
      fine ? "analyzer_samples" : "analyzer_rollup"));
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto b = st->bind_all(metric, flow, from_ms, to_ms, kMaxPoints); !b) return tl::unexpected(std::move(b.error()));
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.points.push_back({st->col_int64(0), st->col_double(1)});
  }
  return out;
}

Result<std::vector<std::string>> AnalyzerRepo::metrics() {
  auto st = db_.prepare("SELECT metric FROM analyzer_series WHERE flow = '' ORDER BY metric");
  if (!st) return tl::unexpected(std::move(st.error()));
  std::vector<std::string> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.push_back(st->col_text(0));
  }
  return out;
}

Result<std::int64_t> AnalyzerRepo::delete_batched(std::string_view sql, std::int64_t cutoff_ms) {
  std::int64_t removed = 0;
  for (int i = 0; i < kMaxDeleteBatches; ++i) {
    auto tx = Transaction::begin(db_);
    if (!tx) return tl::unexpected(std::move(tx.error()));
    auto st = db_.prepare(sql);
    if (!st) return tl::unexpected(std::move(st.error()));
    auto b = st->bind_all(cutoff_ms, kDeleteBatch);
    if (b) b = st->run();
    if (!b) return tl::unexpected(std::move(b.error()));
    std::int64_t n = db_.changes();
    if (auto c = tx->commit(); !c) return tl::unexpected(std::move(c.error()));
    removed += n;
    if (n < kDeleteBatch) break;
  }
  return removed;
}

Result<std::int64_t> AnalyzerRepo::enforce_retention(const AnalyzerRetention& r, std::int64_t now_ms) {
  if (r.history_s <= 0 || r.rollup_s <= 0)
    return fail(fmt::format("analyzer retention must be > 0 s, got history_s={} rollup_s={}", r.history_s, r.rollup_s));
  std::int64_t removed = 0;
  auto a = delete_batched(
      "DELETE FROM analyzer_samples WHERE rowid IN "
      "(SELECT rowid FROM analyzer_samples WHERE ts_ms < ?1 ORDER BY ts_ms LIMIT ?2)",
      now_ms - r.history_s * 1000);
  if (!a) return a;
  removed += *a;
  auto b = delete_batched(
      "DELETE FROM analyzer_rollup WHERE (series, ts_ms) IN "
      "(SELECT series, ts_ms FROM analyzer_rollup WHERE ts_ms < ?1 ORDER BY ts_ms LIMIT ?2)",
      now_ms - r.rollup_s * 1000);
  if (!b) return b;
  removed += *b;
  // A series whose newest sample left the 1 s window and that has no roll-up row has no rows
  // left (short-lived flows that never made a minute's top): it goes, so flow churn cannot grow
  // the series table.
  auto c = delete_batched(
      "DELETE FROM analyzer_series WHERE id IN (SELECT id FROM analyzer_series s WHERE last_ms < ?1 AND "
      "NOT EXISTS (SELECT 1 FROM analyzer_rollup r WHERE r.series = s.id) LIMIT ?2)",
      now_ms - r.history_s * 1000);
  if (!c) return c;
  return removed + *c;
}

Result<std::int64_t> AnalyzerRepo::count_samples() {
  auto v = scalar(db_, "SELECT count(*) FROM analyzer_samples WHERE ?1 = ?1", 0);
  if (!v) return tl::unexpected(std::move(v.error()));
  return v->value_or(0);
}

Result<std::int64_t> AnalyzerRepo::count_rollup() {
  auto v = scalar(db_, "SELECT count(*) FROM analyzer_rollup WHERE ?1 = ?1", 0);
  if (!v) return tl::unexpected(std::move(v.error()));
  return v->value_or(0);
}

}  // namespace pscope::store
