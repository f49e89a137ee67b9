// URL and subprotocols for the live stream. Browsers cannot set headers on a
// WebSocket, so the token travels as the second offered subprotocol.

export const STREAM_PATH = '/api/v1/stream';
export const STREAM_PROTOCOL = 'packetscope.v1';

export interface LocationLike {
  protocol: string;
  host: string;
}

export function streamUrl(loc: LocationLike, path: string = STREAM_PATH): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${path}`;
}

export function streamProtocols(token: string): string[] {
  return [STREAM_PROTOCOL, `bearer.${token}`];
}

/** Reconnect delay after `failures` consecutive failures: 1 s, 2 s, 4 s, 8 s, then 10 s. */
export function backoffDelay(failures: number, baseMs = 1000, maxMs = 10_000): number {
  const n = Math.max(0, failures - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(n, 16));
}
