// Kernel map reading (see collector.h).
#include "analyzer/collector.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/clock.h"

namespace pscope::analyzer {
namespace {

static_assert(sizeof(ps_an_counters) % sizeof(uint64_t) == 0, "counters are all u64");

int possible_cpus() {
  static const int n = libbpf_num_possible_cpus();
  return n;
}

// Per-CPU values are laid out one per CPU, each rounded up to 8 bytes.
constexpr size_t percpu_stride(size_t size) { return (size + 7) / 8 * 8; }

template <class V>
Result<std::vector<V>> lookup_percpu(const bpf_map* map, uint32_t key) {
  static_assert(sizeof(V) % 8 == 0, "per-CPU value must be 8-byte sized");
  std::vector<V> vals(static_cast<size_t>(possible_cpus()));
  if (int err = bpf_map__lookup_elem(map, &key, sizeof(key), vals.data(), vals.size() * sizeof(V), 0); err)
    return sys_error(err, std::string("read map ") + bpf_map__name(map));
  return vals;
}

// Reads a (per-CPU) hash table in batches; calls fn(key, values of every CPU) per entry.
template <class K, class V, class Fn>
Result<void> for_each_entry(const bpf_map* map, bool percpu, Fn&& fn) {
  const int fd = bpf_map__fd(map);
  const size_t ncpu = percpu ? static_cast<size_t>(possible_cpus()) : 1;
  const size_t stride = percpu_stride(sizeof(V));
  constexpr uint32_t kChunk = 512;
  std::vector<K> keys(kChunk);
  std::vector<char> vals(kChunk * ncpu * stride);
  std::vector<V> one(ncpu);
  uint32_t in = 0, out = 0;
  bool first = true;
  for (;;) {
    uint32_t count = kChunk;
    int err = bpf_map_lookup_batch(fd, first ? nullptr : &in, &out, keys.data(), vals.data(), &count, nullptr);
    if (err && err != -ENOENT) return sys_error(err, std::string("read map ") + bpf_map__name(map) + " in batches");
    for (uint32_t i = 0; i < count; ++i) {
      for (size_t c = 0; c < ncpu; ++c) std::memcpy(&one[c], vals.data() + (i * ncpu + c) * stride, sizeof(V));
      fn(keys[i], one);
    }
    if (err == -ENOENT) return {};
    in = out;
    first = false;
  }
}

void read_hist(const std::vector<ps_an_hist>& cpus, uint32_t epoch, Buckets& buckets, uint64_t& max) {
  const uint32_t slot = epoch & 1;
  for (const auto& h : cpus) {
    for (int i = 0; i < PS_HIST_BUCKETS; ++i) buckets[i] += h.buckets[i];
    if (h.max_epoch[slot] == epoch) max = std::max<uint64_t>(max, h.max[slot]);
  }
}

}  // namespace

void add_flow_cpu(ps_an_flow& into, const ps_an_flow& c) {
  const uint64_t sock_into = into.sock_rx.bytes + into.sock_tx.bytes;  // before adding c
  into.rx.packets += c.rx.packets;
  into.rx.bytes += c.rx.bytes;
  into.tx.packets += c.tx.packets;
  into.tx.bytes += c.tx.bytes;
  into.rx_payload += c.rx_payload;
  into.tx_payload += c.tx_payload;
  into.sock_rx.packets += c.sock_rx.packets;
  into.sock_rx.bytes += c.sock_rx.bytes;
  into.sock_tx.packets += c.sock_tx.packets;
  into.sock_tx.bytes += c.sock_tx.bytes;
  into.drops += c.drops;
  into.retransmits += c.retransmits;
  into.rst_sent += c.rst_sent;
  into.rst_received += c.rst_received;
  into.lat_sum_ns += c.lat_sum_ns;
  into.lat_count += c.lat_count;
  into.lat_max_ns = std::max(into.lat_max_ns, c.lat_max_ns);
  if (!into.cookie) into.cookie = c.cookie;
  if (c.probe_jiffies > into.probe_jiffies) {  // TCP state: the newest reading wins
    into.probe_jiffies = c.probe_jiffies;
    into.srtt_us = c.srtt_us;
    into.cwnd = c.cwnd;
    into.ooo_packets = c.ooo_packets;
    into.sacked_out = c.sacked_out;
  }
  // Owner: the CPU copy that moved the most bytes through the socket calls.
  if (c.pid && (!into.pid || c.sock_rx.bytes + c.sock_tx.bytes > sock_into)) {
    into.pid = c.pid;
    std::memcpy(into.comm, c.comm, sizeof(into.comm));
  }
}

Result<RawSample> read_kernel(const KernelMaps& m) {
  RawSample s;
  // Switch epochs first: programs now keep maxima in the other slot, the finished one is ours.
  const uint32_t epoch = *m.epoch;
  *m.epoch = epoch + 1;
  s.mono_ns = clock::monotonic_ns();
  s.wall_ns = clock::realtime_ns();

  auto counters = lookup_percpu<ps_an_counters>(m.counters, 0);
  if (!counters) return tl::unexpected(counters.error());
  constexpr size_t kWords = sizeof(ps_an_counters) / sizeof(uint64_t);
  uint64_t sum[kWords] = {};
  for (const auto& c : *counters) {
    uint64_t w[kWords];
    std::memcpy(w, &c, sizeof(w));
    for (size_t i = 0; i < kWords; ++i) sum[i] += w[i];
  }
  std::memcpy(&s.counters, sum, sizeof(sum));

  for (uint32_t p = 0; p < PS_PAIRS; ++p) {
    auto h = lookup_percpu<ps_an_hist>(m.hist, p);
    if (!h) return tl::unexpected(h.error());
    read_hist(*h, epoch, s.hist[p], s.max_ns[p]);
  }
  auto rd = for_each_entry<uint32_t, uint64_t>(m.drops, true, [&](uint32_t r, const std::vector<uint64_t>& cpus) {
    if (r < PS_AN_REASONS)
      for (auto n : cpus) s.drops[r] += n;
  });
  if (!rd) return tl::unexpected(rd.error());

  auto rf = for_each_entry<ps_an_flow_key, ps_an_flow>(m.flows, true, [&](const ps_an_flow_key& k, const std::vector<ps_an_flow>& cpus) {
    RawFlow f;
    f.key = k;
    for (const auto& c : cpus) add_flow_cpu(f.v, c);
    s.flows.push_back(f);
  });
  if (!rf) return tl::unexpected(rf.error());
  auto ri = for_each_entry<ps_an_iface_key, ps_an_iface>(m.ifaces, true, [&](const ps_an_iface_key& k, const std::vector<ps_an_iface>& cpus) {
    RawIface f;
    f.key = k;
    for (const auto& c : cpus) {
      f.v.rx.packets += c.rx.packets;
      f.v.rx.bytes += c.rx.bytes;
      f.v.tx.packets += c.tx.packets;
      f.v.tx.bytes += c.tx.bytes;
      f.v.drops += c.drops;
    }
    s.ifaces.push_back(f);
  });
  if (!ri) return tl::unexpected(ri.error());
  auto rt = for_each_entry<uint64_t, ps_an_track>(m.inflight, false, [&](uint64_t, const std::vector<ps_an_track>&) {
    ++s.inflight_entries;
  });
  if (!rt) return tl::unexpected(rt.error());
  s.flows_capacity = bpf_map__max_entries(m.flows);
  s.ifaces_capacity = bpf_map__max_entries(m.ifaces);
  s.inflight_capacity = bpf_map__max_entries(m.inflight);
  return s;
}

}  // namespace pscope::analyzer
