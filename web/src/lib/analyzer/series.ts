// Time series of the Analyzer page: the metric names of docs/analyzer.md, the values a snapshot
// gives each of them, and merging the stored history (GET /series) with points taken from live
// snapshots.
import { LAYERS, DIRS, type LayerPair, type Point, type Snapshot } from '../../api/analyzer';

export const PERCENTILES = ['p50', 'p90', 'p99'] as const;

export function volumeMetric(layer: string, dir: string, what: 'pps' | 'bps'): string {
  return `volume.${layer}.${dir}.${what}`;
}

export function pairId(p: Pick<LayerPair, 'dir' | 'from' | 'to'>): string {
  return `${p.dir}.${p.from}.${p.to}`;
}

export function latencyMetric(p: Pick<LayerPair, 'dir' | 'from' | 'to'>, q: string): string {
  return `latency.${pairId(p)}.${q}`;
}

export function reasonMetric(reason: string): string {
  return `loss.reason.${reason}.per_s`;
}

export const DROP_RATIO_METRIC = 'loss.drop_ratio';

/**
 * Every series metric's value in one snapshot, as the daemon stores it. A latency percentile is
 * only a value when the interval had samples: no samples is a gap, not a zero latency.
 */
export function snapshotMetrics(s: Snapshot): Map<string, number> {
  const m = new Map<string, number>();
  for (const layer of LAYERS) {
    for (const dir of DIRS) {
      const v = s.volume?.[layer]?.[dir];
      if (!v) continue;
      m.set(volumeMetric(layer, dir, 'pps'), v.pps);
      m.set(volumeMetric(layer, dir, 'bps'), v.bps);
    }
  }
  for (const p of s.pairs ?? []) {
    m.set(`transitions.${pairId(p)}`, p.transitions_per_s);
    if (!(p.latency?.count > 0)) continue;
    m.set(latencyMetric(p, 'p50'), p.latency.p50_ns);
    m.set(latencyMetric(p, 'p90'), p.latency.p90_ns);
    m.set(latencyMetric(p, 'p99'), p.latency.p99_ns);
    m.set(latencyMetric(p, 'max'), p.latency.max_ns);
  }
  if (s.loss) {
    m.set('loss.drops_per_s', s.loss.drops_per_s);
    m.set(DROP_RATIO_METRIC, s.loss.drop_ratio);
    for (const r of s.loss.by_reason ?? []) m.set(reasonMetric(r.reason), r.per_s);
  }
  if (s.tcp) {
    m.set('tcp.retransmits_per_s', s.tcp.retransmits_per_s);
    m.set('tcp.rst_sent_per_s', s.tcp.rst_sent_per_s);
    m.set('tcp.rst_received_per_s', s.tcp.rst_received_per_s);
  }
  return m;
}

/** The snapshot's time in wall-clock ms. */
export function snapshotTime(s: Snapshot): number {
  return Math.round(s.wall_ns / 1e6);
}

/**
 * History followed by live points, in time order, one point per timestamp, nothing before
 * fromMs. The live point wins a tie (it is the newer reading of the same interval). Live points
 * may start before the history ends (they were collected while /series was being answered).
 */
export function mergeSeries(history: readonly Point[], live: readonly Point[], fromMs: number): Point[] {
  const byTime = new Map<number, number>();
  for (const [t, v] of history) if (t >= fromMs) byTime.set(t, v);
  for (const [t, v] of live) if (t >= fromMs) byTime.set(t, v);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]);
}

/** Live points kept per metric (an hour of snapshots): a 24 h chart reloads its history instead. */
export const LIVE_MAX_POINTS = 3600;

/**
 * Live points per metric, kept for the chart's time range but at most maxPoints of them: each
 * snapshot adds one point to every metric it has a value for (once per snapshot time, so a
 * snapshot seen twice — stream and REST — counts once).
 */
export class LiveSeries {
  private readonly points = new Map<string, Point[]>();
  private lastT = -Infinity;

  constructor(
    private windowMs: number,
    private readonly maxPoints = LIVE_MAX_POINTS,
  ) {}

  setWindow(ms: number): void {
    this.windowMs = ms;
  }

  /** Adds the snapshot's values; false when it is not newer than the last one added. */
  add(s: Snapshot): boolean {
    const t = snapshotTime(s);
    if (!(t > this.lastT)) return false;
    this.lastT = t;
    for (const [metric, v] of snapshotMetrics(s)) {
      let pts = this.points.get(metric);
      if (!pts) {
        pts = [];
        this.points.set(metric, pts);
      }
      pts.push([t, v]);
    }
    this.trim(t - this.windowMs);
    return true;
  }

  get(metric: string): Point[] {
    return this.points.get(metric) ?? [];
  }

  private trim(fromMs: number): void {
    for (const [metric, pts] of this.points) {
      let i = 0;
      while (i < pts.length && (pts[i]![0] < fromMs || pts.length - i > this.maxPoints)) i += 1;
      if (i === pts.length) this.points.delete(metric);
      else if (i > 0) pts.splice(0, i);
    }
  }
}
