// Tracer record sinks (see tracer_sinks.h).
#include "daemon/tracer_sinks.h"

#include <nlohmann/json.hpp>

#include "tracer/path_filter.h"

namespace pscope::daemon {
namespace {

template <class T>
std::string csv_list(const std::vector<tracer::Hop>& hops, T tracer::Hop::*field) {
  std::string out = ",";
  std::vector<T> seen;
  for (const auto& h : hops) {
    T v = h.*field;
    if (v == 0 || std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
    seen.push_back(v);
    out += std::to_string(v) + ",";
  }
  return out;
}

}  // namespace

store::DropEvent to_row(const tracer::DropRecord& r) {
  return {r.wall_ns, r.reason, r.location, r.ifindex, r.netns, r.pkt.protocol, r.pkt.src, r.pkt.dst};
}

store::PathRow to_row(const tracer::PathRecord& r) {
  store::PathRow row;
  row.id = r.id;
  row.ts_ns = r.wall_ns;
  row.direction = r.direction;
  row.protocol = r.pkt.protocol;
  row.family = r.pkt.src.empty() ? 0 : (r.pkt.src.find(':') != std::string::npos ? 6 : 4);
  if (r.pkt.protocol == "arp") row.family = 0;
  row.l4_proto = tracer::l4_number(r.pkt.protocol);
  row.src = r.pkt.src;
  row.dst = r.pkt.dst;
  row.sport = r.pkt.sport;
  row.dport = r.pkt.dport;
  row.length = r.pkt.length;
  row.hops = static_cast<int64_t>(r.hops.size());
  row.latency_ns = r.latency_ns();
  row.dropped = r.dropped;
  row.reason = r.reason;
  row.comm = r.comm;
  row.tgid = r.tgid;
  row.ifindexes = csv_list(r.hops, &tracer::Hop::ifindex);
  row.netns = csv_list(r.hops, &tracer::Hop::netns);
  row.detail = tracer::path_detail_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return row;
}

bool RateLimiter::take(int64_t now_ns) {
  std::lock_guard lk(mu_);
  if (last_ns_ != 0) tokens_ = std::min(rate_, tokens_ + rate_ * static_cast<double>(now_ns - last_ns_) / 1e9);
  last_ns_ = now_ns;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

TracerSinks::TracerSinks(const Config& cfg, store::Database drops_db, store::Database paths_db,
                         api::StreamHub& hub, int64_t last_path_id)
    : hub_(hub),
      drops_(std::move(drops_db),
             {"drop records",
              [](store::Database& db, std::span<const store::DropEvent> rows) {
                return store::DropEventRepo(db).insert_batch(rows);
              },
              [rows = static_cast<int64_t>(cfg.drop_retention_rows),
               age = static_cast<int64_t>(cfg.drop_retention_age_s) * 1000000000LL](store::Database& db, int64_t now) {
                return store::DropEventRepo(db).enforce_retention(rows, age, now);
              }}),
      paths_(std::move(paths_db),
             {"packet paths",
              [](store::Database& db, std::span<const store::PathRow> rows) {
                return store::PathRepo(db).insert_batch(rows);
              },
              [rows = static_cast<int64_t>(cfg.path_retention_rows),
               age = static_cast<int64_t>(cfg.path_retention_age_s) * 1000000000LL](store::Database& db, int64_t now) {
                return store::PathRepo(db).enforce_retention(rows, age, now);
              }}),
      limiter_(cfg.path_store_rate),
      next_id_(last_path_id) {}

void TracerSinks::on_drop(tracer::DropRecord&& r) { drops_.push(to_row(r)); }

bool TracerSinks::admit(int64_t now_ns) {
  if (limiter_.take(now_ns)) return true;
  paths_limited_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void TracerSinks::on_path(tracer::PathRecord&& r, bool admitted) {
  if (!admitted && !admit(clock::monotonic_ns())) return;
  r.id = next_id_.fetch_add(1) + 1;
  auto summary = tracer::path_summary_json(r);
  if (paths_.push(to_row(r)) && hub_.path_subscribers() > 0) hub_.publish_path(summary, tracer::filter_input(r));
}

void TracerSinks::stop() noexcept {
  drops_.stop();
  paths_.stop();
}

}  // namespace pscope::daemon
