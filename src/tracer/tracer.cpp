// Tracer module life cycle: open -> configure rodata -> load -> attach -> poll -> destroy.
#include "tracer/tracer.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "core/bpf.h"
#include "core/clock.h"
#include "core/features.h"
#include "core/ksyms.h"
#include "tracer.skel.h"

namespace pscope::tracer {

using TracerSkel = PSCOPE_SKEL(tracer_bpf);

struct Tracer::Impl {
  TracerOptions opts;
  DropSink sink;
  std::optional<TracerSkel> skel;
  bpf::RingBuffer rb;
  std::thread poller;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> decoded{0};
  std::map<int64_t, std::string> reasons;
  std::optional<Kallsyms> ksyms;
  mutable std::mutex mu;  // guards state/detail
  ModuleState state = ModuleState::kStopped;
  std::string detail;

  void set_state(ModuleState s, std::string d) {
    std::lock_guard lk(mu);
    state = s;
    detail = std::move(d);
  }

  static int on_event(void* ctx, void* data, size_t size) {
    auto* self = static_cast<Impl*>(ctx);
    if (size < sizeof(ps_drop_event)) return 0;
    const auto* ev = static_cast<const ps_drop_event*>(data);
    if (ev->kind != PS_EV_DROP) return 0;
    DropRecord r;
    r.wall_ns = clock::mono_to_wall_ns(static_cast<int64_t>(ev->ts_ns));
    r.reason_code = ev->reason;
    auto it = self->reasons.find(ev->reason);
    r.reason = it != self->reasons.end() ? it->second : "reason_" + std::to_string(ev->reason);
    r.location = self->ksyms ? self->ksyms->describe(ev->location) : "";
    r.ifindex = ev->ifindex;
    r.netns = ev->netns;
    r.pkt = summarize(ev->meta);
    uint32_t cap = std::min<uint32_t>(ev->caplen, PS_HDR_CAP);
    r.bytes.assign(ev->data, ev->data + cap);
    self->decoded.fetch_add(1, std::memory_order_relaxed);
    if (self->sink) self->sink(std::move(r));
    return 0;
  }
};

Tracer::Tracer(TracerOptions opts, DropSink sink) : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
  impl_->sink = std::move(sink);
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
  // The TC classifier is attached per interface by whoever needs it, not by the skeleton.
  bpf_program__set_autoattach((*skel)->progs.tracer_tc, false);
  if (auto r = skel->load(); !r) return im.set_state(ModuleState::kFailed, r.error().what), r;
  if (auto r = skel->attach(); !r) return im.set_state(ModuleState::kFailed, r.error().what), r;
  im.rb.reset(ring_buffer__new(bpf_map__fd((*skel)->maps.tracer_events), &Impl::on_event, &im, nullptr));
  if (!im.rb) {
    auto e = errno_error("create ring buffer reader for tracer_events");
    im.set_state(ModuleState::kFailed, e.value().what);
    return e;
  }
  im.skel.emplace(std::move(*skel));
  im.stopping = false;
  im.poller = std::thread([&im] {
    while (!im.stopping.load()) {
      int n = ring_buffer__poll(im.rb.get(), 200);
      if (n < 0 && n != -EINTR) {
        spdlog::error("tracer: ring buffer poll failed: {}", std::strerror(-n));
        break;
      }
    }
  });
  im.set_state(ModuleState::kRunning,
               "tp_btf: netif_receive_skb, net_dev_xmit, consume_skb, kfree_skb; " +
                   std::to_string(im.reasons.size()) + " drop reasons from BTF");
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
                            {PS_TC_SAMPLED_OUT, &s.sampled_out}})
    if (auto r = rd(static_cast<unsigned>(idx), *field); !r) return tl::unexpected(r.error());
  s.decoded = im.decoded.load();
  return s;
}

}  // namespace pscope::tracer
