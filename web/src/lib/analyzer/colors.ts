// Colour scales of the Analyzer page: the layer diagram's latency scale (p99 on a log scale,
// green at 1 µs or less to red at 10 ms or more) and fixed series colours for the charts.

/** Lower and upper end of the latency scale, ns. */
export const LATENCY_SCALE_MIN_NS = 1e3;
export const LATENCY_SCALE_MAX_NS = 1e7;
const HUE_FAST = 140;
const HUE_SLOW = 0;

/** Position of a latency on the scale, 0 (fast) .. 1 (slow); null when there is no latency. */
export function latencyPosition(ns: number | null | undefined): number | null {
  if (typeof ns !== 'number' || !Number.isFinite(ns) || ns <= 0) return null;
  const lo = Math.log10(LATENCY_SCALE_MIN_NS);
  const hi = Math.log10(LATENCY_SCALE_MAX_NS);
  const t = (Math.log10(ns) - lo) / (hi - lo);
  return Math.min(1, Math.max(0, t));
}

/** hsl() colour of a latency; null when nothing was measured (the caller draws it grey). */
export function latencyColor(ns: number | null | undefined): string | null {
  const t = latencyPosition(ns);
  if (t === null) return null;
  const hue = Math.round(HUE_FAST + (HUE_SLOW - HUE_FAST) * t);
  return `hsl(${hue}, 72%, 47%)`;
}

/** Legend stops: one per decade of the scale, with the colour at that latency. */
export function latencyLegend(): { ns: number; offset: number; color: string }[] {
  const out = [];
  for (let ns = LATENCY_SCALE_MIN_NS; ns <= LATENCY_SCALE_MAX_NS; ns *= 10) {
    out.push({ ns, offset: latencyPosition(ns)!, color: latencyColor(ns)! });
  }
  return out;
}

/** Distinct line colours that read on both themes. */
export const SERIES_COLORS = ['#3b9eff', '#f5a524', '#2fbf71', '#e5484d', '#a879ff', '#12a594', '#f76b15', '#8e8c99'];

export const LAYER_COLORS: Record<string, string> = {
  link: '#3b9eff',
  network: '#2fbf71',
  transport: '#f5a524',
  socket: '#a879ff',
};

export const PERCENTILE_COLORS: Record<string, string> = {
  p50: '#2fbf71',
  p90: '#f5a524',
  p99: '#e5484d',
};
