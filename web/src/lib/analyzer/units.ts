// Display formatting of the Analyzer's figures: bit rates (the snapshot's bps are bits, unlike
// tcp_info's byte rates in lib/format), packet rates, ratios as percentages, durations.
export { formatNs } from '../format';

const BIT_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Three significant digits, no exponent: 1.23, 12.3, 123. */
function sig3(v: number): string {
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** Bits per second with SI prefixes: "0", "950 bit/s", "1.20 Mbit/s". */
export function formatBits(bps: number | null | undefined): string {
  if (!finite(bps) || bps < 0) return '—';
  if (bps === 0) return '0';
  let v = bps;
  let u = 0;
  while (v >= 999.5 && u < BIT_UNITS.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${sig3(v)} ${BIT_UNITS[u]}`;
}

/** A per-second rate of packets or events, SI-shortened above 10 000: "0", "0.5", "12", "1,234", "12.3k". */
export function formatPerSecond(r: number | null | undefined): string {
  if (!finite(r) || r < 0) return '—';
  if (r === 0) return '0';
  if (r < 10) return r.toFixed(1).replace(/\.0$/, '');
  if (r < 10_000) return Math.round(r).toLocaleString('en-US');
  if (r < 1e6) return `${sig3(r / 1e3)}k`;
  if (r < 1e9) return `${sig3(r / 1e6)}M`;
  return `${sig3(r / 1e9)}G`;
}

/**
 * A ratio (0..1) as a percentage. Small non-zero ratios keep two significant digits so a
 * 0.004 % drop ratio never reads as "0 %": "0 %", "0.0040 %", "0.25 %", "12.5 %", "100 %".
 */
export function formatPercent(ratio: number | null | undefined): string {
  if (!finite(ratio) || ratio < 0) return '—';
  const p = ratio * 100;
  if (p === 0) return '0 %';
  if (p >= 100) return `${Math.round(p)} %`;
  if (p >= 10) return `${p.toFixed(1)} %`;
  if (p >= 1) return `${p.toFixed(2)} %`;
  // Two significant digits below 1 %.
  const digits = Math.min(8, 1 - Math.floor(Math.log10(p)));
  return `${p.toFixed(digits)} %`;
}

/** Microseconds (srtt): "40 µs", "1.25 ms". */
export function formatUs(us: number | null | undefined): string {
  if (!finite(us) || us < 0) return '—';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1e6) return `${sig3(us / 1e3)} ms`;
  return `${sig3(us / 1e6)} s`;
}

/** Compact duration for chart axes and diagram labels, ns in: "850 ns", "12 µs", "1.2 ms". */
export function formatNsShort(ns: number | null | undefined): string {
  if (!finite(ns) || ns < 0) return '—';
  if (ns === 0) return '0';
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)} µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)} ms`;
  return `${trim(ns / 1e9)} s`;
}

function trim(v: number): string {
  return (v < 10 ? v.toFixed(1) : v.toFixed(0)).replace(/\.0$/, '');
}
