import { describe, expect, it } from 'vitest';
import { formatBits, formatNsShort, formatPercent, formatPerSecond, formatUs } from '../../src/lib/analyzer/units';

describe('analyzer units', () => {
  it('formats bit rates with SI prefixes and three significant digits', () => {
    expect(formatBits(0)).toBe('0');
    expect(formatBits(950)).toBe('950 bit/s');
    expect(formatBits(1200)).toBe('1.20 kbit/s');
    expect(formatBits(12_345_678)).toBe('12.3 Mbit/s');
    expect(formatBits(999_600)).toBe('1.00 Mbit/s');
    expect(formatBits(9.4e9)).toBe('9.40 Gbit/s');
    expect(formatBits(-1)).toBe('—');
    expect(formatBits(null)).toBe('—');
    expect(formatBits(Number.NaN)).toBe('—');
  });

  it('formats per-second rates: decimals when small, grouped, then k/M', () => {
    expect(formatPerSecond(0)).toBe('0');
    expect(formatPerSecond(0.25)).toBe('0.3');
    expect(formatPerSecond(2)).toBe('2');
    expect(formatPerSecond(1234.4)).toBe('1,234');
    expect(formatPerSecond(12_345)).toBe('12.3k');
    expect(formatPerSecond(2_500_000)).toBe('2.50M');
    expect(formatPerSecond(undefined)).toBe('—');
  });

  it('formats ratios as percentages without hiding small non-zero ratios', () => {
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(0.125)).toBe('12.5 %');
    expect(formatPercent(0.0525)).toBe('5.25 %');
    expect(formatPercent(0.0025)).toBe('0.25 %');
    expect(formatPercent(0.00004)).toBe('0.0040 %');
    expect(formatPercent(1e-9)).not.toBe('0 %');
    expect(formatPercent(-0.1)).toBe('—');
    expect(formatPercent(null)).toBe('—');
  });

  it('formats durations compactly', () => {
    expect(formatNsShort(0)).toBe('0');
    expect(formatNsShort(850)).toBe('850 ns');
    expect(formatNsShort(1000)).toBe('1 µs');
    expect(formatNsShort(12_345)).toBe('12 µs');
    expect(formatNsShort(1_250_000)).toBe('1.3 ms');
    expect(formatNsShort(2e9)).toBe('2 s');
    expect(formatUs(40)).toBe('40 µs');
    expect(formatUs(1250)).toBe('1.25 ms');
    expect(formatUs(null)).toBe('—');
  });
});
