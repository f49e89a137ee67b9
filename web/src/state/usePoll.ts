// Runs an async loader now and then every intervalMs after the previous call
// settles (never overlapping). Results arriving after unmount are dropped;
// requests are not aborted, so navigation never produces failed requests.
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, isUnauthorized } from '../api/client';

export interface PollState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  updatedAt: number | null;
}

export function usePoll<T>(load: () => Promise<T>, intervalMs: number | null, deps: unknown[] = []): PollState<T> {
  const [state, setState] = useState<PollState<T>>({ data: null, error: null, loading: true, updatedAt: null });
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (!alive) return;
        setState({ data, error: null, loading: false, updatedAt: Date.now() });
      } catch (e) {
        if (!alive) return;
        // A 401 has already sent the app back to the login form.
        if (isUnauthorized(e)) return;
        setState((s) => ({ ...s, error: describeError(e), loading: false }));
      }
      if (alive && intervalMs !== null) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      alive = false;
      if (timer !== null) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);

  return state;
}
