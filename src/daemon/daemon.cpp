// Daemon composition and shutdown order (see daemon.h).
#include "daemon/daemon.h"

#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>

#include "api/facade.h"
#include "api/http_server.h"
#include "api/routes.h"
#include "api/routes_analyzer.h"
#include "api/routes_guard.h"
#include "api/stream_hub.h"
#include "core/clock.h"
#include "core/fd.h"
#include "core/features.h"
#include "core/log.h"
#include "core/version.h"
#include "core/token.h"
#include "daemon/analyzer_service.h"
#include "daemon/guard_service.h"
#include "daemon/path_query.h"
#include "daemon/tracer_sinks.h"
#include "store/drop_event_repo.h"
#include "store/path_repo.h"
#include "store/migrations.h"
#include "tracer/filter.h"
#include "tracer/path_filter.h"
#include "tracer/sock_state.h"
#include "tracer/sockets.h"
#include "tracer/tracer.h"


namespace pscope::daemon {
namespace {

// The most recent socket state changes, in memory only: a bounded ring, so a connection storm
// costs fixed memory. Each change gets an id (1, 2, ...) that the API and the stream share.
class SockStateLog {
 public:
  static constexpr size_t kCapacity = 1000;

  // Records the change; returns its id.
  uint64_t add(tracer::SocketStateChange&& c) {
    std::lock_guard lk(mu_);
    if (items_.size() == kCapacity) items_.pop_front();
    items_.push_back({next_id_, std::move(c)});
    return next_id_++;
  }

  // Newest first.
  nlohmann::json newest(size_t limit) const {
    nlohmann::json out = nlohmann::json::array();
    std::lock_guard lk(mu_);
    for (auto it = items_.rbegin(); it != items_.rend() && out.size() < limit; ++it) out.push_back(with_id(*it));
    return out;
  }

 private:
  struct Entry {
    uint64_t id;
    tracer::SocketStateChange change;
  };
  static nlohmann::json with_id(const Entry& e) {
    auto j = tracer::to_json(e.change);
    j["id"] = e.id;
    return j;
  }
  mutable std::mutex mu_;
  std::deque<Entry> items_;
  uint64_t next_id_ = 1;
};

class DaemonFacade final : public api::Facade {
 public:
  DaemonFacade(const LoadedConfig& lc, std::vector<Feature> features, store::Database reader,
               tracer::Tracer* tracer, const SockStateLog& sock_states, const AnalyzerService& analyzer,
               const GuardService& guard)
      : lc_(lc), features_(std::move(features)), reader_(std::move(reader)), tracer_(tracer),
        sock_states_(sock_states), analyzer_(analyzer), guard_(guard), started_mono_(clock::monotonic_ns()),
        started_wall_(clock::realtime_ns()) {}

  api::HealthInfo health() const override {
    api::HealthInfo h;
    h.version = kVersion;
    h.uptime_s = static_cast<double>(clock::monotonic_ns() - started_mono_) / 1e9;
    h.started_wall_ns = started_wall_;
    h.features = features_;
    if (tracer_) h.modules.push_back(tracer_->status());
    else h.modules.push_back({"tracer", ModuleState::kDisabled, "disabled by configuration (tracer_enabled=false)"});
    h.modules.push_back(analyzer_.status());
    h.modules.push_back({"locator", ModuleState::kNotImplemented, "not part of this build yet"});
    h.modules.push_back(guard_.status());
    return h;
  }

  nlohmann::json config() const override {
    auto j = config_to_json(lc_.cfg);
    j["config_file"] = lc_.file;
    return j;
  }

  Result<tracer::TracerStats> tracer_stats() const override {
    if (!tracer_) return fail("the tracer is disabled (tracer_enabled=false)");
    return tracer_->stats();
  }

  Result<std::vector<api::DropItem>> recent_drops(int limit, std::optional<int64_t> before_id) const override {
    std::lock_guard lk(reader_mu_);
    store::DropEventRepo repo(reader_);
    auto rows = repo.recent(limit, before_id);
    if (!rows) return tl::unexpected(rows.error());
    std::vector<api::DropItem> out;
    for (const auto& r : *rows)
      out.push_back({r.id, r.ts_ns, r.reason, r.location, r.ifindex, r.netns, r.protocol, r.src, r.dst});
    return out;
  }

  Result<std::vector<store::PathRow>> recent_paths(const api::PathListQuery& q) const override {
    std::lock_guard lk(reader_mu_);
    return query_paths(reader_, q);  // socket cookies: the cheap sock_diag lookup (path_query.h)
  }

  Result<std::optional<store::PathRow>> path(int64_t id) const override {
    std::lock_guard lk(reader_mu_);
    return store::PathRepo(reader_).get(id);
  }

