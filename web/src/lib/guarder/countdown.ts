// Expiry countdowns for the rules table ("expires in 4m 12s"), recomputed every second.

/** Milliseconds until `expiresAt` (RFC 3339); null when there is no (valid) expiry. */
export function msUntil(expiresAt: string | null | undefined, nowMs: number): number | null {
  if (!expiresAt) return null;
  const t = Date.parse(expiresAt);
  return Number.isNaN(t) ? null : t - nowMs;
}

/** A remaining time, coarser as it grows: "42s", "4m 12s", "3h 05m", "2d 4h". */
export function formatRemaining(ms: number): string {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

export interface Countdown {
  text: string;
  /** under a minute left, or already past */
  urgent: boolean;
  expired: boolean;
}

/** The countdown cell: null for a rule without expiry. */
export function countdown(expiresAt: string | null | undefined, nowMs: number): Countdown | null {
  const ms = msUntil(expiresAt, nowMs);
  if (ms === null) return null;
  // The daemon deletes an expired rule within a second; until the list refreshes, say so.
  if (ms <= 0) return { text: 'expired', urgent: true, expired: true };
  return { text: `expires in ${formatRemaining(ms)}`, urgent: ms < 60_000, expired: false };
}
