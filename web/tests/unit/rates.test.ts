import { describe, expect, it } from 'vitest';
import type { TracerStats } from '../../src/api/types';
import { computeRates, rate, sampleTime } from '../../src/lib/rates';

const stats = (n: number): TracerStats => ({
  packets_rx: n,
  packets_tx: n * 2,
  drops: 5,
  consumed: n,
  ringbuf_lost: 0,
});

describe('rate', () => {
  it('is the per-second increase', () => {
    expect(rate(100, 300, 2000)).toBe(100);
    expect(rate(0, 5, 500)).toBe(10);
    expect(rate(7, 7, 1000)).toBe(0);
  });
  it('is null without a usable previous value or time step', () => {
    expect(rate(undefined, 5, 1000)).toBeNull();
    expect(rate(1, 5, 0)).toBeNull();
    expect(rate(1, 5, -10)).toBeNull();
    expect(rate(Number.NaN, 5, 1000)).toBeNull();
  });
  it('is null when a counter goes backwards (daemon restart)', () => {
    expect(rate(500, 10, 1000)).toBeNull();
  });
});

describe('computeRates', () => {
  it('has all counters null for the first sample', () => {
    const r = computeRates(null, { at: 1000, stats: stats(10) });
    expect(Object.values(r).every((v) => v === null)).toBe(true);
  });
  it('computes every counter between two samples', () => {
    const r = computeRates({ at: 1000, stats: stats(100) }, { at: 2000, stats: stats(150) });
    expect(r).toEqual({ packets_rx: 50, packets_tx: 100, drops: 0, consumed: 50, ringbuf_lost: 0 });
  });
});

describe('sampleTime', () => {
  it('prefers the message timestamp', () => {
    expect(sampleTime('2026-11-23T09:00:01.500Z', 5)).toBe(Date.parse('2026-11-23T09:00:01.500Z'));
  });
  it('falls back to the receive time', () => {
    expect(sampleTime(undefined, 42)).toBe(42);
    expect(sampleTime('garbage', 42)).toBe(42);
  });
});
