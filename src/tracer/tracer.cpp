// Tracer module life cycle: open -> configure rodata -> load -> attach -> poll -> destroy.
#include "tracer/tracer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "core/bpf.h"
#include "core/clock.h"
#include "core/features.h"
#include "core/ksyms.h"
#include "tracer.skel.h"

namespace pscope::tracer {

using TracerSkel = PSCOPE_SKEL(tracer_bpf);

struct Tracer::Impl final : Namer {
  TracerOptions opts;
  DropSink sink;
  PathSink path_sink;
  SockStateSink sock_sink;
  std::optional<TracerSkel> skel;
  bpf::RingBuffer rb;
  std::thread poller;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> decoded{0};
  std::atomic<uint64_t> expired{0};
  std::atomic<uint64_t> inflight{0};  // entries the last sweep found still in flight  // in-flight entries reported by sweep_inflight()
  ps_filter filter{};                // the prefilter last set (guarded by mu)
  std::map<int64_t, std::string> reasons;
  std::optional<Kallsyms> ksyms;
  mutable std::mutex mu;  // guards state/detail
  ModuleState state = ModuleState::kStopped;
  std::string detail;

  std::string drop_reason(uint32_t code) const override {
    auto it = reasons.find(code);
    return it != reasons.end() ? it->second : "reason_" + std::to_string(code);
  }
  std::string symbol(uint64_t addr) const override { return ksyms ? ksyms->describe(addr) : ""; }

  static int on_path(void* ctx, void* data, size_t size) {
    auto* self = static_cast<Impl*>(ctx);
    // Records end after their last hop (PS_PATH_EVENT_SIZE): the rest of the struct is zeroed.
    if (size < PS_PATH_EVENT_SIZE(1) || size > sizeof(ps_path_event) || !self->path_sink) return 0;
    if (self->opts.path_admit && !self->opts.path_admit()) return 0;
    static thread_local ps_path_event ev;
    std::memcpy(&ev, data, size);
    std::memset(reinterpret_cast<char*>(&ev) + size, 0, sizeof(ev) - size);
    if (size != PS_PATH_EVENT_SIZE(std::min<uint32_t>(ev.nhops, PS_MAX_HOPS))) return 0;  // not what the kernel writes
    int64_t offset = clock::realtime_ns() - clock::monotonic_ns();
    self->path_sink(decode_path(ev, offset, *self));
    return 0;
  }

  // Packets the kernel freed without a tracepoint stay in the in-flight table; this reports
  // and forgets them (PS_PATH_EXPIRED) so that they neither vanish nor linger (see path_abi.h).
  void sweep_inflight() {
    if (!skel || !path_sink) return;
    int fd = bpf_map__fd((*skel)->maps.tracer_inflight);
    const uint64_t now = static_cast<uint64_t>(clock::monotonic_ns());
    std::vector<uint64_t> stale;
    uint64_t key = 0, next = 0;
    bool first = true;
    static thread_local ps_path_event ev;  // 960 bytes: not on the stack
    uint64_t entries = 0;
    for (uint32_t guard = 0; guard < 2 * opts.inflight_max + 16; ++guard) {
      if (bpf_map_get_next_key(fd, first ? nullptr : &key, &next) != 0) break;
      first = false;
      key = next;
      ++entries;
      if (bpf_map_lookup_elem(fd, &key, &ev) != 0 || ev.nhops == 0) continue;
      uint32_t last = std::min<uint32_t>(ev.nhops, PS_MAX_HOPS) - 1;
      uint16_t hook = ev.hops[last].hook;
      // Delivered locally (PS_PATH_LOCAL, bit 18 in path.bpf.h) or last seen in TCP/socket
      // receive: nothing traced follows if the kernel freed it untraced.
      bool idle_end = hook == PS_HOOK_TCP_RCV || hook == PS_HOOK_COPY_TO_USER || (ev.flags & (1u << 18));
      if ((idle_end && now - ev.hops[last].ts_ns > PS_PATH_IDLE_NS) || now - ev.hops[0].ts_ns > PS_PATH_MAX_AGE_NS)
        stale.push_back(key);
    }
    inflight.store(entries - std::min<uint64_t>(entries, stale.size()), std::memory_order_relaxed);
    if (entries == 0) quiesce(fd);
    ps_filter f{};
    {
      std::lock_guard lk(mu);
      f = filter;
    }
    for (uint64_t k : stale) {
      // Read, then delete: only a successful delete makes the record ours to report.
      if (bpf_map_lookup_elem(fd, &k, &ev) != 0) continue;
      if (bpf_map_delete_elem(fd, &k) != 0) continue;
      expired.fetch_add(1, std::memory_order_relaxed);
      if (f.enabled && (f.drop_only || (f.ifindex && !(ev.flags & (1u << 16))) || (f.netns && !(ev.flags & (1u << 17)))))
        continue;  // the kernel's path terms (see path.bpf.h: PS_PATH_SEEN_DEV/NETNS)
      // Routed to a local address and then idle: delivered to a socket that read it without a
      // traced copy (UDP copies linear skbs directly) and freed untraced.
      const bool delivered = ev.flags & (1u << 18);
      ev.flags = (ev.flags & 0xffffu) | (delivered ? PS_PATH_END_IMPLICIT : PS_PATH_EXPIRED);
      if (opts.path_admit && !opts.path_admit()) continue;
      int64_t offset = clock::realtime_ns() - clock::monotonic_ns();
      path_sink(decode_path(ev, offset, *this));
    }
  }

