// Live stream client: one WebSocket with reconnect backoff (1 s -> 10 s) and a
// silence watchdog. It reports socket events as ConnEvents for the indicator
// reducer and hands every parsed JSON message to onMessage.
import type { ConnEvent } from '../lib/connection';
import { backoffDelay } from '../lib/wsurl';
import type { StreamMessage } from './types';

export interface StreamClientOptions {
  url: string;
  protocols: string[];
  onEvent: (e: ConnEvent) => void;
  onMessage: (m: StreamMessage, receivedAt: number) => void;
  /** Close and reconnect when an open socket stays silent this long. */
  silenceMs?: number;
  WebSocketImpl?: typeof WebSocket;
  now?: () => number;
}

const WS_CONNECTING = 0;
const WS_OPEN = 1;

export class StreamClient {
  private readonly opts: StreamClientOptions;
  private readonly now: () => number;
  private ws: WebSocket | null = null;
  private failures = 0;
  private gotMessage = false;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;

  constructor(opts: StreamClientOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => Date.now());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.failures = 0;
    this.connect();
    const silence = this.opts.silenceMs ?? 15_000;
    this.watchdog = setInterval(() => {
      const ws = this.ws;
      if (ws && ws.readyState === WS_OPEN && this.now() - this.lastMessageAt > silence) {
        ws.close(4000, 'silent');
      }
    }, Math.min(silence, 5000));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.retryTimer = null;
    this.watchdog = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) detach(ws);
    this.opts.onEvent({ type: 'stop', now: this.now() });
  }

  /** Sends a text frame on the open socket; false when there is none (the caller re-sends on open). */
  send(text: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WS_OPEN) return false;
    ws.send(text);
    return true;
  }

  private connect(): void {
    if (this.stopped) return;
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    this.gotMessage = false;
    this.opts.onEvent({ type: 'connect', now: this.now() });
    let ws: WebSocket;
    try {
      ws = new Impl(this.opts.url, this.opts.protocols);
    } catch {
      this.onClosed();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastMessageAt = this.now();
      this.opts.onEvent({ type: 'open', now: this.now() });
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') return;
      const at = this.now();
      this.lastMessageAt = at;
      this.gotMessage = true;
      this.failures = 0;
      this.opts.onEvent({ type: 'message', now: at });
      this.opts.onMessage(msg as StreamMessage, at);
    };
    ws.onerror = () => {
      // A close event always follows; reconnect is handled there.
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClosed();
    };
  }

  private onClosed(): void {
    if (this.stopped) return;
    this.failures = this.gotMessage ? 1 : this.failures + 1;
    this.gotMessage = false;
    this.opts.onEvent({ type: 'close', now: this.now() });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, backoffDelay(this.failures));
  }
}

/** Drops all handlers and closes without a browser warning (never close while CONNECTING). */
function detach(ws: WebSocket): void {
  ws.onmessage = null;
  ws.onerror = null;
  ws.onclose = null;
  if (ws.readyState === WS_CONNECTING) {
    ws.onopen = () => ws.close(1000, 'stopped');
  } else {
    ws.onopen = null;
    if (ws.readyState === WS_OPEN) ws.close(1000, 'stopped');
  }
}
