// Live Analyzer snapshots: the "analyzer.snapshot" stream frames, with GET /analyzer/snapshot
// once at the start and as a fallback while no frame arrived for a while (stream down, or a
// daemon that does not publish the topic). Every new snapshot also extends the live series.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, isUnauthorized, type ApiClient } from '../api/client';
import { isSnapshot, type Snapshot } from '../api/analyzer';
import { LiveSeries, snapshotTime } from '../lib/analyzer/series';
import type { StreamBus } from '../lib/streamBus';

const POLL_MS = 2000;
/** REST is asked only when the stream has been silent this long (it publishes once a second). */
const STREAM_QUIET_MS = 2500;
/** A disabled analyzer stays so until the daemon restarts: ask rarely. */
export const RETRY_UNAVAILABLE_MS = 10_000;

export interface AnalyzerLive {
  snapshot: Snapshot | null;
  /** the daemon's reason when the analyzer cannot answer (503: disabled or failed), or any other error */
  error: string | null;
  /** HTTP status of the error; 503 means the analyzer is unavailable, not the daemon */
  errorStatus: number | null;
  source: 'stream' | 'poll' | null;
  /** Date.now() when the latest snapshot arrived */
  receivedAt: number | null;
  /** live points since the page opened, bounded to the chart window */
  series: LiveSeries;
  /** bumps on every new snapshot, for memoisation */
  version: number;
}

export function useAnalyzerLive(api: ApiClient, bus: StreamBus, windowMs: number): AnalyzerLive {
  const seriesRef = useRef<LiveSeries | null>(null);
  if (!seriesRef.current) seriesRef.current = new LiveSeries(windowMs);
  const series = seriesRef.current;
  series.setWindow(windowMs);
  const [state, setState] = useState<Omit<AnalyzerLive, 'series'>>({
    snapshot: null,
    error: null,
    errorStatus: null,
    source: null,
    receivedAt: null,
    version: 0,
  });
  const lastStreamAt = useRef(0);

  useEffect(() => {
    let alive = true;
    const accept = (s: Snapshot, source: 'stream' | 'poll') => {
      if (!alive) return;
      // An analyzer that has not finished its first interval reports wall_ns 0: nothing to show.
      if (!(s.wall_ns > 0)) {
        setState((st) => ({ ...st, error: null, errorStatus: null }));
        return;
      }
      const added = series.add(s);
      setState((st) => {
        if (!added && st.snapshot && snapshotTime(st.snapshot) >= snapshotTime(s)) return st;
        return { snapshot: s, error: null, errorStatus: null, source, receivedAt: Date.now(), version: st.version + 1 };
      });
    };
    const off = bus.on('analyzer.snapshot', (m) => {
      if (!isSnapshot(m.data)) return;
      lastStreamAt.current = Date.now();
      accept(m.data, 'stream');
    });

    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      let next = POLL_MS;
      if (Date.now() - lastStreamAt.current > STREAM_QUIET_MS) {
        try {
          const s = await api.analyzerSnapshot();
          if (!isSnapshot(s)) throw new ApiError(200, 'bad_response', 'the analyzer snapshot is not in the documented shape');
          accept(s, 'poll');
        } catch (e) {
          if (!alive || isUnauthorized(e)) return;
          const status = e instanceof ApiError ? e.status : null;
          // 503 carries the reason (disabled in the configuration, failed to load, ...).
          const message = e instanceof ApiError && status === 503 ? e.message : describeError(e);
          setState((st) => ({ ...st, error: message, errorStatus: status }));
          next = RETRY_UNAVAILABLE_MS;
        }
      }
      if (alive) timer = setTimeout(() => void poll(), next);
    };
    void poll();
    return () => {
      alive = false;
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [api, bus, series]);

  return { ...state, series };
}
