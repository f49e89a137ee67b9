import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../src/api/client';
import type { SocketList } from '../../src/api/types';
import {
  asStateChange,
  mergeStateChanges,
  RECENT_STATE_CHANGES,
  RefreshScheduler,
  stateChangeClock,
  stateChangeLabel,
  stateChangeProcess,
  type SocketStateChange,
} from '../../src/lib/sockets';
import { StreamBus } from '../../src/lib/streamBus';
import { SocketsPanel, STATE_CHANGE_REFRESH_MS } from '../../src/pages/monitor/SocketsPanel';
import { ApiContext, StreamContext } from '../../src/state/contexts';

function change(id: number, over: Partial<SocketStateChange> = {}): SocketStateChange {
  return {
    id,
    time: '2026-11-23T10:00:00.123Z',
    ts_ns: Date.UTC(2026, 10, 23, 10, 0, 0, 123) * 1e6 + 456_000,
    cookie: 4096 + id,
    cookie_hex: (4096 + id).toString(16),
    netns: 4026531840,
    family: 4,
    proto: 'tcp',
    old_state: 'SYN_SENT',
    new_state: 'ESTABLISHED',
    local_addr: '10.0.0.1',
    local_port: 40000 + id,
    remote_addr: '10.0.0.2',
    remote_port: 80,
    pid: 42,
    comm: 'curl',
    ...over,
  };
}

