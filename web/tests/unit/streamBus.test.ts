import { describe, expect, it, vi } from 'vitest';
import { StreamBus } from '../../src/lib/streamBus';

const tick = () => new Promise<void>((r) => queueMicrotask(r));

describe('StreamBus', () => {
  it('hands frames to the handlers of their type until they unsubscribe', () => {
    const bus = new StreamBus();
    const paths = vi.fn();
    const off = bus.on('tracer.path', paths);
    bus.emit({ type: 'tracer.stats', data: {} }, 1);
    bus.emit({ type: 'tracer.path', data: { id: 1 } }, 2);
    expect(paths).toHaveBeenCalledTimes(1);
    expect(paths.mock.calls[0]![1]).toBe(2);
    expect(bus.listeners('tracer.path')).toBe(1);
    off();
    bus.emit({ type: 'tracer.path', data: { id: 2 } }, 3);
    expect(paths).toHaveBeenCalledTimes(1);
    expect(bus.listeners('tracer.path')).toBe(0);
  });

  it('sends the path filter once per change, coalescing a clear-and-set in one render', async () => {
    const bus = new StreamBus();
    const sent: string[] = [];
    bus.attach((t) => (sent.push(t), true));
    bus.setPathFilter(' tcp and port 80 ');
    await tick();
    expect(sent.map((s) => JSON.parse(s))).toEqual([{ type: 'filter', topic: 'tracer.path', expr: 'tcp and port 80' }]);
    bus.setPathFilter(null);
    bus.setPathFilter('tcp and port 80');
    await tick();
    expect(sent).toHaveLength(1);
    bus.setPathFilter(null);
    await tick();
    expect(JSON.parse(sent[1]!)).toEqual({ type: 'unsubscribe', topic: 'tracer.path' });
    bus.setPathFilter('');
    await tick();
    expect(JSON.parse(sent[2]!)).toEqual({ type: 'filter', topic: 'tracer.path', expr: '' });
  });

  it('sends the filter again after a reconnect, and nothing while closed', async () => {
    const bus = new StreamBus();
    const sent: string[] = [];
    bus.setPathFilter('udp');
    await tick();
    expect(sent).toHaveLength(0);
    bus.attach((t) => (sent.push(t), true));
    expect(JSON.parse(sent[0]!).expr).toBe('udp');
    bus.detach();
    bus.attach((t) => (sent.push(t), true));
    expect(sent).toHaveLength(2);
  });

  it('sends nothing to a fresh connection until something subscribes (the server starts unsubscribed)', () => {
    const bus = new StreamBus();
    const send = vi.fn(() => true);
    bus.attach(send);
    expect(send).not.toHaveBeenCalled();
  });
});
