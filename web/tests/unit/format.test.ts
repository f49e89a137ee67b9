import { describe, expect, it } from 'vitest';
import { flattenObject } from '../../src/lib/flatten';
import { formatCount, formatRate, formatUptime } from '../../src/lib/format';
import { routeFromHash } from '../../src/lib/routes';

describe('formatting', () => {
  it('groups counters with commas', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('—');
  });
  it('shows small rates with one decimal and large ones rounded', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(2.25)).toBe('2.3');
    expect(formatRate(1234.4)).toBe('1,234');
    expect(formatRate(null)).toBe('—');
  });
  it('formats uptime compactly', () => {
    expect(formatUptime(12.3)).toBe('12s');
    expect(formatUptime(125)).toBe('2m 5s');
    expect(formatUptime(3 * 3600 + 61)).toBe('3h 1m 1s');
    expect(formatUptime(2 * 86400 + 3600)).toBe('2d 1h 0m');
  });
});

describe('flattenObject', () => {
  it('renders nested config as dotted keys', () => {
    const rows = flattenObject({ listen: '127.0.0.1:9470', tracer: { ringbuf: 4096, on: true, ifs: ['eth0'] }, empty: {}, n: null });
    expect(rows.map((r) => [r.key, r.value])).toEqual([
      ['listen', '127.0.0.1:9470'],
      ['tracer.ringbuf', '4096'],
      ['tracer.on', 'true'],
      ['tracer.ifs', '["eth0"]'],
      ['empty', '{}'],
      ['n', 'null'],
    ]);
  });
});

describe('routeFromHash', () => {
  it('maps known routes and defaults to monitor', () => {
    expect(routeFromHash('#/settings')).toBe('settings');
    expect(routeFromHash('#/guarder?x=1')).toBe('guarder');
    expect(routeFromHash('')).toBe('monitor');
    expect(routeFromHash('#/nope')).toBe('monitor');
    expect(routeFromHash('#token=abc')).toBe('monitor');
  });
});