  uint32_t rate_per_cpu() const {
    if (!opts.path_rate) return 0;
    const int n = libbpf_num_possible_cpus();
    const uint32_t cpus = n > 0 ? static_cast<uint32_t>(n) : 1;
    return (opts.path_rate + cpus - 1) / cpus;
  }

  // Nothing in flight: lets the kernel's hooks return at once again (tracer_any in
  // path_track.bpf.h). Reset first, then look: an insert that raced the reset is either seen
  // here (and the flag restored) or ran its own 0 -> 1 after the reset.
  void quiesce(int fd) {
    uint32_t* any = &(*skel)->bss->tracer_any;
    if (__atomic_load_n(any, __ATOMIC_RELAXED) == 0) return;
    __atomic_store_n(any, 0, __ATOMIC_SEQ_CST);
    uint64_t k = 0;
    if (bpf_map_get_next_key(fd, nullptr, &k) == 0) __atomic_store_n(any, 1, __ATOMIC_SEQ_CST);
  }

  void set_state(ModuleState s, std::string d) {
    std::lock_guard lk(mu);
    state = s;
    detail = std::move(d);
  }

  // tracer_events holds records of several kinds and sizes; each has its kind at the same offset.
  static int on_event(void* ctx, void* data, size_t size) {
    auto* self = static_cast<Impl*>(ctx);
    if (size < PS_EV_KIND_OFFSET + sizeof(uint32_t)) return 0;
    uint32_t kind = 0;
    std::memcpy(&kind, static_cast<const char*>(data) + PS_EV_KIND_OFFSET, sizeof(kind));
    if (kind == PS_EV_DROP && size >= sizeof(ps_drop_event))
      self->on_drop(*static_cast<const ps_drop_event*>(data));
    else if (kind == PS_EV_SOCK_STATE && size >= sizeof(ps_sock_event) && self->sock_sink)
      self->sock_sink(decode_sock_state(*static_cast<const ps_sock_event*>(data),
                                        clock::realtime_ns() - clock::monotonic_ns()));
    return 0;
  }

