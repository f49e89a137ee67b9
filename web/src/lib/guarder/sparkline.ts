// Per-rule hit rates for the sparklines: successive counter samples (the 1 s "guard.counters"
// frames, or polls of /guard/counters) turned into packets per second, the last 60 kept.
import type { RuleCounters } from '../../api/guarder';

export const SPARK_POINTS = 60;

interface Track {
  at: number;
  last: RuleCounters;
  /** packets per second, oldest first */
  pps: number[];
}

export class CounterHistory {
  private readonly tracks = new Map<string, Track>();
  private lastAt = -Infinity;

  constructor(private readonly keep = SPARK_POINTS) {}

  /**
   * Adds one sample taken at `atMs`. A sample not newer than the last is ignored (the stream and
   * a poll can deliver the same one). A counter that went down (a rule re-created under the same
   * id, counters reset) restarts its track. Rules absent from the sample are forgotten.
   * Returns whether the sample was used.
   */
  add(atMs: number, items: Record<string, RuleCounters>): boolean {
    if (!(atMs > this.lastAt)) return false;
    const dt = (atMs - this.lastAt) / 1000;
    this.lastAt = atMs;
    for (const id of [...this.tracks.keys()]) if (!(id in items)) this.tracks.delete(id);
    for (const [id, c] of Object.entries(items)) {
      const t = this.tracks.get(id);
      if (!t || c.packets < t.last.packets || !Number.isFinite(dt)) {
        this.tracks.set(id, { at: atMs, last: c, pps: [] });
        continue;
      }
      t.pps.push((c.packets - t.last.packets) / dt);
      if (t.pps.length > this.keep) t.pps.splice(0, t.pps.length - this.keep);
      t.at = atMs;
      t.last = c;
    }
    return true;
  }

  /** Ids of the rules in the latest sample. */
  ids(): string[] {
    return [...this.tracks.keys()];
  }

  counters(id: number | string): RuleCounters | null {
    return this.tracks.get(String(id))?.last ?? null;
  }

  rates(id: number | string): readonly number[] {
    return this.tracks.get(String(id))?.pps ?? [];
  }

  /** The latest rate, or null before two samples. */
  rate(id: number | string): number | null {
    const r = this.rates(id);
    return r.length > 0 ? r[r.length - 1]! : null;
  }
}

/**
 * An SVG path of `values` in a width x height box: x spread over `slots` positions ending at the
 * right edge (so a young track grows from the right), y from 0 at the bottom to the largest
 * value at the top (1 px margin). Empty string for fewer than two values.
 */
export function sparkPath(values: readonly number[], width: number, height: number, slots = SPARK_POINTS): string {
  if (values.length < 2) return '';
  const n = Math.min(values.length, slots);
  const shown = values.slice(values.length - n);
  const max = Math.max(...shown.map((v) => (Number.isFinite(v) && v > 0 ? v : 0)));
  const step = slots > 1 ? width / (slots - 1) : width;
  const x0 = width - (n - 1) * step;
  const usable = Math.max(0, height - 2);
  const pts = shown.map((v, i) => {
    const val = Number.isFinite(v) && v > 0 ? v : 0;
    const y = max > 0 ? height - 1 - (val / max) * usable : height - 1;
    return `${(x0 + i * step).toFixed(1)},${y.toFixed(1)}`;
  });
  return `M${pts.join('L')}`;
}