  Result<nlohmann::json> sockets(const std::string& proto) const override {
    tracer::SocketQuery q;
    if (!proto.empty()) q.tcp = q.udp = q.raw = false;
    if (proto == "tcp") q.tcp = true;
    if (proto == "udp") q.udp = true;
    if (proto == "raw") q.raw = true;
    auto socks = tracer::list_sockets(q);
    if (!socks) return tl::unexpected(socks.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : *socks) items.push_back(tracer::to_json(s));
    return items;
  }

  Result<nlohmann::json> socket_events(int limit) const override {
    if (!tracer_) return fail("the tracer is disabled (tracer_enabled=false): socket state changes come from it");
    return sock_states_.newest(static_cast<size_t>(std::max(limit, 0)));
  }

 private:
  const LoadedConfig& lc_;
  std::vector<Feature> features_;
  mutable std::mutex reader_mu_;
  mutable store::Database reader_;
  tracer::Tracer* tracer_;
  const SockStateLog& sock_states_;
  const AnalyzerService& analyzer_;
  const GuardService& guard_;
  int64_t started_mono_;
  int64_t started_wall_;
};

Result<void> write_ready_file(const std::string& path, const std::string& url, uint16_t port,
                              const std::string& token) {
  nlohmann::json j = {{"url", url}, {"port", port}, {"token", token}, {"pid", ::getpid()}};
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_error("create ready file " + tmp);
  std::string s = j.dump() + "\n";
  if (::write(fd.get(), s.data(), s.size()) != static_cast<ssize_t>(s.size()))
    return errno_error("write ready file " + tmp);
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return errno_error("rename ready file to " + path);
  return {};
}

Result<store::Database> open_db(const std::string& data_dir) {
  auto db = store::Database::open(data_dir + "/packetscope.db");
  if (!db) return db;
  auto v = store::migrate(*db);
  if (!v) return tl::unexpected(v.error());
  return db;
}

std::string resolve_web_root(const Config& cfg) {
  if (!cfg.web_root.empty()) return cfg.web_root;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share/packetscope/web";
    if (std::filesystem::exists(installed / "index.html", ec)) return installed.string();
  }
  return kBuiltWebRoot;
}

}  // namespace

