// Wire types of the Analyzer API (docs/analyzer.md): the snapshot the daemon publishes once a
// second on the stream topic "analyzer.snapshot" and answers at /api/v1/analyzer/snapshot, the
// stored series and the flow routes. Field names follow src/analyzer/snapshot.h exactly.

export const LAYERS = ['link', 'network', 'transport', 'socket'] as const;
export type LayerName = (typeof LAYERS)[number];
export const DIRS = ['rx', 'tx'] as const;
export type DirName = (typeof DIRS)[number];

export interface Volume {
  packets: number;
  bytes: number;
  pps: number;
  /** bits per second */
  bps: number;
}

export type LayerVolume = Record<DirName, Volume>;

export interface Latency {
  count: number;
  total_count: number;
  p50_ns: number;
  p90_ns: number;
  p99_ns: number;
  max_ns: number;
  buckets?: number[];
}

export interface LayerPair {
  dir: DirName;
  from: LayerName;
  to: LayerName;
  latency: Latency;
  transitions: number;
  transitions_per_s: number;
}

export interface DropReason {
  reason: string;
  layer: LayerName;
  count: number;
  per_s: number;
}

export interface Loss {
  drops: number;
  drops_per_s: number;
  drop_ratio: number;
  by_layer: Record<LayerName, number>;
  ratio_by_layer: Record<LayerName, number>;
  by_reason: DropReason[];
}

export interface TcpEvents {
  retransmits: number;
  rst_sent: number;
  rst_received: number;
  bad_csum: number;
  retransmits_per_s: number;
  rst_sent_per_s: number;
  rst_received_per_s: number;
}

export interface Flow {
  key: string;
  netns: number;
  family: number;
  protocol: string;
  local: string;
  lport: number;
  remote: string;
  rport: number;
  rx: Volume;
  tx: Volume;
  drops: number;
  retransmits: number;
  rst_sent: number;
  rst_received: number;
  srtt_us: number;
  cwnd: number;
  latency_avg_ns: number;
  latency_max_ns: number;
  pid: number;
  comm: string;
  cookie: number;
  first_seen_ns: number;
  last_seen_ns: number;
}

export interface Snapshot {
  wall_ns: number;
  interval_s: number;
  latency_sample: number;
  volume: Record<LayerName, LayerVolume>;
  pairs: LayerPair[];
  loss: Loss;
  tcp: TcpEvents;
  flows: Flow[];
  interfaces?: unknown[];
  namespaces?: unknown[];
  processes?: unknown[];
  maps?: { map: string; entries: number; capacity: number; evictions_or_failures: number }[];
}

/** [wall-clock ms, value] */
export type Point = [number, number];

export interface Series {
  metric: string;
  resolution_s: number;
  points: Point[];
}

export interface MetricList {
  items: string[];
}

export interface FlowList {
  items: Flow[];
}

export type FlowSort = 'bytes' | 'loss' | 'latency';

export interface FlowDetail {
  flow: Flow;
  series: { rx_bps?: Point[]; tx_bps?: Point[]; srtt_us?: Point[] };
}

/** Enough of a snapshot to draw from: the stream and REST answers are checked before use. */
export function isSnapshot(v: unknown): v is Snapshot {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<Snapshot>;
  return typeof s.wall_ns === 'number' && typeof s.volume === 'object' && s.volume !== null && Array.isArray(s.pairs);
}
