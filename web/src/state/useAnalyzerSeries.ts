// Stored history of the Analyzer's series for the chosen time range (GET /analyzer/metrics, then
// GET /analyzer/series per wanted metric that the daemon stores). Live points are merged in by
// the caller (lib/analyzer/series mergeSeries).
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, isUnauthorized, type ApiClient } from '../api/client';
import type { Point } from '../api/analyzer';

export interface History {
  points: Point[];
  resolution_s: number;
}

export interface SeriesState {
  history: Map<string, History>;
  /** range start used for the history, ms */
  fromMs: number;
  loading: boolean;
  error: string | null;
}

/** Concurrent /series requests: enough to fill the charts quickly without a burst of 30. */
const PARALLEL = 4;
/** How often a range longer than twice this reloads its history (well inside LIVE_MAX_POINTS s). */
export const HISTORY_RELOAD_MS = 20 * 60_000;

/** Names of the stored series (GET /analyzer/metrics), asked again when the range changes. */
export function useAnalyzerMetrics(api: ApiClient, rangeMs: number, enabled: boolean): { available: Set<string> | null; error: string | null } {
  const [state, setState] = useState<{ available: Set<string> | null; error: string | null }>({ available: null, error: null });
  useEffect(() => {
    if (!enabled) return undefined;
    let alive = true;
    api.analyzerMetrics().then(
      (m) => {
        if (!alive) return;
        const items = Array.isArray(m?.items) ? m.items.filter((x): x is string => typeof x === 'string') : [];
        setState({ available: new Set(items), error: null });
      },
      (e) => {
        if (!alive || isUnauthorized(e)) return;
        setState((s) => ({ ...s, error: `Stored series: ${describeError(e)}` }));
      },
    );
    return () => {
      alive = false;
    };
  }, [api, rangeMs, enabled]);
  return state;
}

/**
 * History of the `wanted` metrics (a sorted list) that the daemon stores. A metric joins when it
 * first appears (a new drop reason, a new layer pair) without reloading the others; a new range
 * reloads all of them.
 */
export function useAnalyzerSeries(api: ApiClient, wanted: readonly string[], available: Set<string> | null, rangeMs: number): SeriesState {
  const [state, setState] = useState<SeriesState>({ history: new Map(), fromMs: Date.now() - rangeMs, loading: true, error: null });
  const requested = useRef(new Set<string>());
  const generation = useRef(0);
  const rangeRef = useRef(rangeMs);
  const reloadRef = useRef(0);
  const [reload, setReload] = useState(0);

  // Live points are kept for at most LIVE_MAX_POINTS seconds; a longer range reloads its
  // history now and then so that history and live points always meet.
  useEffect(() => {
    if (rangeMs <= HISTORY_RELOAD_MS * 2) return undefined;
    const t = setInterval(() => setReload((n) => n + 1), HISTORY_RELOAD_MS);
    return () => clearInterval(t);
  }, [rangeMs]);

  const key = wanted.join('\n');
  useEffect(() => {
    if (!available) return;
    let from = state.fromMs;
    const newRange = rangeRef.current !== rangeMs || generation.current === 0;
    if (newRange || reloadRef.current !== reload) {
      // New range (or first load): forget what was loaded for the old one. A reload keeps the
      // old history on screen until each metric's new answer replaces it.
      rangeRef.current = rangeMs;
      reloadRef.current = reload;
      generation.current += 1;
      requested.current = new Set();
      from = Date.now() - rangeMs;
      setState((s) => ({ history: newRange ? new Map() : s.history, fromMs: from, loading: newRange, error: null }));
    }
    const gen = generation.current;
    const todo = wanted.filter((m) => available.has(m) && !requested.current.has(m));
    for (const m of todo) requested.current.add(m);
    if (todo.length === 0) {
      setState((s) => (s.loading ? { ...s, loading: false } : s));
      return;
    }
    const to = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const metric = todo[next++]!;
        try {
          const s = await api.analyzerSeries(metric, from, to);
          if (gen !== generation.current) return;
          const points = Array.isArray(s?.points) ? s.points.filter(isPoint) : [];
          setState((st) => {
            const history = new Map(st.history);
            history.set(metric, { points, resolution_s: typeof s.resolution_s === 'number' ? s.resolution_s : 1 });
            return { ...st, history };
          });
        } catch (e) {
          if (gen !== generation.current || isUnauthorized(e)) return;
          setState((st) => ({ ...st, error: `Series ${metric}: ${describeError(e)}` }));
        }
      }
    };
    void Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker)).then(() => {
      if (gen === generation.current) setState((st) => ({ ...st, loading: false }));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, available, rangeMs, reload]);

  return state;
}

function isPoint(p: unknown): p is Point {
  return Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number';
}
