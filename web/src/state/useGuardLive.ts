// Live Guarder counters and stats: the 1 s "guard.counters" stream frames, with polling of
// /guard/counters (every 2 s) and /guard/stats as the fallback while the stream is silent.
// Every sample feeds the per-rule rate history behind the sparklines.
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, isUnauthorized } from '../api/client';
import { isCountersBody, type CountersFrame, type GuardApi, type GuardStats } from '../api/guarder';
import { CounterHistory } from '../lib/guarder/sparkline';
import type { StreamBus } from '../lib/streamBus';

export const COUNTERS_POLL_MS = 2000;
/** The stream publishes once a second: after this long without a frame, poll instead. */
const STREAM_QUIET_MS = 2500;
/** Attachments change rarely; the frame's stats carry them too. */
const STATS_POLL_MS = 5000;

export interface GuardLive {
  history: CounterHistory;
  stats: GuardStats | null;
  source: 'stream' | 'poll' | null;
  error: string | null;
  /** bumps on every accepted sample */
  version: number;
}

function sampleTime(ts: string | undefined, fallback: number): number {
  const t = ts ? Date.parse(ts) : Number.NaN;
  return Number.isNaN(t) ? fallback : t;
}

export function useGuardLive(guard: GuardApi, bus: StreamBus): GuardLive {
  const historyRef = useRef<CounterHistory | null>(null);
  if (!historyRef.current) historyRef.current = new CounterHistory();
  const history = historyRef.current;
  const [state, setState] = useState<Omit<GuardLive, 'history'>>({ stats: null, source: null, error: null, version: 0 });
  const lastFrameAt = useRef(0);

  useEffect(() => {
    let alive = true;
    const accept = (at: number, items: CountersFrame['items'], stats: GuardStats | undefined, source: 'stream' | 'poll') => {
      if (!alive) return;
      const used = history.add(at, items);
      setState((s) => ({ stats: stats ?? s.stats, source, error: null, version: used ? s.version + 1 : s.version }));
    };
    const off = bus.on('guard.counters', (m) => {
      if (!isCountersBody(m.data)) return;
      lastFrameAt.current = Date.now();
      const d = m.data as CountersFrame;
      accept(sampleTime(d.ts, Date.now()), d.items, d.stats, 'stream');
    });

    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastStatsPoll = 0;
    const poll = async () => {
      if (Date.now() - lastFrameAt.current > STREAM_QUIET_MS) {
        try {
          const wantStats = Date.now() - lastStatsPoll >= STATS_POLL_MS;
          const [c, st] = await Promise.all([guard.counters(), wantStats ? guard.stats() : Promise.resolve(undefined)]);
          if (wantStats) lastStatsPoll = Date.now();
          if (isCountersBody(c)) accept(sampleTime(c.ts, Date.now()), c.items, st, 'poll');
        } catch (e) {
          if (!alive || isUnauthorized(e)) return;
          setState((s) => ({ ...s, error: describeError(e) }));
        }
      }
      if (alive) timer = setTimeout(() => void poll(), COUNTERS_POLL_MS);
    };
    void poll();
    return () => {
      alive = false;
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [guard, bus, history]);

  return { ...state, history };
}
