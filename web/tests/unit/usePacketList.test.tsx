import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../src/api/client';
import type { PacketList, PacketQuery, PacketSummary } from '../../src/api/types';
import { StreamBus } from '../../src/lib/streamBus';
import { ApiContext, LiveContext, StreamContext, type LiveStats } from '../../src/state/contexts';
import { LIVE_BATCH_MS, POLL_MS, usePacketList, type PacketListOptions, type PacketListState } from '../../src/state/usePacketList';

function pkt(id: number): PacketSummary {
  return {
    id,
    time: '2026-11-23T10:00:00.000001Z',
    direction: 'rx',
    protocol: 'icmp',
    src: '127.0.0.1',
    dst: '127.0.0.1',
    sport: 0,
    dport: 0,
    length: 84,
    hops: 4,
    latency_ns: 9000,
    dropped: false,
    reason: null,
    comm: 'ping',
    tgid: 42,
  };
}

const LIVE: LiveStats = { status: 'live', stats: null, rates: null, updatedAt: null, source: 'stream', serverVersion: null };

let host: HTMLDivElement;
let state: PacketListState;
let bus: StreamBus;
let sent: string[];
let answer: (q: PacketQuery) => Promise<PacketList>;
let calls: PacketQuery[];

function Probe(props: PacketListOptions) {
  state = usePacketList(props);
  return null;
}

async function mount(props: PacketListOptions, live: LiveStats = LIVE) {
  const api = new ApiClient({ token: 't', fetcher: () => Promise.reject(new Error('unused')) });
  api.tracerPackets = (q: PacketQuery = {}) => {
    calls.push(q);
    return answer(q);
  };
  await act(async () => {
    render(
      <ApiContext.Provider value={api}>
        <LiveContext.Provider value={live}>
          <StreamContext.Provider value={bus}>
            <Probe {...props} />
          </StreamContext.Provider>
        </LiveContext.Provider>
      </ApiContext.Provider>,
      host,
    );
  });
}

const frame = (p: PacketSummary) => act(() => bus.emit({ type: 'tracer.path', data: p }, Date.now()));
const advance = (ms: number) => act(async () => void (await vi.advanceTimersByTimeAsync(ms)));

beforeEach(() => {
  vi.useFakeTimers();
  host = document.createElement('div');
  bus = new StreamBus();
  // Each test's bus writes to its own array: a previous test's late unsubscribe cannot leak in.
  const mine: string[] = [];
  sent = mine;
  bus.attach((t) => (mine.push(t), true));
  calls = [];
  answer = async () => ({ items: [pkt(3), pkt(2), pkt(1)] });
});

afterEach(() => {
  render(null, host);
  vi.useRealTimers();
});

/** What each stream request asked for: the filter expression, or null for "unsubscribe". */
const requests = () =>
  sent.map((s) => {
    const j = JSON.parse(s) as { type: string; expr?: string };
    return j.type === 'unsubscribe' ? null : j.expr;
  });

describe('usePacketList', () => {
  it('loads the newest page and adds streamed packets in batches when nothing narrows the list', async () => {
    await mount({ filter: '', live: true, limit: 3 });
    expect(state.items?.map((p) => p.id)).toEqual([3, 2, 1]);
    expect(state.older).toBe(1);
    expect(calls).toEqual([{ limit: 3, socket: undefined, filter: '', beforeId: undefined }]);
    await frame(pkt(5));
    await frame(pkt(4));
    expect(state.items?.map((p) => p.id)).toEqual([3, 2, 1]);
    await advance(LIVE_BATCH_MS);
    expect(state.items?.map((p) => p.id)).toEqual([5, 4, 3]);
    expect(calls).toHaveLength(1);
  });

  it('with a filter, sends it to the stream and refetches at most once a second on frames', async () => {
    await mount({ filter: 'icmp', socket: '77', live: true, limit: 50 });
    await advance(0);
    expect(requests()).toEqual(['icmp']);
    answer = async () => ({ items: [pkt(9), pkt(3), pkt(2), pkt(1)] });
    await frame(pkt(9));
    await frame(pkt(10));
    expect(calls).toHaveLength(1);
    await advance(1000);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ filter: 'icmp', socket: '77' });
    // The list is what the server answered, not the frames.
    expect(state.items?.map((p) => p.id)).toEqual([9, 3, 2, 1]);
  });

  it('polls while the stream is down', async () => {
    await mount({ filter: '', live: true, limit: 3 }, { ...LIVE, status: 'offline', source: 'poll' });
    await advance(POLL_MS);
    expect(calls).toHaveLength(2);
  });

  it('stays still on an older page or when paused', async () => {
    await mount({ filter: '', beforeId: 100, live: true, limit: 3 });
    expect(calls[0]).toMatchObject({ beforeId: 100 });
    await frame(pkt(200));
    await advance(30_000);
    expect(calls).toHaveLength(1);
    expect(state.items?.map((p) => p.id)).toEqual([3, 2, 1]);
    expect(bus.listeners('tracer.path')).toBe(0);
  });

  it('stops with "gone" when the daemon no longer knows the socket', async () => {
    answer = async () => {
      throw new ApiError(400, 'bad_request', 'no socket with cookie 77 (it may have closed)');
    };
    await mount({ filter: '', socket: '77', live: true, limit: 3 }, { ...LIVE, status: 'offline' });
    expect(state.gone).toBe(true);
    expect(state.error).toBe('no socket with cookie 77 (it may have closed)');
    await advance(10 * POLL_MS);
    expect(calls).toHaveLength(1);
  });

  it('unsubscribes from packet paths when it unmounts', async () => {
    await mount({ filter: 'udp', live: true, limit: 3 });
    await advance(0);
    await act(() => render(null, host));
    await advance(0);
    expect(requests()).toEqual(['udp', null]);
  });
});