int serve(const LoadedConfig& lc) {
  const Config& cfg = lc.cfg;
  // Signals are taken synchronously by this thread with sigwait; block them before any thread
  // starts so no other thread is interrupted.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  log::route_libbpf();
  if (::geteuid() != 0) spdlog::warn("not running as root: kernel programs will not load (see `packetscope doctor`)");
  auto token = load_or_create_token(cfg.data_dir);
  if (!token) {
    spdlog::error("{}", token.error().what);
    return 1;
  }
  if (auto r = ensure_bpffs(); !r) spdlog::warn("{}", r.error().what);
  auto features = detect_features();
  for (const auto& f : features)
    spdlog::info("feature {:<8} {:<3} {}", f.name, f.available ? "yes" : "no", f.detail);

  // The kept-paths filter is checked before anything is attached: a typo is a start-up error.
  auto path_filter = tracer::Filter::parse(cfg.tracer_filter, [](std::string_view name) -> std::optional<uint32_t> {
    unsigned idx = if_nametoindex(std::string(name).c_str());
    return idx ? std::optional<uint32_t>(idx) : std::nullopt;
  });
  if (!path_filter) {
    spdlog::error("tracer_filter: {}", path_filter.error().what);
    return 2;
  }
  // One connection per thread: drop writer, path writer, API reader.
  auto drops_db = open_db(cfg.data_dir);
  if (!drops_db) {
    spdlog::error("database: {}", drops_db.error().what);
    return 1;
  }
  auto paths_db = store::Database::open(cfg.data_dir + "/packetscope.db");
  auto reader_db = store::Database::open(cfg.data_dir + "/packetscope.db");
  if (!paths_db || !reader_db) {
    spdlog::error("database: {}", (!paths_db ? paths_db.error() : reader_db.error()).what);
    return 1;
  }
  auto last_path_id = store::PathRepo(*reader_db).last_id();
  if (!last_path_id) {
    spdlog::error("database: {}", last_path_id.error().what);
    return 1;
  }

  api::StreamHub hub;
  TracerSinks sinks(cfg, std::move(*drops_db), std::move(*paths_db), hub, *last_path_id);
  SockStateLog sock_states;
  std::unique_ptr<tracer::Tracer> tracer;
  if (cfg.tracer_enabled) {
    tracer::TracerOptions topts;
    topts.drop_sample = cfg.tracer_drop_sample;
    topts.track_paths = cfg.tracer_paths;
    topts.path_rate = cfg.tracer_path_rate;
    if (path_filter->empty()) topts.path_admit = [&sinks] { return sinks.admit(clock::monotonic_ns()); };
    tracer = std::make_unique<tracer::Tracer>(
        topts, [&sinks](tracer::DropRecord&& r) { sinks.on_drop(std::move(r)); },
        [&sinks, &path_filter](tracer::PathRecord&& r) {
          // The kernel applied the prefilter; the full expression is checked here. Without an
          // expression the rate limit was applied before decoding (path_admit).
          if (path_filter->empty()) sinks.on_path(std::move(r), true);
          else if (path_filter->matches(tracer::filter_input(r))) sinks.on_path(std::move(r));
        },
        [&sock_states, &hub](tracer::SocketStateChange&& c) {
          if (hub.subscribers() == 0) {
            sock_states.add(std::move(c));
            return;
          }
          auto j = tracer::to_json(c);  // the same object GET /api/v1/sockets/events lists
          j["id"] = sock_states.add(std::move(c));
          hub.publish("sockets.state", j);
        });
    if (auto r = tracer->check_support(); !r) spdlog::error("tracer cannot run here: {}", r.error().what);
    else if (auto s = tracer->start(); !s) spdlog::error("tracer failed to start: {}", s.error().what);
    else {
      ps_filter kf = path_filter->kernel_prefilter();
      if (cfg.tracer_path_sample > 1) {
        kf.sample = cfg.tracer_path_sample;
        kf.enabled = 1;
      }
      if (auto f = tracer->set_filter(kf); !f) spdlog::error("tracer: {}", f.error().what);
    }
  }

  // The analyzer's own connections: its sample writer thread and the API thread's reads.
  auto analyzer_w = store::Database::open(cfg.data_dir + "/packetscope.db");
  auto analyzer_r = store::Database::open(cfg.data_dir + "/packetscope.db");
  if (!analyzer_w || !analyzer_r) {
    spdlog::error("database: {}", (!analyzer_w ? analyzer_w.error() : analyzer_r.error()).what);
    return 1;
  }
  AnalyzerService analyzer(cfg, std::move(*analyzer_w), std::move(*analyzer_r), hub);
  analyzer.start();

  // The Guarder's connections: rule and audit writes, and dry-run reads of stored packets.
  auto guard_db = store::Database::open(cfg.data_dir + "/packetscope.db");
  auto guard_history = store::Database::open(cfg.data_dir + "/packetscope.db");
  if (!guard_db || !guard_history) {
    spdlog::error("database: {}", (!guard_db ? guard_db.error() : guard_history.error()).what);
    return 1;
  }
  GuardService guard(cfg, std::move(*guard_db), std::move(*guard_history), hub);
  guard.start();

  DaemonFacade facade(lc, features, std::move(*reader_db), tracer.get(), sock_states, analyzer, guard);
  api::Router router;
  api::register_routes(router, facade);
  api::register_analyzer_routes(router, analyzer);
  api::register_guard_routes(router, guard);
  api::ServerOptions so;
  so.host = cfg.listen_host;
  so.port = cfg.listen_port;
  so.web_root = resolve_web_root(cfg);
  so.token = *token;
  so.allowed_origins = cfg.allowed_origins;
  so.bulk_paths = {"/api/v1/guard/rules/import"};  // 100 000 rules are ~25 MB of JSON
  api::HttpServer server(so, router, hub, [] { return nlohmann::json{{"version", kVersion}}; });
  if (auto r = server.start(); !r) {
    spdlog::error("{}", r.error().what);
    return 1;
  }
  guard.set_api_port(server.port());  // an ephemeral port (listen ...:0) is known only now
  std::string host = cfg.listen_host.find(':') != std::string::npos ? "[" + cfg.listen_host + "]" : cfg.listen_host;
  std::string url = "http://" + host + ":" + std::to_string(server.port()) + "/";
  std::printf("PacketScope is serving on %s\nOpen: %s#token=%s\n", url.c_str(), url.c_str(), token->c_str());
  std::fflush(stdout);
  if (!cfg.ready_file.empty())
    if (auto r = write_ready_file(cfg.ready_file, url, server.port(), *token); !r) spdlog::error("{}", r.error().what);

  // Live stream: one snapshot a second.
  std::atomic<bool> stopping{false};
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  std::thread ticker([&] {
    std::unique_lock lk(tick_mu);
    while (!tick_cv.wait_for(lk, std::chrono::seconds(1), [&] { return stopping.load(); })) {
      if (hub.subscribers() == 0 || !tracer) continue;
      if (auto s = tracer->stats()) hub.publish("tracer.stats", api::to_json(*s));
    }
  });

  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  {
    std::lock_guard lk(tick_mu);
    stopping = true;
  }
  tick_cv.notify_all();
  ticker.join();
  server.stop();
  guard.stop();                // the pinned rules keep enforcing after the daemon exits
  if (tracer) tracer->stop();  // detaches every tracepoint
  analyzer.stop();             // detaches the analyzer, flushes its queued samples
  sinks.stop();                // flushes queued drop records and paths
  if (!cfg.ready_file.empty()) ::unlink(cfg.ready_file.c_str());
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace pscope::daemon