describe('socket state change helpers', () => {
  it('accepts frames with the fields the UI shows and rejects the rest', () => {
    expect(asStateChange(change(1))).toEqual(change(1));
    // Optional fields get defaults; the family follows the address.
    const bare = asStateChange({
      id: 2,
      time: 't',
      proto: 'tcp',
      old_state: 'CLOSE',
      new_state: 'LISTEN',
      local_addr: '::',
      local_port: 22,
      remote_addr: '::',
      remote_port: 0,
    });
    expect(bare).toMatchObject({ id: 2, family: 6, pid: 0, comm: '', cookie: 0 });
    for (const bad of [null, 'x', 7, {}, { ...change(3), id: '3' }, { ...change(4), local_port: undefined }])
      expect(asStateChange(bad)).toBeNull();
  });

  it('merges newest first, once per id, keeping at most the limit', () => {
    const a = mergeStateChanges([], [change(1), change(3)]);
    expect(a.map((c) => c.id)).toEqual([3, 1]);
    const b = mergeStateChanges(a, [change(2), change(3, { new_state: 'FIN_WAIT1' })]);
    expect(b.map((c) => c.id)).toEqual([3, 2, 1]);
    expect(b[0]!.new_state).toBe('FIN_WAIT1');
    const many = Array.from({ length: 80 }, (_, i) => change(i + 1));
    const kept = mergeStateChanges([], many);
    expect(kept).toHaveLength(RECENT_STATE_CHANGES);
    expect(kept[0]!.id).toBe(80);
    expect(kept.at(-1)!.id).toBe(31);
    expect(mergeStateChanges(kept, [change(5)], 2).map((c) => c.id)).toEqual([80, 79]);
  });

  it('formats the clock with microseconds, the change and the process', () => {
    const c = change(1);
    const local = new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 123));
    const hh = String(local.getHours()).padStart(2, '0');
    expect(stateChangeClock(c)).toBe(`${hh}:00:00.123456`);
    expect(stateChangeClock({ time: c.time })).toBe(`${hh}:00:00.123000`);
    expect(stateChangeClock({ time: 'not a time' })).toBe('not a time');
    expect(stateChangeLabel(c)).toBe('SYN_SENT → ESTABLISHED');
    expect(stateChangeProcess(c)).toBe('curl/42');
    expect(stateChangeProcess({ pid: 0, comm: '' })).toBe('');
  });

  it('coalesces refresh requests into one call after the delay', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      const s = new RefreshScheduler(fn, 300);
      s.request();
      vi.advanceTimersByTime(100);
      s.request();
      s.request();
      expect(s.pending).toBe(true);
      vi.advanceTimersByTime(200);
      expect(fn).toHaveBeenCalledTimes(1);
      expect(s.pending).toBe(false);
      // The next call comes no sooner than 1 s after the previous one.
      s.request();
      vi.advanceTimersByTime(999);
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(2);
      // After a quiet second, the plain delay again.
      vi.advanceTimersByTime(5000);
      s.request();
      vi.advanceTimersByTime(300);
      expect(fn).toHaveBeenCalledTimes(3);
      s.request();
      s.cancel();
      vi.advanceTimersByTime(5000);
      expect(fn).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('SocketsPanel state changes', () => {
  let host: HTMLDivElement;
  let bus: StreamBus;
  let socketCalls: number;
  let eventsAnswer: () => Promise<unknown>;

  const advance = (ms: number) => act(async () => void (await vi.advanceTimersByTimeAsync(ms)));
  const frame = (c: SocketStateChange) => act(() => bus.emit({ type: 'sockets.state', data: c }, Date.now()));
  const rows = () => [...host.querySelectorAll('[data-testid="sockets-change"]')].map((r) => r.textContent ?? '');

  async function mount() {
    const api = new ApiClient({ token: 't', fetcher: () => Promise.reject(new Error('unused')) });
    api.sockets = async (): Promise<SocketList> => {
      socketCalls += 1;
      return { items: [], total: 0 };
    };
    api.get = (<T,>(path: string): Promise<T> => {
      expect(path).toBe(`/api/v1/sockets/events?limit=${RECENT_STATE_CHANGES}`);
      return eventsAnswer() as Promise<T>;
    }) as ApiClient['get'];
    await act(async () => {
      render(
        <ApiContext.Provider value={api}>
          <StreamContext.Provider value={bus}>
            <SocketsPanel selected={null} onSelect={() => {}} />
          </StreamContext.Provider>
        </ApiContext.Provider>,
        host,
      );
    });
  }

  beforeEach(() => {
    vi.useFakeTimers();
    host = document.createElement('div');
    bus = new StreamBus();
    socketCalls = 0;
    eventsAnswer = async () => ({ items: [change(2, { old_state: 'CLOSE', new_state: 'LISTEN' }), change(1)] });
  });

  afterEach(() => {
    render(null, host);
    vi.useRealTimers();
  });

  it('shows the recent list, then live frames first, and reloads the table soon after', async () => {
    await mount();
    await advance(0);
    expect(rows()).toHaveLength(2);
    expect(rows()[0]).toContain('CLOSE → LISTEN');
    const before = socketCalls;
    await frame(change(3, { old_state: 'ESTABLISHED', new_state: 'FIN_WAIT1', local_port: 41234 }));
    await frame(change(4, { old_state: 'FIN_WAIT1', new_state: 'FIN_WAIT2' }));
    expect(rows()).toHaveLength(4);
    expect(rows()[0]).toContain('FIN_WAIT1 → FIN_WAIT2');
    expect(rows()[1]).toContain('10.0.0.1:41234');
    expect(rows()[1]).toContain('curl/42');
    // Frames that are not state changes are ignored.
    await act(() => bus.emit({ type: 'sockets.state', data: { id: 'x' } }, Date.now()));
    expect(rows()).toHaveLength(4);
    // One reload for the burst, well before the 2 s poll.
    await advance(STATE_CHANGE_REFRESH_MS - 50);
    expect(socketCalls).toBe(before);
    await advance(100);
    expect(socketCalls).toBe(before + 1);
  });

  it('says why when the daemon has no state changes to give', async () => {
    eventsAnswer = async () => {
      throw new ApiError(503, 'tracer_unavailable', 'the tracer is disabled (tracer_enabled=false)');
    };
    await mount();
    await advance(0);
    const section = host.querySelector('[data-testid="sockets-changes"]')!;
    expect(section.textContent).toContain('State changes unavailable');
    expect(section.textContent).toContain('tracer is disabled');
    // Live frames still show.
    await frame(change(9));
    expect(rows()).toHaveLength(1);
  });
});
