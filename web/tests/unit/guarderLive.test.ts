import { describe, expect, it } from 'vitest';
import { countdown, formatRemaining } from '../../src/lib/guarder/countdown';
import { CounterHistory, SPARK_POINTS, sparkPath } from '../../src/lib/guarder/sparkline';

const c = (packets: number) => ({ packets, bytes: packets * 100, rate_dropped: 0, last_hit: null });

describe('expiry countdown', () => {
  it('gets coarser as the time grows', () => {
    expect(formatRemaining(42_000)).toBe('42s');
    expect(formatRemaining(252_000)).toBe('4m 12s');
    expect(formatRemaining(3 * 3600_000 + 5 * 60_000)).toBe('3h 05m');
    expect(formatRemaining(2 * 86400_000 + 4 * 3600_000)).toBe('2d 4h');
    expect(formatRemaining(400)).toBe('1s');
  });

  it('counts down to "expired"', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(countdown(null, now)).toBeNull();
    expect(countdown('2025-06-01T12:04:12Z', now)).toEqual({ text: 'expires in 4m 12s', urgent: false, expired: false });
    expect(countdown('2025-06-01T12:00:30Z', now)?.urgent).toBe(true);
    expect(countdown('2025-06-01T11:59:59Z', now)).toEqual({ text: 'expired', urgent: true, expired: true });
    expect(countdown('garbage', now)).toBeNull();
  });
});

describe('CounterHistory', () => {
  it('turns counter samples into packets per second', () => {
    const h = new CounterHistory();
    expect(h.add(1000, { '1': c(100) })).toBe(true);
    expect(h.rate(1)).toBeNull();
    h.add(2000, { '1': c(150) });
    h.add(4000, { '1': c(250) });
    expect(h.rates(1)).toEqual([50, 50]);
    expect(h.counters(1)?.packets).toBe(250);
  });

  it('ignores repeated samples, restarts after a reset, forgets removed rules', () => {
    const h = new CounterHistory();
    h.add(1000, { '1': c(100), '2': c(5) });
    expect(h.add(1000, { '1': c(100) })).toBe(false);
    h.add(2000, { '1': c(10), '2': c(9) });
    expect(h.rates(1)).toEqual([]);
    expect(h.rates(2)).toEqual([4]);
    h.add(3000, { '2': c(10) });
    expect(h.ids()).toEqual(['2']);
    expect(h.counters(1)).toBeNull();
  });

  it('keeps the last 60 points', () => {
    const h = new CounterHistory();
    for (let i = 0; i <= 100; i++) h.add(i * 1000, { '1': c(i * 10) });
    expect(h.rates(1)).toHaveLength(SPARK_POINTS);
  });
});

describe('sparkPath', () => {
  it('scales to the largest value and grows from the right', () => {
    expect(sparkPath([5], 60, 20)).toBe('');
    const d = sparkPath([0, 10], 59, 20);
    expect(d).toBe('M58.0,19.0L59.0,1.0');
    const full = sparkPath(new Array(60).fill(0).map((_, i) => i), 59, 20);
    expect(full.startsWith('M0.0,19.0')).toBe(true);
    expect(full.endsWith('L59.0,1.0')).toBe(true);
  });

  it('draws zeros (and junk) on the baseline', () => {
    expect(sparkPath([0, 0, 0], 59, 20)).toBe('M57.0,19.0L58.0,19.0L59.0,19.0');
    expect(sparkPath([Number.NaN, -3, 4], 59, 20)).toBe('M57.0,19.0L58.0,19.0L59.0,1.0');
  });
});
