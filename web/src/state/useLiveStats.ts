// Live tracer counters: the WebSocket stream when it is up, REST polling of
// /tracer/stats as a fallback while it is not. Also drives the indicator state.
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import { isUnauthorized } from '../api/client';
import { StreamClient } from '../api/stream';
import type { StreamMessage, TracerStats } from '../api/types';
import { connReducer, connStatus, initialConnState, type ConnEvent } from '../lib/connection';
import { computeRates, sampleTime, type Sample } from '../lib/rates';
import type { StreamBus } from '../lib/streamBus';
import { streamProtocols, streamUrl } from '../lib/wsurl';
import type { LiveStats } from './contexts';

const POLL_MS = 2000;
const STALE_RATE_MS = 5000;

type Source = 'stream' | 'poll';

type TaggedSample = Sample & { source: Source; receivedAt: number };

interface SampleState {
  prev: TaggedSample | null;
  cur: TaggedSample | null;
}

function isStats(v: unknown): v is TracerStats {
  return typeof v === 'object' && v !== null && typeof (v as TracerStats).packets_rx === 'number';
}

/** `bus` receives every stream frame and sends the client's stream requests. */
export function useLiveStats(api: ApiClient, token: string, bus?: StreamBus): LiveStats {
  const [conn, dispatch] = useReducer(connReducer, undefined, () => initialConnState(Date.now()));
  const [samples, setSamples] = useState<SampleState>({ prev: null, cur: null });
  const [serverVersion, setServerVersion] = useState<string | null>(null);
  const status = connStatus(conn);

  const push = useRef((stats: TracerStats, at: number, source: Source) => {
    setSamples((s) => {
      const next = { at, stats, source, receivedAt: Date.now() };
      // Rates are only computed between samples of the same source (clocks differ).
      const prev = s.cur && s.cur.source === source && at > s.cur.at ? s.cur : null;
      return { prev, cur: next };
    });
  }).current;

  useEffect(() => {
    const client = new StreamClient({
      url: streamUrl(window.location),
      protocols: streamProtocols(token),
      onEvent: (e: ConnEvent) => {
        dispatch(e);
        if (e.type === 'open') bus?.attach((text) => client.send(text));
        else if (e.type === 'close' || e.type === 'stop') bus?.detach();
      },
      onMessage: (m: StreamMessage, receivedAt: number) => {
        bus?.emit(m, receivedAt);
        if (m.type === 'hello') {
          const v = (m.data as { version?: unknown } | undefined)?.version;
          if (typeof v === 'string') setServerVersion(v);
        } else if (m.type === 'tracer.stats' && isStats(m.data)) {
          push(m.data, sampleTime(m.ts, receivedAt), 'stream');
        }
      },
    });
    client.start();
    const tick = setInterval(() => dispatch({ type: 'tick', now: Date.now() }), 1000);
    return () => {
      clearInterval(tick);
      client.stop();
    };
  }, [token, push, bus]);

  const live = status === 'live';
  useEffect(() => {
    if (live) return undefined;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const run = async () => {
      try {
        const stats = await api.tracerStats();
        if (alive && isStats(stats)) push(stats, Date.now(), 'poll');
      } catch (e) {
        if (isUnauthorized(e)) return;
        // Other errors: the indicator already shows the daemon as unreachable.
      }
      if (alive) timer = setTimeout(run, POLL_MS);
    };
    void run();
    return () => {
      alive = false;
      if (timer !== null) clearTimeout(timer);
    };
  }, [live, api, push]);

  const { prev, cur } = samples;
  // A rate is only shown while it is current: stale counters stay, their rates do not.
  const fresh = cur !== null && conn.now - cur.receivedAt <= STALE_RATE_MS;
  return {
    status,
    stats: cur?.stats ?? null,
    rates: cur && fresh ? computeRates(prev, cur) : null,
    updatedAt: cur?.at ?? null,
    source: cur?.source ?? null,
    serverVersion,
  };
}
