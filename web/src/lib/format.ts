// Display formatting. Counters use en-US grouping so values read the same everywhere.

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  return intFmt.format(n);
}

export function formatRate(r: number | null | undefined): string {
  if (typeof r !== 'number' || !Number.isFinite(r)) return '—';
  if (r === 0) return '0';
  if (r < 10) return r.toFixed(1);
  return intFmt.format(Math.round(r));
}

export function formatUptime(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  let s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Local wall-clock time with milliseconds (HH:MM:SS.mmm); the input when unparsable. */
export function formatClock(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
}

/** Full local date and time, for tooltips. */
export function formatDateTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${formatClock(iso)}`;
}

/**
 * Local wall-clock time with the timestamp's own sub-second digits (HH:MM:SS.ffffff for the
 * tracer's microsecond times). Date keeps only milliseconds, so the fraction comes from the text.
 */
export function formatClockPrecise(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const frac = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(iso)?.[1];
  const sub = frac ? frac.slice(0, 9).padEnd(3, '0') : pad(t.getMilliseconds(), 3);
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${sub}`;
}

/** A duration given in ns: µs with one decimal below 1 ms ("0.4 µs", "12.3 µs"), then ms, then s. */
export function formatNs(ns: number | null | undefined): string {
  if (typeof ns !== 'number' || !Number.isFinite(ns)) return '—';
  const a = Math.abs(ns);
  if (a < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(a < 1e8 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

const RATE_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

/** A byte rate (bytes/s, as tcp_info reports it) in bits per second with SI prefixes. */
export function formatBitRate(bytesPerSec: number | null | undefined): string {
  if (typeof bytesPerSec !== 'number' || !Number.isFinite(bytesPerSec) || bytesPerSec < 0) return '—';
  let v = bytesPerSec * 8;
  if (v === 0) return '0';
  let u = 0;
  while (v >= 1000 && u < RATE_UNITS.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${RATE_UNITS[u]}`;
}
