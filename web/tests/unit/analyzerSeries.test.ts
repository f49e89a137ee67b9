import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/api/analyzer';
import { LiveSeries, mergeSeries, snapshotMetrics, snapshotTime } from '../../src/lib/analyzer/series';
import { snapshot } from './analyzerFixture';

describe('snapshot metrics', () => {
  it('names every value as the series routes do', () => {
    const m = snapshotMetrics(snapshot(5000));
    expect(m.get('volume.link.rx.pps')).toBe(100);
    expect(m.get('volume.socket.tx.bps')).toBe(240_000);
    expect(m.get('latency.rx.link.network.p99')).toBe(60000);
    expect(m.get('transitions.rx.link.network')).toBe(5);
    expect(m.get('loss.drop_ratio')).toBe(0.1);
    expect(m.get('loss.reason.NETFILTER_DROP.per_s')).toBe(1);
    expect(m.get('tcp.retransmits_per_s')).toBe(0.5);
  });

  it('leaves a gap, not a zero, for a pair without samples', () => {
    const m = snapshotMetrics(snapshot(5000));
    expect(m.has('latency.tx.link.link.p50')).toBe(false);
    expect(m.get('transitions.tx.link.link')).toBe(0);
  });

  it('takes the time from wall_ns', () => {
    expect(snapshotTime(snapshot(1_763_900_000_123))).toBe(1_763_900_000_123);
  });
});

describe('merging history and live points', () => {
  const history: Point[] = [
    [1000, 1],
    [2000, 2],
    [3000, 3],
  ];

  it('appends live points after the history, in order, without duplicates', () => {
    expect(mergeSeries(history, [[4000, 4], [5000, 5]], 0)).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 3],
      [4000, 4],
      [5000, 5],
    ]);
  });

  it('lets a live point replace the stored one of the same second and fills holes', () => {
    const merged = mergeSeries(history, [[2500, 9], [3000, 30], [4000, 4]], 0);
    expect(merged).toEqual([
      [1000, 1],
      [2000, 2],
      [2500, 9],
      [3000, 30],
      [4000, 4],
    ]);
  });

  it('drops points before the range start', () => {
    expect(mergeSeries(history, [[4000, 4]], 2500)).toEqual([
      [3000, 3],
      [4000, 4],
    ]);
    expect(mergeSeries([], [], 0)).toEqual([]);
  });

  it('keeps live points within the window and counts each snapshot once', () => {
    const live = new LiveSeries(2500);
    expect(live.add(snapshot(1000))).toBe(true);
    expect(live.add(snapshot(1000))).toBe(false); // the same snapshot from REST after the stream
    expect(live.add(snapshot(500))).toBe(false); // older
    live.add(snapshot(2000));
    live.add(snapshot(3000));
    live.add(snapshot(4000));
    expect(live.get('volume.link.rx.pps').map((p) => p[0])).toEqual([2000, 3000, 4000]);
    expect(live.get('no.such.metric')).toEqual([]);
    live.setWindow(500);
    live.add(snapshot(5000));
    expect(live.get('volume.link.rx.pps').map((p) => p[0])).toEqual([5000]);
  });
});

describe('bounded live series', () => {
  it('keeps at most maxPoints per metric, the newest', () => {
    const live = new LiveSeries(86_400_000, 3);
    for (let t = 1; t <= 5; t++) live.add(snapshot(t * 1000));
    expect(live.get('volume.link.rx.pps').map((p) => p[0])).toEqual([3000, 4000, 5000]);
  });
});