  void on_drop(const ps_drop_event& ev) {
    DropRecord r;
    r.wall_ns = clock::mono_to_wall_ns(static_cast<int64_t>(ev.ts_ns));
    r.reason_code = ev.reason;
    r.reason = drop_reason(ev.reason);
    r.location = symbol(ev.location);
    r.ifindex = ev.ifindex;
    r.netns = ev.netns;
    r.pkt = summarize(ev.meta);
    uint32_t cap = std::min<uint32_t>(ev.caplen, PS_HDR_CAP);
    r.bytes.assign(ev.data, ev.data + cap);
    decoded.fetch_add(1, std::memory_order_relaxed);
    if (sink) sink(std::move(r));
  }
};

Tracer::Tracer(TracerOptions opts, DropSink drops, PathSink paths, SockStateSink sock_states)
    : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
  impl_->sink = std::move(drops);
  impl_->path_sink = std::move(paths);
  impl_->sock_sink = std::move(sock_states);
}

Tracer::~Tracer() { stop(); }

Result<void> Tracer::check_support() {
  auto features = detect_features();
  for (const char* need : {"btf", "tp_btf", "ringbuf"}) {
    const Feature* f = find_feature(features, need);
    if (!f || !f->available)
      return fail(std::string("tracer needs ") + need + ": " + (f ? f->detail : "not detected"));
  }
  return {};
}

Result<void> Tracer::start() {
  auto& im = *impl_;
  if (im.skel) return {};
  im.set_state(ModuleState::kStarting, "loading tracepoint programs");
  auto reasons = btf_enum_names("skb_drop_reason", "SKB_DROP_REASON_");
  if (reasons) im.reasons = std::move(*reasons);
  else spdlog::warn("tracer: drop reasons will be numeric: {}", reasons.error().what);
  auto ks = Kallsyms::load();
  if (ks) im.ksyms = std::move(*ks);
  else spdlog::warn("tracer: drop locations will be raw addresses: {}", ks.error().what);

  auto skel = TracerSkel::open("tracer");
  if (!skel) return im.set_state(ModuleState::kFailed, skel.error().what), tl::unexpected(skel.error());
  (*skel)->rodata->cfg_drop_sample = im.opts.drop_sample;
  (*skel)->rodata->cfg_netns_filter = im.opts.netns_filter;
  (*skel)->rodata->cfg_emit_tc_events = im.opts.emit_tc_events ? 1 : 0;
  (*skel)->rodata->cfg_track_paths = im.opts.track_paths ? 1 : 0;
  (*skel)->rodata->cfg_drop_records = im.opts.drop_records ? 1 : 0;
  if (int err = bpf_map__set_max_entries((*skel)->maps.tracer_inflight, im.opts.inflight_max); err)
    return sys_error(err, "size the in-flight packet table");
  // The TC classifier is attached per interface by whoever needs it, not by the skeleton.
  bpf_program__set_autoattach((*skel)->progs.tracer_tc, false);
  // Socket state records cost a ring-buffer slot per change: only load the program for a consumer.
  if (!im.sock_sink) bpf_program__set_autoload((*skel)->progs.tracer_sock_state, false);
  if (auto r = skel->load(); !r) return im.set_state(ModuleState::kFailed, r.error().what), r;
  if (auto r = skel->attach(); !r) return im.set_state(ModuleState::kFailed, r.error().what), r;
  im.rb.reset(ring_buffer__new(bpf_map__fd((*skel)->maps.tracer_events), &Impl::on_event, &im, nullptr));
  if (!im.rb) {
    auto e = errno_error("create ring buffer reader for tracer_events");
    im.set_state(ModuleState::kFailed, e.value().what);
    return e;
  }
  if (int err = ring_buffer__add(im.rb.get(), bpf_map__fd((*skel)->maps.tracer_paths_rb), &Impl::on_path, &im); err) {
    auto e = sys_error(err, "add ring buffer reader for tracer_paths_rb");
    im.set_state(ModuleState::kFailed, e.value().what);
    return e;
  }
  im.skel.emplace(std::move(*skel));
  if (im.opts.path_rate) {
    ps_filter none{};  // no filter yet: the rate limit alone
    if (auto r = set_filter(none); !r) return im.set_state(ModuleState::kFailed, r.error().what), r;
  }
  im.stopping = false;
  im.poller = std::thread([&im] {
    int64_t next_sweep = clock::monotonic_ns() + 1'000'000'000;
    while (!im.stopping.load()) {
      // Records do not wake us one by one (see rb__flags in tracer.bpf.c): 100 ms is the
      // longest a record waits at low rates.
      int n = ring_buffer__poll(im.rb.get(), 100);
      if (n < 0 && n != -EINTR) {
        spdlog::error("tracer: ring buffer poll failed: {}", std::strerror(-n));
        break;
      }
      // A timed-out poll reads nothing: drain what arrived without a wake-up.
      if (n == 0) ring_buffer__consume(im.rb.get());
      if (clock::monotonic_ns() >= next_sweep) {
        im.sweep_inflight();
        next_sweep = clock::monotonic_ns() + 1'000'000'000;
      }
    }
  });
  im.set_state(ModuleState::kRunning,
               std::string(im.opts.track_paths ? "following packets through 19 tracepoints; " : "drop records only; ") +
                   (im.sock_sink ? "socket state changes; " : "") + std::to_string(im.reasons.size()) +
                   " drop reasons from BTF");
  spdlog::info("tracer: attached ({} drop reasons, {} kernel symbols)", im.reasons.size(),
               im.ksyms ? im.ksyms->size() : 0);
  return {};
}

