import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamClient } from '../../src/api/stream';
import type { ConnEvent } from '../../src/lib/connection';

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(
    public url: string,
    public protocols: string[],
  ) {
    FakeSocket.instances.push(this);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  msg(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
}

describe('StreamClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  function make() {
    const events: ConnEvent['type'][] = [];
    const messages: unknown[] = [];
    const c = new StreamClient({
      url: 'ws://h/api/v1/stream',
      protocols: ['packetscope.v1', 'bearer.t'],
      onEvent: (e) => events.push(e.type),
      onMessage: (m) => messages.push(m),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      now: () => Date.now(),
    });
    return { c, events, messages };
  }

  it('connects with the subprotocols and forwards messages', () => {
    const { c, events, messages } = make();
    c.start();
    const ws = FakeSocket.instances[0]!;
    expect(ws.protocols).toEqual(['packetscope.v1', 'bearer.t']);
    ws.open();
    ws.msg({ type: 'hello', data: { version: '0.1.0' } });
    ws.onmessage?.({ data: 'not json' });
    expect(messages).toEqual([{ type: 'hello', data: { version: '0.1.0' } }]);
    expect(events).toEqual(['connect', 'open', 'message']);
    c.stop();
  });

  it('reconnects with growing backoff up to 10 s', () => {
    const { c } = make();
    c.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const n = FakeSocket.instances.length;
      FakeSocket.instances[n - 1]!.drop();
      let waited = 0;
      while (FakeSocket.instances.length === n) {
        vi.advanceTimersByTime(500);
        waited += 500;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    c.stop();
  });

  it('never closes a socket that is still connecting (avoids a browser warning)', () => {
    const { c, events } = make();
    c.start();
    const ws = FakeSocket.instances[0]!;
    c.stop();
    expect(ws.closed).toBe(false);
    ws.open();
    expect(ws.closed).toBe(true);
    expect(events.at(-1)).toBe('stop');
  });

  it('closes a silent socket so it reconnects', () => {
    const { c } = make();
    c.start();
    const ws = FakeSocket.instances[0]!;
    ws.open();
    vi.advanceTimersByTime(20_000);
    expect(ws.closed).toBe(true);
    c.stop();
  });
});
