// App-wide contexts, provided by the shell once the user is signed in.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import type { Health, TracerStats } from '../api/types';
import type { ConnectionStatus } from '../lib/connection';
import type { Rates } from '../lib/rates';
import { StreamBus } from '../lib/streamBus';
import type { PollState } from './usePoll';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

export const HealthContext = createContext<PollState<Health>>({
  data: null,
  error: null,
  loading: true,
  updatedAt: null,
});

export function useHealth(): PollState<Health> {
  return useContext(HealthContext);
}

export interface LiveStats {
  status: ConnectionStatus;
  stats: TracerStats | null;
  rates: Rates | null;
  /** ms since epoch of the latest sample */
  updatedAt: number | null;
  /** "stream" when samples come from the WebSocket, "poll" while falling back to REST */
  source: 'stream' | 'poll' | null;
  serverVersion: string | null;
}

export const LiveContext = createContext<LiveStats>({
  status: 'offline',
  stats: null,
  rates: null,
  updatedAt: null,
  source: null,
  serverVersion: null,
});

export function useLive(): LiveStats {
  return useContext(LiveContext);
}

/** Stream frames by type, and this client's stream requests (see lib/streamBus). */
export const StreamContext = createContext<StreamBus>(new StreamBus());

export function useStreamBus(): StreamBus {
  return useContext(StreamContext);
}
