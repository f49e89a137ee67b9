// A snapshot in the shape of docs/analyzer.md, for the Analyzer unit tests.
import type { Flow, Snapshot, Volume } from '../../src/api/analyzer';

export function vol(pps: number, bps = pps * 8000): Volume {
  return { packets: pps * 10, bytes: pps * 10_000, pps, bps };
}

export function flow(i: number, over: Partial<Flow> = {}): Flow {
  return {
    key: `4026531840/tcp/10.0.0.1:${5200 + i}-10.0.0.2:${40000 + i}`,
    netns: 4026531840,
    family: 4,
    protocol: 'tcp',
    local: '10.0.0.1',
    lport: 5200 + i,
    remote: '10.0.0.2',
    rport: 40000 + i,
    rx: vol(10 * i),
    tx: vol(5 * i),
    drops: 0,
    retransmits: 0,
    rst_sent: 0,
    rst_received: 0,
    srtt_us: 40,
    cwnd: 10,
    latency_avg_ns: 20000,
    latency_max_ns: 90000,
    pid: 100 + i,
    comm: 'iperf3',
    cookie: 4096 + i,
    first_seen_ns: 0,
    last_seen_ns: 0,
    ...over,
  };
}

export function snapshot(wallMs: number, over: Partial<Snapshot> = {}): Snapshot {
  return {
    wall_ns: wallMs * 1e6,
    interval_s: 1,
    latency_sample: 1,
    volume: {
      link: { rx: vol(100), tx: vol(80) },
      network: { rx: vol(90), tx: vol(70) },
      transport: { rx: vol(85), tx: vol(65) },
      socket: { rx: vol(40), tx: vol(30) },
    },
    pairs: [
      {
        dir: 'rx',
        from: 'link',
        to: 'network',
        latency: { count: 5, total_count: 90, p50_ns: 12000, p90_ns: 30000, p99_ns: 60000, max_ns: 61000 },
        transitions: 90,
        transitions_per_s: 5,
      },
      {
        dir: 'tx',
        from: 'link',
        to: 'link',
        latency: { count: 0, total_count: 0, p50_ns: 0, p90_ns: 0, p99_ns: 0, max_ns: 0 },
        transitions: 0,
        transitions_per_s: 0,
      },
    ],
    loss: {
      drops: 3,
      drops_per_s: 1,
      drop_ratio: 0.1,
      by_layer: { link: 0, network: 3, transport: 0, socket: 0 },
      ratio_by_layer: { link: 0, network: 0.1, transport: 0, socket: 0 },
      by_reason: [{ reason: 'NETFILTER_DROP', layer: 'network', count: 3, per_s: 1 }],
    },
    tcp: { retransmits: 0, rst_sent: 0, rst_received: 0, bad_csum: 0, retransmits_per_s: 0.5, rst_sent_per_s: 0, rst_received_per_s: 0 },
    flows: [flow(1), flow(2)],
    ...over,
  };
}
