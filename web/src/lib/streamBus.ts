// Hands stream frames to the components that want them, by frame type, and keeps this
// client's "tracer.path" subscription: the server sends packet paths only to clients that
// asked (with a filter; "" = every packet) and forgets that on every reconnect, so it is sent
// again whenever a socket opens.
import type { StreamFilterRequest, StreamMessage, StreamUnsubscribeRequest } from '../api/types';

export type StreamHandler = (m: StreamMessage, receivedAt: number) => void;
/** Sends one text frame; false when no socket is open. */
export type StreamSender = (text: string) => boolean;

export class StreamBus {
  private readonly handlers = new Map<string, Set<StreamHandler>>();
  private sender: StreamSender | null = null;
  /** null: not subscribed to "tracer.path". */
  private pathFilter: string | null = null;
  private sentFilter: string | null = null;
  private flushQueued = false;

  /** Calls `fn` for every frame of `type`; returns the unsubscribe function. */
  on(type: string, fn: StreamHandler): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.handlers.delete(type);
    };
  }

  emit(m: StreamMessage, receivedAt: number): void {
    const set = this.handlers.get(m.type);
    if (!set) return;
    for (const fn of [...set]) fn(m, receivedAt);
  }

  listeners(type: string): number {
    return this.handlers.get(type)?.size ?? 0;
  }

  /** A socket opened: the server starts unsubscribed, so a wanted subscription is sent now. */
  attach(send: StreamSender): void {
    this.sender = send;
    this.sentFilter = null;
    this.flush();
  }

  detach(): void {
    this.sender = null;
    this.sentFilter = null;
  }

  /**
   * Subscribes to "tracer.path" frames matching `expr` ("" = all), or unsubscribes (null).
   * Sent in a microtask, so a component that clears it and sets it again in one render sends
   * one request.
   */
  setPathFilter(expr: string | null): void {
    this.pathFilter = expr === null ? null : expr.trim();
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.sender || this.pathFilter === this.sentFilter) return;
    const req: StreamFilterRequest | StreamUnsubscribeRequest =
      this.pathFilter === null
        ? { type: 'unsubscribe', topic: 'tracer.path' }
        : { type: 'filter', topic: 'tracer.path', expr: this.pathFilter };
    if (this.sender(JSON.stringify(req))) this.sentFilter = this.pathFilter;
  }
}