void Tracer::stop() noexcept {
  auto& im = *impl_;
  im.stopping = true;
  if (im.poller.joinable()) im.poller.join();
  if (im.rb) ring_buffer__consume(im.rb.get());
  im.rb.reset();
  bool was_loaded = im.skel.has_value();
  im.skel.reset();  // destroys links: every tracepoint is detached here
  if (was_loaded) {
    im.set_state(ModuleState::kStopped, "detached");
    spdlog::info("tracer: detached");
  }
}

ModuleStatus Tracer::status() const {
  std::lock_guard lk(impl_->mu);
  return {"tracer", impl_->state, impl_->detail};
}

Result<TracerStats> Tracer::stats() const {
  auto& im = *impl_;
  if (!im.skel) return fail("tracer is not running");
  const bpf_map* m = (*im.skel)->maps.tracer_counters;
  TracerStats s;
  auto rd = [&](unsigned idx, uint64_t& out) -> Result<void> {
    auto v = bpf::sum_percpu_u64(m, idx);
    if (!v) return tl::unexpected(v.error());
    out = *v;
    return {};
  };
  for (auto [idx, field] : {std::pair{PS_TC_RX, &s.packets_rx}, {PS_TC_TX, &s.packets_tx},
                            {PS_TC_DROP, &s.drops}, {PS_TC_CONSUME, &s.consumed},
                            {PS_TC_RB_LOST, &s.ringbuf_lost}, {PS_TC_TC_SEEN, &s.tc_seen},
                            {PS_TC_SAMPLED_OUT, &s.sampled_out}, {PS_TC_PATHS, &s.paths},
                            {PS_TC_PATH_LOST, &s.paths_lost}, {PS_TC_PATH_UNTRACKED, &s.paths_untracked},
                            {PS_TC_PATH_RATE_LIMITED, &s.paths_rate_limited}})
    if (auto r = rd(static_cast<unsigned>(idx), *field); !r) return tl::unexpected(r.error());
  s.decoded = im.decoded.load();
  s.paths_expired = im.expired.load();
  s.inflight = im.inflight.load(std::memory_order_relaxed);
  return s;
}

Result<void> Tracer::set_filter(const ps_filter& filter) {
  auto& im = *impl_;
  if (!im.skel) return fail("tracer is not running");
  ps_filter f = filter;
  f.rate_per_cpu = im.rate_per_cpu();
  unsigned zero = 0;
  if (int err = bpf_map__update_elem((*im.skel)->maps.tracer_filter, &zero, sizeof(zero), &f, sizeof(f), BPF_ANY); err)
    return sys_error(err, "update tracer_filter");
  std::lock_guard lk(im.mu);
  im.filter = f;
  return {};
}

}  // namespace pscope::tracer
