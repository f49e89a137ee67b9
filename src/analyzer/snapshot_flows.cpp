// Per-flow and per-process parts of a Snapshot (see snapshot_builder.h).
#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_set>

#include "analyzer/flow_format.h"
#include "analyzer/snapshot_builder.h"

namespace pscope::analyzer {
namespace {

using rates::delta;
using rates::rate;
using rates::volume;

bool moved(const ps_an_flow& a, const ps_an_flow& b) {
  return a.rx.packets != b.rx.packets || a.tx.packets != b.tx.packets || a.sock_rx.bytes != b.sock_rx.bytes ||
         a.sock_tx.bytes != b.sock_tx.bytes || a.drops != b.drops || a.retransmits != b.retransmits;
}

Flow make_flow(const RawFlow& r, const ps_an_flow& prev, double dt) {
  const auto& k = r.key;
  const auto& v = r.v;
  Flow f;
  f.key = flow_key_string(k);
  f.netns = k.netns;
  f.family = k.family;
  f.protocol = protocol_name(k.proto);
  f.local = format_addr(k.family, k.local);
  f.remote = format_addr(k.family, k.remote);
  f.lport = k.lport;
  f.rport = k.rport;
  f.rx = volume(v.rx, prev.rx, dt);
  f.tx = volume(v.tx, prev.tx, dt);
  f.socket_rx = volume(v.sock_rx, prev.sock_rx, dt);
  f.socket_tx = volume(v.sock_tx, prev.sock_tx, dt);
  f.rx_payload_bytes = v.rx_payload;
  f.tx_payload_bytes = v.tx_payload;
  f.drops = v.drops;
  f.retransmits = v.retransmits;
  f.rst_sent = v.rst_sent;
  f.rst_received = v.rst_received;
  f.srtt_us = v.srtt_us;
  f.cwnd = v.cwnd;
  f.ooo_packets = v.ooo_packets;
  f.sacked_out = v.sacked_out;
  f.latency_avg_ns = v.lat_count ? v.lat_sum_ns / v.lat_count : 0;
  f.latency_max_ns = v.lat_max_ns;
  f.pid = v.pid;
  f.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
  f.cookie = v.cookie;
  return f;
}

}  // namespace

void SnapshotBuilder::fill_flows(const RawSample& s, double dt, Snapshot& out) {
  struct Ranked {
    Flow flow;
    uint64_t interval_bytes;
  };
  std::vector<Ranked> all;
  all.reserve(s.flows.size());
  std::unordered_set<std::string> present;
  static const ps_an_flow kZero{};
  for (const auto& r : s.flows) {
    std::string id(reinterpret_cast<const char*>(&r.key), sizeof(r.key));
    auto [it, fresh] = flows_.try_emplace(id);
    FlowSeen& seen = it->second;
    // A flow new to us has no previous reading: its rates start with the next interval, and it
    // ranks by what it carried so far.
    const ps_an_flow& prev = fresh ? kZero : seen.prev;
    if (fresh) seen.first_wall = seen.last_wall = s.wall_ns;
    else if (moved(r.v, seen.prev)) seen.last_wall = s.wall_ns;
    Ranked x{make_flow(r, prev, fresh ? 0 : dt), delta(r.v.rx.bytes + r.v.tx.bytes, prev.rx.bytes + prev.tx.bytes)};
    x.flow.first_seen_ns = seen.first_wall;
    x.flow.last_seen_ns = seen.last_wall;
    seen.prev = r.v;
    present.insert(std::move(id));
    all.push_back(std::move(x));
  }
  std::erase_if(flows_, [&](const auto& e) { return !present.count(e.first); });

  // Processes: every flow with an owner, before the top-N cut.
  std::map<uint32_t, Process> procs;
  for (const auto& x : all) {
    if (!x.flow.pid) continue;
    Process& p = procs[x.flow.pid];
    p.pid = x.flow.pid;
    if (p.comm.empty()) p.comm = x.flow.comm;
    for (auto [into, from] : {std::pair{&p.rx, &x.flow.rx}, std::pair{&p.tx, &x.flow.tx}}) {
      into->packets += from->packets;
      into->bytes += from->bytes;
      into->pps += from->pps;
      into->bps += from->bps;
    }
    ++p.flows;
  }
  for (auto& [pid, p] : procs) out.processes.push_back(std::move(p));
  std::sort(out.processes.begin(), out.processes.end(), [](const Process& a, const Process& b) {
    double ra = a.rx.bps + a.tx.bps, rb = b.rx.bps + b.tx.bps;
    return ra != rb ? ra > rb : a.rx.bytes + a.tx.bytes > b.rx.bytes + b.tx.bytes;
  });
  if (out.processes.size() > opts_.top_n) out.processes.resize(opts_.top_n);

  // Top flows by bytes in the interval, then by bytes since start.
  auto by_bytes = [](const Ranked& a, const Ranked& b) {
    if (a.interval_bytes != b.interval_bytes) return a.interval_bytes > b.interval_bytes;
    uint64_t ta = a.flow.rx.bytes + a.flow.tx.bytes + a.flow.socket_rx.bytes + a.flow.socket_tx.bytes;
    uint64_t tb = b.flow.rx.bytes + b.flow.tx.bytes + b.flow.socket_rx.bytes + b.flow.socket_tx.bytes;
    return ta != tb ? ta > tb : a.flow.key < b.flow.key;
  };
  const size_t n = std::min<size_t>(opts_.top_n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), by_bytes);
  for (size_t i = 0; i < n; ++i) out.flows.push_back(std::move(all[i].flow));
}

}  // namespace pscope::analyzer
