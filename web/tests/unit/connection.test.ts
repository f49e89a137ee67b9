import { describe, expect, it } from 'vitest';
import { FRESH_MS, OFFLINE_AFTER, connReducer, connStatus, initialConnState, type ConnEvent } from '../../src/lib/connection';

const run = (events: ConnEvent[]) => events.reduce(connReducer, initialConnState(0));

describe('connection reducer', () => {
  it('starts offline (not started)', () => {
    expect(connStatus(initialConnState())).toBe('offline');
  });
  it('is reconnecting while connecting and open-but-silent', () => {
    expect(connStatus(run([{ type: 'connect', now: 0 }]))).toBe('reconnecting');
    expect(connStatus(run([{ type: 'connect', now: 0 }, { type: 'open', now: 10 }]))).toBe('reconnecting');
  });
  it('is live once a message arrived on an open socket', () => {
    const s = run([{ type: 'connect', now: 0 }, { type: 'open', now: 10 }, { type: 'message', now: 20 }]);
    expect(connStatus(s)).toBe('live');
  });
  it('stays live for FRESH_MS after the last message, then reconnecting', () => {
    const base: ConnEvent[] = [{ type: 'connect', now: 0 }, { type: 'open', now: 0 }, { type: 'message', now: 1000 }];
    expect(connStatus(run([...base, { type: 'tick', now: 1000 + FRESH_MS }]))).toBe('live');
    expect(connStatus(run([...base, { type: 'tick', now: 1001 + FRESH_MS }]))).toBe('reconnecting');
  });
  it('is reconnecting right after losing a live socket', () => {
    const s = run([{ type: 'connect', now: 0 }, { type: 'message', now: 1 }, { type: 'close', now: 2 }]);
    expect(s.failures).toBe(1);
    expect(connStatus(s)).toBe('reconnecting');
  });
  it(`goes offline after ${OFFLINE_AFTER} failed attempts and back to live on a message`, () => {
    const events: ConnEvent[] = [];
    for (let i = 0; i < OFFLINE_AFTER; i++) events.push({ type: 'connect', now: i }, { type: 'close', now: i });
    const down = run(events);
    expect(down.failures).toBe(OFFLINE_AFTER);
    expect(connStatus(down)).toBe('offline');
    const up = [{ type: 'connect', now: 10 }, { type: 'open', now: 11 }, { type: 'message', now: 12 }].reduce(
      (s, e) => connReducer(s, e as ConnEvent),
      down,
    );
    expect(up.failures).toBe(0);
    expect(connStatus(up)).toBe('live');
  });
  it('counts an open socket that closed without any message as a failure', () => {
    const s = run([
      { type: 'connect', now: 0 },
      { type: 'open', now: 1 },
      { type: 'close', now: 2 },
      { type: 'connect', now: 3 },
      { type: 'open', now: 4 },
      { type: 'close', now: 5 },
    ]);
    expect(s.failures).toBe(2);
  });
  it('stop resets to offline', () => {
    const s = run([{ type: 'connect', now: 0 }, { type: 'message', now: 1 }, { type: 'stop', now: 2 }]);
    expect(connStatus(s)).toBe('offline');
    expect(s.lastMessageAt).toBeNull();
  });
  it('tick with an unchanged time returns the same object (no re-render)', () => {
    const s = run([{ type: 'tick', now: 5 }]);
    expect(connReducer(s, { type: 'tick', now: 5 })).toBe(s);
  });
});
