// RawSample -> Snapshot (see snapshot_builder.h).
#include "analyzer/snapshot_builder.h"

#include <algorithm>
#include <map>
#include <utility>

#include "analyzer/drop_layers.h"
#include "analyzer/flow_format.h"

namespace pscope::analyzer {
namespace {

using rates::delta;
using rates::rate;
using rates::volume;

void add(Volume& into, const Volume& v) {
  into.packets += v.packets;
  into.bytes += v.bytes;
  into.pps += v.pps;
  into.bps += v.bps;
}

struct PairDef {
  Dir dir;
  Layer from, to;
  uint32_t slot;  // enum ps_an_pair
};

// Receive pairs bottom up, then transmit: the order every rendering shows.
constexpr PairDef kPairs[] = {
    {Dir::kRx, Layer::kLink, Layer::kNetwork, PS_PAIR_RX_LINK_NET},
    {Dir::kRx, Layer::kNetwork, Layer::kTransport, PS_PAIR_RX_NET_L4},
    {Dir::kRx, Layer::kTransport, Layer::kSocket, PS_PAIR_RX_L4_SOCK},
    {Dir::kRx, Layer::kLink, Layer::kTransport, PS_PAIR_RX_LINK_L4},
    {Dir::kRx, Layer::kLink, Layer::kSocket, PS_PAIR_RX_LINK_SOCK},
    {Dir::kRx, Layer::kNetwork, Layer::kSocket, PS_PAIR_RX_NET_SOCK},
    {Dir::kTx, Layer::kTransport, Layer::kLink, PS_PAIR_TX_L4_LINK},
    {Dir::kTx, Layer::kLink, Layer::kLink, PS_PAIR_TX_LINK_LINK},
};

uint64_t iface_id(const ps_an_iface_key& k) { return (uint64_t{k.netns} << 32) | k.ifindex; }

}  // namespace

Snapshot SnapshotBuilder::build(const RawSample& s) {
  Snapshot out;
  out.wall_ns = s.wall_ns;
  out.latency_sample = opts_.latency_sample;
  const double dt = have_prev_ ? static_cast<double>(s.mono_ns - prev_.mono_ns) / 1e9 : 0;
  out.interval_s = dt > 0 ? dt : 0;
  fill_volumes(s, out.interval_s, out);
  fill_pairs(s, out.interval_s, out);
  fill_loss(s, out.interval_s, out);
  fill_flows(s, out.interval_s, out);
  fill_ifaces(s, out.interval_s, out);
  fill_maps(s, out);
  // Keep what the next interval's rates need (flows are kept per flow in flows_).
  prev_.mono_ns = s.mono_ns;
  prev_.wall_ns = s.wall_ns;
  prev_.counters = s.counters;
  prev_.hist = s.hist;
  prev_.drops = s.drops;
  prev_.ifaces = s.ifaces;
  have_prev_ = true;
  return out;
}

void SnapshotBuilder::fill_volumes(const RawSample& s, double dt, Snapshot& out) const {
  for (int l = 0; l < kLayers; ++l)
    for (int d = 0; d < kDirs; ++d)
      out.volume[l][d] = volume(s.counters.layer[l][d], prev_.counters.layer[l][d], dt);
  const auto& c = s.counters;
  const auto& p = prev_.counters;
  out.tcp.retransmits = c.tcp_retransmits;
  out.tcp.rst_sent = c.tcp_rst_sent;
  out.tcp.rst_received = c.tcp_rst_received;
  out.tcp.bad_csum = c.tcp_bad_csum;
  out.tcp.retransmits_per_s = rate(delta(c.tcp_retransmits, p.tcp_retransmits), dt);
  out.tcp.rst_sent_per_s = rate(delta(c.tcp_rst_sent, p.tcp_rst_sent), dt);
  out.tcp.rst_received_per_s = rate(delta(c.tcp_rst_received, p.tcp_rst_received), dt);
}

void SnapshotBuilder::fill_pairs(const RawSample& s, double dt, Snapshot& out) const {
  const uint64_t n = std::max<uint32_t>(opts_.latency_sample, 1);
  for (const auto& def : kPairs) {
    Buckets interval{};
    uint64_t total = 0;
    for (int i = 0; i < 64; ++i) {
      interval[i] = delta(s.hist[def.slot][i], prev_.hist[def.slot][i]);
      total += s.hist[def.slot][i];
    }
    LayerPair p;
    p.dir = def.dir;
    p.from = def.from;
    p.to = def.to;
    p.latency = make_latency(interval, s.max_ns[def.slot], total);
    // Crossings are counted on the timed packets: exact at 1 in 1, scaled otherwise.
    p.transitions = total * n;
    p.transitions_per_s = rate(p.latency.count * n, dt);
    out.pairs.push_back(p);
  }
}

void SnapshotBuilder::fill_loss(const RawSample& s, double dt, Snapshot& out) const {
  Loss& loss = out.loss;
  std::array<uint64_t, kLayers> interval_by_layer{};
  for (uint32_t r = 0; r < PS_AN_REASONS; ++r) {
    if (!s.drops[r]) continue;
    DropReason dr;
    dr.reason = drop_reason_name(opts_.reasons, r, PS_AN_REASON_OTHER);
    dr.layer = drop_reason_layer(dr.reason);
    dr.count = s.drops[r];
    const uint64_t d = delta(s.drops[r], prev_.drops[r]);
    dr.per_s = rate(d, dt);
    const auto li = static_cast<size_t>(dr.layer);
    loss.by_layer[li] += dr.count;
    interval_by_layer[li] += d;
    loss.by_reason.push_back(std::move(dr));
  }
  std::sort(loss.by_reason.begin(), loss.by_reason.end(),
            [](const DropReason& a, const DropReason& b) { return a.count != b.count ? a.count > b.count : a.reason < b.reason; });
  loss.drops = s.counters.drops;
  const uint64_t d = delta(s.counters.drops, prev_.counters.drops);
  loss.drops_per_s = rate(d, dt);
  auto seen = [&](int layer) {
    uint64_t n = 0;
    for (int dir = 0; dir < kDirs; ++dir)
      n += delta(s.counters.layer[layer][dir].packets, prev_.counters.layer[layer][dir].packets);
    return n;
  };
  if (dt <= 0) return;  // the first sample has no interval
  if (uint64_t link = seen(PS_LAYER_LINK)) loss.drop_ratio = static_cast<double>(d) / static_cast<double>(link);
  for (int l = 0; l < kLayers; ++l)
    if (uint64_t n = seen(l)) loss.ratio_by_layer[l] = static_cast<double>(interval_by_layer[l]) / static_cast<double>(n);
}

void SnapshotBuilder::fill_maps(const RawSample& s, Snapshot& out) const {
  const auto& c = s.counters;
  const uint64_t flows = s.flows.size();
  // Nothing deletes flows: inserts beyond the entries present were pushed out by the LRU.
  out.maps.push_back({"flows", flows, s.flows_capacity, c.flow_insert_fail + (c.flow_inserts > flows ? c.flow_inserts - flows : 0)});
  out.maps.push_back({"ifaces", s.ifaces.size(), s.ifaces_capacity, c.iface_insert_fail});
  // In-flight entries are kept per skb address and reused (see track__start in analyzer.bpf.c):
  // as with flows, inserts beyond the entries present were pushed out.
  const uint64_t tracked = s.inflight_entries;
  out.maps.push_back({"inflight", tracked, s.inflight_capacity,
                      c.track_insert_fail + (c.track_inserts > tracked ? c.track_inserts - tracked : 0)});
}

void SnapshotBuilder::fill_ifaces(const RawSample& s, double dt, Snapshot& out) const {
  std::map<uint64_t, const ps_an_iface*> prev;
  for (const auto& i : prev_.ifaces) prev[iface_id(i.key)] = &i.v;
  std::map<uint32_t, Namespace> ns;
  static const ps_an_iface kZero{};
  for (const auto& i : s.ifaces) {
    auto it = prev.find(iface_id(i.key));
    const ps_an_iface& p = it != prev.end() ? *it->second : kZero;
    Interface f;
    f.ifindex = i.key.ifindex;
    f.netns = i.key.netns;
    if (opts_.ifname && f.ifindex) f.name = opts_.ifname(f.ifindex, f.netns);
    f.rx = volume(i.v.rx, p.rx, dt);
    f.tx = volume(i.v.tx, p.tx, dt);
    f.drops = i.v.drops;
    Namespace& n = ns[f.netns];
    n.netns = f.netns;
    add(n.rx, f.rx);
    add(n.tx, f.tx);
    n.drops += f.drops;
    out.interfaces.push_back(std::move(f));
  }
  std::sort(out.interfaces.begin(), out.interfaces.end(), [](const Interface& a, const Interface& b) {
    return std::pair(a.netns, a.ifindex) < std::pair(b.netns, b.ifindex);
  });
  for (auto& [id, n] : ns) out.namespaces.push_back(n);
}

}  // namespace pscope::analyzer
