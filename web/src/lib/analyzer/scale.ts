// Chart geometry: "nice" axis ticks, linear scales, time ticks, min/max decimation and SVG
// paths that break where data is missing. Pure functions, unit-tested.
import type { Point } from '../../api/analyzer';

export interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
}

/** 1, 2, 2.5 or 5 times a power of ten, the smallest of them >= raw. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/**
 * Y axis from 0 (every Analyzer figure is a rate, ratio or duration >= 0) up to a nice value
 * >= max, with about `count` intervals. An all-zero or empty chart gets 0..1.
 */
export function niceTicks(max: number, count = 4): Ticks {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const step = niceStep(top / count);
  const hi = Math.ceil(top / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = 0; v <= hi + step / 2; v += step) values.push(Number(v.toPrecision(12)));
  return { min: 0, max: hi, step, values };
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to r0. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => r0;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

const TIME_STEPS_S = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Tick times (ms) at round wall-clock steps, about `count` of them inside [from, to]. */
export function timeTicks(fromMs: number, toMs: number, count = 6): number[] {
  if (!(toMs > fromMs)) return [];
  const raw = (toMs - fromMs) / 1000 / count;
  const stepS = TIME_STEPS_S.find((s) => s >= raw) ?? TIME_STEPS_S[TIME_STEPS_S.length - 1]!;
  const step = stepS * 1000;
  // Round in local time so hour ticks land on local hours.
  const offset = new Date(fromMs).getTimezoneOffset() * 60_000;
  const first = Math.ceil((fromMs - offset) / step) * step + offset;
  const out: number[] = [];
  for (let t = first; t <= toMs; t += step) out.push(t);
  return out;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Axis label of a tick time: HH:MM, with seconds when the ticks are less than a minute apart. */
export function formatTick(ms: number, stepMs: number): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return stepMs < 60_000 ? `${hm}:${pad2(d.getSeconds())}` : hm;
}

/**
 * At most about `buckets` * 2 points: the points are split into `buckets` equal time slices over
 * [from, to] and each slice keeps its minimum and maximum (in time order), so spikes survive. A
 * 24 h chart of 1 s points stays cheap to draw.
 */
export function decimate(points: readonly Point[], fromMs: number, toMs: number, buckets: number): Point[] {
  if (points.length <= buckets * 2 || !(toMs > fromMs) || buckets < 1) return points.slice();
  const width = (toMs - fromMs) / buckets;
  const out: Point[] = [];
  let cur = -1;
  let lo: Point | null = null;
  let hi: Point | null = null;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo === hi) out.push(lo);
    else if (lo[0] <= hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((p[0] - fromMs) / width)));
    if (b !== cur) {
      flush();
      cur = b;
      lo = p;
      hi = p;
    } else {
      if (p[1] < lo![1]) lo = p;
      if (p[1] > hi![1]) hi = p;
    }
  }
  flush();
  return out;
}

/**
 * An SVG path through the points; a gap longer than gapMs between two points starts a new
 * sub-path (no line is drawn across missing data). Coordinates are rounded to 0.1 px.
 */
export function linePath(points: readonly Point[], x: (t: number) => number, y: (v: number) => number, gapMs: number): string {
  let d = '';
  let prevT: number | null = null;
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) {
      prevT = null;
      continue;
    }
    const cmd = prevT === null || t - prevT > gapMs ? 'M' : 'L';
    d += `${cmd}${round1(x(t))},${round1(y(v))}`;
    prevT = t;
  }
  return d;
}

function round1(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Largest finite value among the series' points within [from, to] (0 when none). */
export function maxValue(series: readonly (readonly Point[])[], fromMs: number, toMs: number): number {
  let m = 0;
  for (const pts of series) for (const [t, v] of pts) if (t >= fromMs && t <= toMs && Number.isFinite(v) && v > m) m = v;
  return m;
}
