// Per-second rates from two samples of monotonically increasing counters.
import { TRACER_COUNTERS, type TracerCounter, type TracerStats } from '../api/types';

export interface Sample {
  at: number; // ms since epoch
  stats: TracerStats;
}

export type Rates = Record<TracerCounter, number | null>;

export function emptyRates(): Rates {
  return { packets_rx: null, packets_tx: null, drops: null, consumed: null, ringbuf_lost: null };
}

/**
 * Rate of one counter between two samples. Null when there is no previous sample,
 * time did not advance, a value is not a finite number, or the counter went
 * backwards (daemon restarted).
 */
export function rate(prev: number | undefined, cur: number | undefined, dtMs: number): number | null {
  if (typeof prev !== 'number' || typeof cur !== 'number') return null;
  if (!Number.isFinite(prev) || !Number.isFinite(cur)) return null;
  if (!(dtMs > 0)) return null;
  if (cur < prev) return null;
  return ((cur - prev) * 1000) / dtMs;
}

export function computeRates(prev: Sample | null, cur: Sample): Rates {
  const out = emptyRates();
  if (!prev) return out;
  const dt = cur.at - prev.at;
  for (const k of TRACER_COUNTERS) out[k] = rate(prev.stats[k], cur.stats[k], dt);
  return out;
}

/** Sample time: the message's own timestamp when it parses, else the receive time. */
export function sampleTime(ts: string | undefined, receivedAt: number): number {
  if (ts) {
    const t = Date.parse(ts);
    if (Number.isFinite(t)) return t;
  }
  return receivedAt;
}
