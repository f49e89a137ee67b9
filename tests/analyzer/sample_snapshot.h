// A small, fully populated Snapshot for the renderer tests (JSON, Prometheus, storage samples).
#pragma once

#include "analyzer/snapshot.h"

namespace pscope::analyzer::test {

inline Snapshot sample_snapshot(int64_t wall_ns = 1763900000000000000LL) {
  Snapshot s;
  s.wall_ns = wall_ns;
  s.interval_s = 1.0;
  s.latency_sample = 1;
  s.volume[0][0] = {10, 1200, 10.0, 9600.0};
  s.volume[0][1] = {4, 400, 4.0, 3200.0};
  LayerPair p;
  p.dir = Dir::kRx;
  p.from = Layer::kLink;
  p.to = Layer::kTransport;
  p.latency.count = 5;
  p.latency.total_count = 90;
  p.latency.p50_ns = 12000;
  p.latency.p90_ns = 30000;
  p.latency.p99_ns = 60000;
  p.latency.max_ns = 61000;
  p.latency.buckets[13] = 3;  // [8192, 16384) ns
  p.latency.buckets[15] = 2;  // [32768, 65536) ns
  p.transitions = 90;
  p.transitions_per_s = 5.0;
  s.pairs.push_back(p);
  s.loss.drops = 3;
  s.loss.drops_per_s = 1.0;
  s.loss.drop_ratio = 0.1;
  s.loss.by_layer = {0, 3, 0, 0};
  s.loss.ratio_by_layer = {0, 0.1, 0, 0};
  s.loss.by_reason.push_back({"NETFILTER_DROP", Layer::kNetwork, 3, 1.0});
  s.tcp.retransmits = 2;
  s.tcp.retransmits_per_s = 1;
  Flow f;
  f.key = "4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000";
  f.netns = 4026531840u;
  f.family = 4;
  f.protocol = "tcp";
  f.local = "10.0.0.1";
  f.lport = 5201;
  f.remote = "10.0.0.2";
  f.rport = 40000;
  f.rx = {100, 150000, 50.0, 600000.0};
  f.tx = {80, 4000, 40.0, 16000.0};
  f.srtt_us = 40;
  f.cwnd = 10;
  f.pid = 123;
  f.comm = "iperf3";
  f.cookie = 4097;
  s.flows.push_back(f);
  Flow g = f;
  g.key = "4026531840/udp/[fd00::1]:53-[fd00::2]:5353";
  g.family = 6;
  g.protocol = "udp";
  g.comm = "we\"ird\\name\n";
  g.rx.bps = 8000;
  s.flows.push_back(g);
  s.interfaces.push_back({2, 4026531840u, "veth0", {10, 1200, 10, 9600}, {4, 400, 4, 3200}, 1});
  s.namespaces.push_back({4026531840u, {10, 1200, 10, 9600}, {4, 400, 4, 3200}, 3});
  s.processes.push_back({123, "iperf3", f.rx, f.tx, 1});
  s.maps.push_back({"flows", 12, 65536, 0});
  return s;
}

}  // namespace pscope::analyzer::test
