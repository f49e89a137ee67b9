import { describe, expect, it } from 'vitest';
import { latencyColor, latencyLegend, latencyPosition } from '../../src/lib/analyzer/colors';
import type { LayerName } from '../../src/api/analyzer';
import { LABEL_GAP, assignLanes, layoutArrows, spreadLabels } from '../../src/lib/analyzer/diagram';
import { snapshot } from './analyzerFixture';

function hue(c: string | null): number {
  const m = /^hsl\((\d+),/.exec(c ?? '');
  if (!m) throw new Error(`not an hsl colour: ${c}`);
  return Number(m[1]);
}

describe('layer diagram colour scale', () => {
  it('places latencies on a log scale from 1 µs to 10 ms, clamped', () => {
    expect(latencyPosition(1000)).toBe(0);
    expect(latencyPosition(10_000)).toBeCloseTo(0.25);
    expect(latencyPosition(100_000)).toBeCloseTo(0.5);
    expect(latencyPosition(1e7)).toBe(1);
    expect(latencyPosition(50)).toBe(0);
    expect(latencyPosition(5e9)).toBe(1);
  });

  it('has no colour for an unmeasured pair', () => {
    expect(latencyPosition(0)).toBeNull();
    expect(latencyColor(0)).toBeNull();
    expect(latencyColor(undefined)).toBeNull();
    expect(latencyColor(Number.NaN)).toBeNull();
  });

  it('goes from green (fast) to red (slow), monotonically', () => {
    expect(hue(latencyColor(500))).toBe(140);
    expect(hue(latencyColor(2e7))).toBe(0);
    let prev = Infinity;
    for (let ns = 1000; ns <= 1e7; ns *= 3) {
      const h = hue(latencyColor(ns));
      expect(h).toBeLessThanOrEqual(prev);
      prev = h;
    }
  });

  it('has one legend stop per decade with the matching colour', () => {
    const l = latencyLegend();
    expect(l.map((s) => s.ns)).toEqual([1e3, 1e4, 1e5, 1e6, 1e7]);
    expect(l[0]!.offset).toBe(0);
    expect(l[4]!.offset).toBe(1);
    expect(l[2]!.color).toBe(latencyColor(1e5));
  });

  it('lays receive arrows on the left going up, transmit on the right, loops for one layer', () => {
    const s = snapshot(1000);
    const arrows = layoutArrows([
      ...s.pairs,
      { ...s.pairs[0]!, from: 'link', to: 'transport' },
      { ...s.pairs[0]!, dir: 'tx', from: 'transport', to: 'link' },
    ]);
    expect(arrows.map((a) => a.side)).toEqual(['left', 'right', 'left', 'right']);
    expect(arrows.map((a) => a.anchor)).toEqual(['end', 'start', 'end', 'start']);
    expect(arrows[1]!.d).toMatch(/^M[\d.,]+ C/); // the link -> link loop
    // Labels sit outside every arrow of their side.
    for (const a of arrows) expect(a.side === 'left' ? a.lx < a.mx : a.lx > a.mx).toBe(true);
  });

  it('puts overlapping pairs in separate lanes, touching ones in the same lane', () => {
    const base = snapshot(1000).pairs[0]!;
    const rx = (from: LayerName, to: LayerName) => ({ ...base, from, to });
    // The eight pairs the kernel side measures.
    const pairs = [
      rx('link', 'network'),
      rx('network', 'transport'),
      rx('transport', 'socket'),
      rx('link', 'transport'),
      rx('link', 'socket'),
      rx('network', 'socket'),
      { ...base, dir: 'tx' as const, from: 'transport' as const, to: 'link' as const },
      { ...base, dir: 'tx' as const, from: 'link' as const, to: 'link' as const },
    ];
    const lanes = assignLanes(pairs);
    expect(lanes.slice(0, 3)).toEqual([0, 0, 0]);
    expect(new Set(lanes.slice(3, 6)).size).toBe(3);
    expect(Math.min(...lanes.slice(3, 6))).toBeGreaterThan(0);
    expect(lanes.slice(6)).toEqual([0, 0]);
    const arrows = layoutArrows(pairs);
    const left = arrows.filter((a) => a.side === 'left').map((a) => a.ly).sort((a, b) => a - b);
    for (let i = 1; i < left.length; i++) expect(left[i]! - left[i - 1]!).toBeGreaterThanOrEqual(LABEL_GAP);
  });

  it('spreads labels apart within the band, keeping their order', () => {
    expect(spreadLabels([100, 100, 100], 30, 0, 1000)).toEqual([100, 130, 160]);
    expect(spreadLabels([50, 10], 30, 0, 1000)).toEqual([50, 10]);
    expect(spreadLabels([990, 995], 30, 0, 1000)).toEqual([970, 1000]);
    expect(spreadLabels([-5], 30, 0, 1000)).toEqual([0]);
  });
});
