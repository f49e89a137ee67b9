// Analyzer module life cycle: open -> configure rodata -> load -> attach -> collect every
// interval on its own thread -> destroy. The kernel aggregates; this only reads maps.
#include "analyzer/analyzer.h"

#include <net/if.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "analyzer.skel.h"
#include "analyzer/collector.h"
#include "analyzer/drop_layers.h"
#include "analyzer/snapshot_builder.h"
#include "core/bpf.h"
#include "core/features.h"

namespace pscope::analyzer {

using AnalyzerSkel = PSCOPE_SKEL(analyzer_bpf);

namespace {

uint32_t own_netns() {
  struct stat st {};
  return stat("/proc/self/ns/net", &st) == 0 ? static_cast<uint32_t>(st.st_ino) : 0;
}

Result<void> validate(const AnalyzerOptions& o) {
  using std::chrono::milliseconds;
  if (o.interval < milliseconds(100) || o.interval > milliseconds(3'600'000))
    return fail("analyzer interval must be between 100 ms and 1 h (got " + std::to_string(o.interval.count()) + " ms)");
  if (o.latency_sample < 1 || o.latency_sample > 1'000'000)
    return fail("analyzer latency_sample must be between 1 and 1000000 (got " + std::to_string(o.latency_sample) + ")");
  if (o.flows_max < 256 || o.flows_max > (1u << 24))
    return fail("analyzer flows_max must be between 256 and 16777216 (got " + std::to_string(o.flows_max) + ")");
  if (o.top_n < 1 || o.top_n > 100'000)
    return fail("analyzer top_n must be between 1 and 100000 (got " + std::to_string(o.top_n) + ")");
  return {};
}

}  // namespace

struct Analyzer::Impl {
  AnalyzerOptions opts;
  SnapshotSink sink;
  std::optional<AnalyzerSkel> skel;
  KernelMaps maps;
  std::optional<SnapshotBuilder> builder;
  std::thread collector;
  std::mutex wake_mu;
  std::condition_variable wake;
  bool stopping = false;  // guarded by wake_mu
  mutable std::mutex mu;  // guards latest, state, detail
  Snapshot latest;
  ModuleState state = ModuleState::kStopped;
  std::string detail;

  void set_state(ModuleState s, std::string d) {
    std::lock_guard lk(mu);
    state = s;
    detail = std::move(d);
  }

  Result<void> fail_start(const Error& e) {
    set_state(ModuleState::kFailed, e.what);
    skel.reset();
    return tl::unexpected(e);
  }

  // One interval: read the kernel, build, publish. A read error is logged, not fatal: the
  // next interval tries again.
  void collect_once() {
    auto raw = read_kernel(maps);
    if (!raw) {
      spdlog::warn("analyzer: {}", raw.error().what);
      return;
    }
    Snapshot s = builder->build(*raw);
    {
      std::lock_guard lk(mu);
      latest = s;
    }
    if (sink) sink(s);
  }

  void run() {
    auto next = std::chrono::steady_clock::now() + opts.interval;
    std::unique_lock lk(wake_mu);
    while (!stopping) {
      if (wake.wait_until(lk, next, [this] { return stopping; })) break;
      lk.unlock();
      collect_once();
      lk.lock();
      next += opts.interval;
      auto now = std::chrono::steady_clock::now();
      if (next < now) next = now + opts.interval;  // fell behind (suspend, slow read): no burst
    }
  }
};

Analyzer::Analyzer(AnalyzerOptions opts, SnapshotSink sink) : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
  impl_->sink = std::move(sink);
}

Analyzer::~Analyzer() { stop(); }

Result<void> Analyzer::check_support() {
  if (auto v = validate(impl_->opts); !v) return v;
  auto features = detect_features();
  for (const char* need : {"btf", "tp_btf"}) {
    const Feature* f = find_feature(features, need);
    if (!f || !f->available)
      return fail(std::string("analyzer needs ") + need + ": " + (f ? f->detail : "not detected"));
  }
  return {};
}

Result<void> Analyzer::start() {
  auto& im = *impl_;
  if (im.skel) return {};
  if (auto v = validate(im.opts); !v) return im.fail_start(v.error());
  im.set_state(ModuleState::kStarting, "loading tracepoint programs");
  BuilderOptions bo;
  bo.top_n = im.opts.top_n;
  bo.latency_sample = im.opts.latency_sample;
  if (auto names = load_drop_reason_names()) bo.reasons = std::move(*names);
  else spdlog::warn("analyzer: drop reasons will be numeric: {}", names.error().what);
  const uint32_t self_ns = own_netns();
  bo.ifname = [self_ns](uint32_t ifindex, uint32_t netns) -> std::string {
    char buf[IF_NAMESIZE] = {};
    if (netns != self_ns || !if_indextoname(ifindex, buf)) return "";  // only our namespace's names
    return buf;
  };
  const size_t nreasons = bo.reasons.size();

  auto skel = AnalyzerSkel::open("analyzer");
  if (!skel) return im.fail_start(skel.error());
  (*skel)->rodata->cfg_latency_sample = im.opts.latency_sample;
  (*skel)->rodata->cfg_netns_filter = im.opts.netns_filter;
  if (int err = bpf_map__set_max_entries((*skel)->maps.analyzer_flows, im.opts.flows_max); err)
    return im.fail_start(sys_error(err, "size the analyzer flow table").value());
  if (auto r = skel->load(); !r) return im.fail_start(r.error());
  if (auto r = skel->attach(); !r) return im.fail_start(r.error());
  im.skel.emplace(std::move(*skel));
  auto* s = im.skel->get();
  im.maps = {s->maps.analyzer_counters, s->maps.analyzer_hist, s->maps.analyzer_drops,
             s->maps.analyzer_flows,    s->maps.analyzer_ifaces, s->maps.analyzer_inflight,
             &s->bss->an_epoch};
  im.builder.emplace(std::move(bo));
  // A baseline reading, so that the first snapshot (one interval from now) has rates.
  auto base = read_kernel(im.maps);
  if (!base) return im.fail_start(base.error());
  (void)im.builder->build(*base);
  {
    std::lock_guard lk(im.wake_mu);
    im.stopping = false;
  }
  im.collector = std::thread([&im] { im.run(); });
  im.set_state(ModuleState::kRunning,
               "15 tracepoints; snapshot every " + std::to_string(im.opts.interval.count()) + " ms; latency 1 in " +
                   std::to_string(im.opts.latency_sample) + (im.opts.netns_filter ? "; netns " + std::to_string(im.opts.netns_filter) : "") +
                   "; " + std::to_string(nreasons) + " drop reasons from BTF");
  spdlog::info("analyzer: attached (interval {} ms, latency 1 in {})", im.opts.interval.count(), im.opts.latency_sample);
  return {};
}

void Analyzer::stop() noexcept {
  auto& im = *impl_;
  {
    std::lock_guard lk(im.wake_mu);
    im.stopping = true;
  }
  im.wake.notify_all();
  if (im.collector.joinable()) im.collector.join();
  const bool was_loaded = im.skel.has_value();
  im.skel.reset();  // destroys the links: every tracepoint is detached here
  im.maps = {};
  if (was_loaded) {
    im.set_state(ModuleState::kStopped, "detached");
    spdlog::info("analyzer: detached");
  }
}

ModuleStatus Analyzer::status() const {
  std::lock_guard lk(impl_->mu);
  return {"analyzer", impl_->state, impl_->detail};
}

Snapshot Analyzer::latest() const {
  std::lock_guard lk(impl_->mu);
  return impl_->latest;
}

}  // namespace pscope::analyzer
