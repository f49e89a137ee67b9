// The packets list: one page of GET /api/v1/tracer/packets, kept current while it is the
// newest page and live. Live means the stream's "tracer.path" frames (filtered on the server
// by the same expression): with no socket and no filter a frame is the new row itself (rows
// are added in batches, four times a second); with either, a frame only says "something
// matching arrived" and the page is fetched again, at most once a second, so the list always
// shows exactly what the REST query answers. Without the stream the page is polled.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError, isUnauthorized } from '../api/client';
import type { PacketSummary } from '../api/types';
import { isPacketSummary, mergeNewest, olderCursor } from '../lib/packets';
import { useApi, useLive, useStreamBus } from './contexts';

export const LIVE_REFETCH_MS = 1000;
/** Streamed rows are added in batches: the daemon may stream hundreds of packets a second. */
export const LIVE_BATCH_MS = 250;
export const POLL_MS = 2000;
/** While the stream is up it carries the news; this only repairs frames lost to a slow client. */
export const STREAM_SAFETY_POLL_MS = 10_000;

export interface PacketListOptions {
  /** socket cookie, decimal */
  socket?: string | undefined;
  filter: string;
  /** undefined: the newest page */
  beforeId?: number | undefined;
  /** follow new packets (newest page only) */
  live: boolean;
  limit: number;
}

export interface PacketListState {
  /** null until the first answer for the current socket, filter and page */
  items: readonly PacketSummary[] | null;
  /** before_id of the next older page, null when this page is the last */
  older: number | null;
  error: string | null;
  /** the socket is gone (the daemon no longer knows its cookie); the list stopped updating */
  gone: boolean;
  updatedAt: number | null;
}

const EMPTY: PacketListState = { items: null, older: null, error: null, gone: false, updatedAt: null };

export function usePacketList({ socket, filter, beforeId, live, limit }: PacketListOptions): PacketListState {
  const api = useApi();
  const bus = useStreamBus();
  const streamLive = useLive().status === 'live';
  const key = `${socket ?? '*'}|${filter}|${beforeId ?? 'newest'}|${limit}`;
  const [state, setState] = useState<PacketListState & { key: string }>({ ...EMPTY, key: '' });
  const follow = live && beforeId === undefined;
  // Frames are the rows themselves only when nothing narrows the list.
  const direct = socket === undefined && filter === '';

  useEffect(() => {
    let alive = true;
    let stopped = false;
    let inflight = false;
    let dirty = false;
    let lastFetch = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let timerAt = 0;
    let items: readonly PacketSummary[] | null = null;
    const early: PacketSummary[] = [];
    let batch: PacketSummary[] = [];
    let batchTimer: ReturnType<typeof setTimeout> | null = null;
    const period = !follow ? null : streamLive ? STREAM_SAFETY_POLL_MS : POLL_MS;

    const scheduleIn = (ms: number) => {
      const at = Date.now() + ms;
      if (timer !== null && timerAt <= at) return;
      if (timer !== null) clearTimeout(timer);
      timerAt = at;
      timer = setTimeout(() => {
        timer = null;
        void fetchPage();
      }, ms);
    };

    const fetchPage = async () => {
      if (!alive || stopped) return;
      if (inflight) {
        dirty = true;
        return;
      }
      inflight = true;
      dirty = false;
      lastFetch = Date.now();
      try {
        const list = await api.tracerPackets({ limit, socket, filter, beforeId });
        if (!alive) return;
        let got: readonly PacketSummary[] = Array.isArray(list.items) ? list.items : [];
        if (follow && direct && early.length > 0) got = mergeNewest(got, early, limit);
        early.length = 0;
        items = got;
        const older = got.length === 0 ? null : olderCursor(got, limit, list.next_before_id);
        setState({ key, items: got, older, error: null, gone: false, updatedAt: Date.now() });
      } catch (e) {
        if (!alive) return;
        if (isUnauthorized(e)) {
          stopped = true; // the app is back at the login form
          return;
        }
        // The daemon resolves the cookie to the socket's addresses; a closed socket is a 400.
        const gone = socket !== undefined && e instanceof ApiError && e.status === 400;
        if (gone) stopped = true;
        setState((s) => ({ ...(s.key === key ? s : EMPTY), key, gone, error: gone ? (e as Error).message : describeError(e) }));
      } finally {
        inflight = false;
      }
      if (!alive || stopped) return;
      if (dirty) scheduleIn(Math.max(0, LIVE_REFETCH_MS - (Date.now() - lastFetch)));
      else if (period !== null) scheduleIn(period);
    };

    const onPath = (data: unknown) => {
      if (!isPacketSummary(data) || stopped) return;
      if (!direct) {
        if (inflight) dirty = true;
        else scheduleIn(Math.max(0, LIVE_REFETCH_MS - (Date.now() - lastFetch)));
        return;
      }
      if (items === null) {
        early.push(data);
        if (early.length > limit) early.shift();
        return;
      }
      batch.push(data);
      if (batchTimer === null) batchTimer = setTimeout(flushBatch, LIVE_BATCH_MS);
    };

    const flushBatch = () => {
      batchTimer = null;
      const incoming = batch;
      batch = [];
      if (!alive || items === null) return;
      const next = mergeNewest(items, incoming, limit);
      if (next === items) return;
      items = next;
      setState((s) => (s.key === key ? { ...s, items: next, older: olderCursor(next, limit), updatedAt: Date.now() } : s));
    };

    const off = follow ? bus.on('tracer.path', (m) => onPath(m.data)) : null;
    if (follow) bus.setPathFilter(filter);
    void fetchPage();
    return () => {
      alive = false;
      if (timer !== null) clearTimeout(timer);
      if (batchTimer !== null) clearTimeout(batchTimer);
      off?.();
      if (follow) bus.setPathFilter(null);
    };
    // key covers socket, filter, beforeId and limit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, bus, key, follow, direct, streamLive]);

  return state.key === key ? state : EMPTY;
}
