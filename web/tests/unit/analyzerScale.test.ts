import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/api/analyzer';
import { decimate, formatTick, linePath, linear, maxValue, niceStep, niceTicks, timeTicks } from '../../src/lib/analyzer/scale';

describe('chart scaling', () => {
  it('picks 1-2-2.5-5 steps', () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(2300)).toBe(2500);
    expect(niceStep(0.0031)).toBeCloseTo(0.005);
    expect(niceStep(0)).toBe(1);
  });

  it('builds y ticks from 0 to a nice maximum at or above the data', () => {
    expect(niceTicks(93, 4)).toEqual({ min: 0, max: 100, step: 25, values: [0, 25, 50, 75, 100] });
    expect(niceTicks(100, 4).max).toBe(100);
    const t = niceTicks(12_345_678, 4);
    expect(t.max).toBeGreaterThanOrEqual(12_345_678);
    expect(t.values[0]).toBe(0);
    expect(t.values.length).toBeLessThanOrEqual(6);
    // Empty or all-zero data still gets an axis.
    expect(niceTicks(0).max).toBe(1);
    expect(niceTicks(Number.NaN).max).toBe(1);
    // Small ratios keep exact tick values (no 0.30000000000000004).
    expect(niceTicks(0.0029, 3).values).toEqual([0, 0.001, 0.002, 0.003]);
  });

  it('maps domains linearly, including inverted ranges for y', () => {
    const y = linear(0, 100, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(150);
    expect(linear(5, 5, 10, 20)(7)).toBe(10);
  });

  it('puts time ticks on round local times', () => {
    const from = new Date(2026, 10, 23, 13, 31, 17).getTime();
    const ticks = timeTicks(from, from + 5 * 60_000, 5);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const t of ticks) {
      expect(t).toBeGreaterThanOrEqual(from);
      expect(new Date(t).getSeconds()).toBe(0);
    }
    expect(ticks[1]! - ticks[0]!).toBe(60_000);
    const day = timeTicks(from, from + 86_400_000, 6);
    expect(day[1]! - day[0]!).toBe(6 * 3600_000); // 24 h / 6 = 4 h, rounded up to the 6 h step
    expect(new Date(day[0]!).getMinutes()).toBe(0);
    expect(timeTicks(10, 5)).toEqual([]);
    expect(formatTick(new Date(2026, 0, 1, 9, 5, 7).getTime(), 10_000)).toBe('09:05:07');
    expect(formatTick(new Date(2026, 0, 1, 9, 5, 7).getTime(), 60_000)).toBe('09:05');
  });

  it('decimates to min and max per slice, keeping spikes and time order', () => {
    const pts: Point[] = Array.from({ length: 1000 }, (_, i) => [i, i === 500 ? 99 : i % 2]);
    const d = decimate(pts, 0, 1000, 10);
    expect(d.length).toBeLessThanOrEqual(20);
    expect(d.some((p) => p[1] === 99)).toBe(true);
    for (let i = 1; i < d.length; i++) expect(d[i]![0]).toBeGreaterThan(d[i - 1]![0]);
    // Few points are drawn as they are.
    expect(decimate(pts.slice(0, 5), 0, 1000, 10)).toEqual(pts.slice(0, 5));
  });

  it('breaks lines at gaps and skips non-finite values', () => {
    const pts: Point[] = [
      [0, 0],
      [1000, 10],
      [2000, 20],
      [10_000, 30],
      [11_000, Number.NaN],
      [12_000, 40],
    ];
    const d = linePath(pts, (t) => t / 100, (v) => 100 - v, 3000);
    expect(d).toBe('M0,100L10,90L20,80M100,70M120,60');
    expect(maxValue([pts], 0, 12_000)).toBe(40);
    expect(maxValue([pts], 0, 5000)).toBe(20);
    expect(maxValue([], 0, 1)).toBe(0);
  });
});
