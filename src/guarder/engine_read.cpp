// Engine read side: per-rule counters, global stats, the XDP flow table and the log ring
// buffer. Per-CPU values are summed here; kernel stamps (coarse monotonic for counters and
// flows, boot time for log samples) become wall-clock time.
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "guarder/engine_impl.h"

namespace pscope::guarder {
namespace {

size_t percpu_stride(size_t value_size) { return (value_size + 7) / 8 * 8; }

int64_t to_wall(uint64_t kernel_ns, int64_t offset) {
  return kernel_ns ? static_cast<int64_t>(kernel_ns) + offset : 0;
}

std::string addr_text(uint8_t family, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
  return buf;
}

}  // namespace

Result<void> map_update_many(int fd, const void* keys, const void* values, uint32_t n,
                             uint32_t key_size, uint32_t value_size, const char* what) {
  if (n == 0) return {};
  uint32_t count = n;
  if (bpf_map_update_batch(fd, keys, values, &count, nullptr) == 0) return {};
  if (count > n) count = 0;
  auto k = static_cast<const uint8_t*>(keys);
  auto v = static_cast<const uint8_t*>(values);
  for (uint32_t i = count; i < n; i++)  // no batch support, or a partial batch: finish singly
    if (int err = bpf_map_update_elem(fd, k + size_t(i) * key_size, v + size_t(i) * value_size, BPF_ANY); err)
      return sys_error(err, fmt::format("write {} ({} entries)", what, n));
  return {};
}

Result<void> array_lookup_range(int fd, uint32_t start, uint32_t n, void* values,
                                uint32_t value_size, const char* what) {
  auto out = static_cast<uint8_t*>(values);
  std::vector<uint32_t> keys(std::min<uint32_t>(n, 65536));
  uint32_t done = 0;
  while (done < n) {
    uint32_t count = std::min<uint32_t>(n - done, static_cast<uint32_t>(keys.size()));
    uint32_t prev = start + done - 1, last = 0;
    int err = bpf_map_lookup_batch(fd, start + done == 0 ? nullptr : &prev, &last, keys.data(),
                                   out + size_t(done) * value_size, &count, nullptr);
    if (err && errno != ENOENT) break;  // no batch support: fall back below
    done += count;
    if (err || count == 0) break;
  }
  for (uint32_t i = done; i < n; i++) {
    uint32_t k = start + i;
    if (int err = bpf_map_lookup_elem(fd, &k, out + size_t(i) * value_size); err)
      return sys_error(err, fmt::format("read {} entry {}", what, k));
  }
  return {};
}

Result<std::vector<uint32_t>> GuardEngine::live_rule_ids() const {
  auto st = read_state();
  if (!st) return tl::unexpected(st.error());
  uint32_t n = std::min<uint32_t>(st->rules, PS_GUARD_MAX_RULES);
  std::vector<ps_guard_rule> rules(n);
  if (auto r = array_lookup_range(fd(skel_->maps.guard_rules), (st->slot & 1) * PS_GUARD_MAX_RULES,
                                  n, rules.data(), sizeof(ps_guard_rule), "guard_rules");
      !r)
    return tl::unexpected(r.error());
  std::vector<uint32_t> ids;
  ids.reserve(n);
  for (const auto& r : rules) ids.push_back(r.id);
  return ids;
}

Result<std::unordered_map<uint32_t, RuleCounters>> GuardEngine::counters() const {
  std::unordered_map<uint32_t, uint32_t> owned;
  {
    std::lock_guard lk(mu_);
    owned = ctr_of_;
  }
  std::unordered_map<uint32_t, RuleCounters> out;
  if (owned.empty()) return out;
  uint32_t top = 0;
  for (const auto& [id, c] : owned) top = std::max(top, c);
  size_t stride = percpu_stride(sizeof(ps_guard_counter));
  std::vector<uint8_t> buf(size_t(top + 1) * stride * ncpus_);
  if (auto r = array_lookup_range(fd(skel_->maps.guard_counters), 0, top + 1, buf.data(),
                                  static_cast<uint32_t>(stride * ncpus_), "guard_counters");
      !r)
    return tl::unexpected(r.error());
  int64_t offset = wall_minus_coarse_ns();
  for (const auto& [id, c] : owned) {
    RuleCounters rc;
    uint64_t last = 0;
    for (int cpu = 0; cpu < ncpus_; cpu++) {
      ps_guard_counter v;
      std::memcpy(&v, buf.data() + (size_t(c) * ncpus_ + cpu) * stride, sizeof(v));
      rc.packets += v.packets;
      rc.bytes += v.bytes;
      rc.rate_dropped += v.rate_dropped;
      last = std::max<uint64_t>(last, v.last_hit_ns);
    }
    rc.last_hit_ns = to_wall(last, offset);
    out[id] = rc;
  }
  return out;
}

Result<GuardStats> GuardEngine::stats() const {
  std::vector<uint64_t> buf(size_t(PS_GS_MAX) * ncpus_);
  if (auto r = array_lookup_range(fd(skel_->maps.guard_stats), 0, PS_GS_MAX, buf.data(),
                                  static_cast<uint32_t>(8 * ncpus_), "guard_stats");
      !r)
    return tl::unexpected(r.error());
  auto sum = [&](int k) {
    uint64_t s = 0;
    for (int cpu = 0; cpu < ncpus_; cpu++) s += buf[size_t(k) * ncpus_ + cpu];
    return s;
  };
  GuardStats g;
  g.packets = sum(PS_GS_PACKETS);
  g.bytes = sum(PS_GS_BYTES);
  g.passed = sum(PS_GS_PASSED);
  g.dropped = sum(PS_GS_DROPPED);
  g.rate_dropped = sum(PS_GS_RATE_DROPPED);
  g.malformed = sum(PS_GS_MALFORMED);
  g.non_ip = sum(PS_GS_NON_IP);
  g.log_sent = sum(PS_GS_LOG_SENT);
  g.log_lost = sum(PS_GS_LOG_LOST);
  g.hits_overflow = sum(PS_GS_HITS_OVERFLOW);
  g.flows_full = sum(PS_GS_FLOWS_FULL);
  auto st = read_state();
  if (!st) return tl::unexpected(st.error());
  g.live_slot = st->slot;
  g.live_rules = st->rules;
  g.generation = st->generation;
  return g;
}

Result<std::vector<XdpFlow>> GuardEngine::flows(size_t limit) const {
  constexpr uint32_t kChunk = 4096;
  size_t stride = percpu_stride(sizeof(ps_guard_flow));
  std::vector<ps_guard_flow_key> keys(kChunk);
  std::vector<uint8_t> vals(size_t(kChunk) * stride * ncpus_);
  int64_t offset = wall_minus_coarse_ns();
  std::vector<XdpFlow> out;
  uint32_t token = 0;
  bool first = true;
  for (;;) {
    uint32_t count = kChunk;
    int err = bpf_map_lookup_batch(fd(skel_->maps.guard_flows), first ? nullptr : &token, &token,
                                   keys.data(), vals.data(), &count, nullptr);
    int e = errno;
    if (err && e != ENOENT) return sys_error(-e, "read guard_flows");
    for (uint32_t i = 0; i < count; i++) {
      const auto& k = keys[i];
      XdpFlow f;
      f.ifindex = k.ifindex;
      f.family = k.family;
      f.protocol = k.proto;
      f.src = addr_text(k.family, k.saddr);
      f.dst = addr_text(k.family, k.daddr);
      f.sport = k.sport;
      f.dport = k.dport;
      uint64_t first_ns = 0, last_ns = 0;
      for (int cpu = 0; cpu < ncpus_; cpu++) {
        ps_guard_flow v;
        std::memcpy(&v, vals.data() + (size_t(i) * ncpus_ + cpu) * stride, sizeof(v));
        f.packets += v.packets;
        f.bytes += v.bytes;
        f.dropped += v.dropped;
        f.tcp_flags |= v.tcp_flags;
        if (v.first_ns && (!first_ns || v.first_ns < first_ns)) first_ns = v.first_ns;
        last_ns = std::max<uint64_t>(last_ns, v.last_ns);
      }
      f.first_ns = to_wall(first_ns, offset);
      f.last_ns = to_wall(last_ns, offset);
      out.push_back(std::move(f));
    }
    if (err) break;
    first = false;
  }
  std::sort(out.begin(), out.end(), [](const XdpFlow& a, const XdpFlow& b) { return a.last_ns > b.last_ns; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

int GuardEngine::on_log(void* self, void* data, size_t size) {
  auto* eng = static_cast<GuardEngine*>(self);
  if (size < sizeof(ps_guard_log_event) || !eng->log_fn_ || !*eng->log_fn_) return 0;
  ps_guard_log_event e;
  std::memcpy(&e, data, sizeof(e));
  LogSample s;
  s.ts_ns = to_wall(e.boot_ns, wall_minus_boot_ns());
  s.rule_id = e.rule_id;
  s.ifindex = e.ifindex;
  s.pkt_len = e.pkt_len;
  s.dropped = e.verdict == XDP_DROP;
  s.bytes.assign(e.data, e.data + std::min<size_t>(e.cap_len, PS_GUARD_LOG_CAP));
  (*eng->log_fn_)(s);
  return 0;
}

Result<int> GuardEngine::poll_log(int timeout_ms, const std::function<void(const LogSample&)>& fn) {
  log_fn_ = &fn;
  int n = ring_buffer__poll(rb_.get(), timeout_ms);
  log_fn_ = nullptr;
  if (n == -EINTR) return 0;
  if (n < 0) return sys_error(n, "poll the guard_log ring buffer");
  return n;
}

}  // namespace pscope::guarder
