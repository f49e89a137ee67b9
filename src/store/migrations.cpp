// The migration registry. Append new versions at the end; a released migration is immutable
// (databases in the field have already run it), so fixes go into a new version.
#include "store/migrations.h"

namespace pscope::store {
namespace {

constexpr std::string_view kV1Core = R"sql(
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ns  INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_ts_ns ON audit_log(ts_ns);

CREATE TABLE drop_events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ns    INTEGER NOT NULL,
  reason   TEXT NOT NULL,
  location TEXT NOT NULL,
  ifindex  INTEGER NOT NULL,
  netns    INTEGER NOT NULL,
  protocol TEXT NOT NULL,
  src      TEXT NOT NULL,
  dst      TEXT NOT NULL
);
CREATE INDEX drop_events_ts_ns ON drop_events(ts_ns);
)sql";

// Tracer per-packet paths. The columns hold what lists and filters need; `detail` is the full
// JSON view (hops, decoded headers, captured bytes) served for one packet. `ifindexes` and
// `netns` are ",a,b," lists of every value on the path, for filtering without parsing detail.
constexpr std::string_view kV2PacketPaths = R"sql(
CREATE TABLE packet_paths (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ns      INTEGER NOT NULL,
  direction  TEXT NOT NULL,
  protocol   TEXT NOT NULL,
  family     INTEGER NOT NULL,
  l4_proto   INTEGER NOT NULL,
  src        TEXT NOT NULL,
  dst        TEXT NOT NULL,
  sport      INTEGER NOT NULL,
  dport      INTEGER NOT NULL,
  length     INTEGER NOT NULL,
  hops       INTEGER NOT NULL,
  latency_ns INTEGER NOT NULL,
  dropped    INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  comm       TEXT NOT NULL,
  tgid       INTEGER NOT NULL,
  ifindexes  TEXT NOT NULL,
  netns      TEXT NOT NULL,
  detail     TEXT NOT NULL
);
CREATE INDEX packet_paths_ts_ns ON packet_paths(ts_ns);
CREATE INDEX packet_paths_tuple ON packet_paths(src, sport, dst, dport);
)sql";

// Analyzer time series. A series is one metric (docs/analyzer.md names) of the whole host
// (flow '') or of one flow; `agg` says how the 1 min roll-up combines its 1 s samples (0 average,
// 1 maximum) and `last_ms` lets retention drop series that have no rows left. Samples and roll-up
// rows are keyed by series id so a row costs a few bytes, not the metric name.
constexpr std::string_view kV3AnalyzerSeries = R"sql(
CREATE TABLE analyzer_series (
  id      INTEGER PRIMARY KEY,
  metric  TEXT NOT NULL,
  flow    TEXT NOT NULL,
  agg     INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  UNIQUE (metric, flow)
);
CREATE TABLE analyzer_samples (
  series INTEGER NOT NULL,
  ts_ms  INTEGER NOT NULL,
  value  REAL NOT NULL
);
CREATE INDEX analyzer_samples_series_ts ON analyzer_samples(series, ts_ms);
CREATE INDEX analyzer_samples_ts ON analyzer_samples(ts_ms);
CREATE TABLE analyzer_rollup (
  series INTEGER NOT NULL,
  ts_ms  INTEGER NOT NULL,
  value  REAL NOT NULL,
  PRIMARY KEY (series, ts_ms)
) WITHOUT ROWID;
CREATE INDEX analyzer_rollup_ts ON analyzer_rollup(ts_ms);
)sql";

// Guarder rules: the source of truth the kernel maps are compiled from. `json` is the whole rule
// (guarder::to_json); the other columns serve ordering (priority, id), filters and the expiry
// sweep. AUTOINCREMENT: a deleted rule's id is never given to a new rule, so counters, audit
// entries and clients holding an id never confuse two rules.
constexpr std::string_view kV4GuardRules = R"sql(
CREATE TABLE guard_rules (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  priority   INTEGER NOT NULL,
  enabled    INTEGER NOT NULL,
  origin     TEXT NOT NULL,
  expires_ns INTEGER,
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL,
  json       TEXT NOT NULL
);
CREATE INDEX guard_rules_order ON guard_rules(priority, id);
CREATE INDEX guard_rules_expires ON guard_rules(expires_ns) WHERE expires_ns IS NOT NULL;
)sql";

// The event tables use AUTOINCREMENT rather than a plain rowid: ids are then never reused, even
// after retention has emptied the table, so an id a client already holds (a before_id paging
// cursor) can never come to name a different row.
constexpr Migration kMigrations[] = {
    {1, "core tables: settings, audit_log, drop_events", kV1Core},
    {2, "tracer packet paths", kV2PacketPaths},
    {3, "analyzer time series: 1 s samples and 1 min roll-up", kV3AnalyzerSeries},
    {4, "guarder rules", kV4GuardRules},
};

}  // namespace

std::span<const Migration> default_migrations() noexcept { return kMigrations; }

}  // namespace pscope::store
