// Socket table: endpoint text, per-column values for display, sorting and filtering.
import type { SocketItem } from '../api/types';
import { formatBitRate } from './format';
import { searchText, type SortValue } from './table';

function isV6(addr: string, family?: number): boolean {
  return family === 6 || addr.includes(':');
}

/** addr:port, IPv6 as [addr]:port; port 0 (unbound / unconnected) shows as "*" like ss does. */
export function formatEndpoint(addr: string, port: number, family?: number): string {
  const a = addr === '' ? '*' : isV6(addr, family) ? `[${addr}]` : addr;
  return `${a}:${port > 0 ? port : '*'}`;
}

/**
 * The socket cookie as an exact decimal string, the form the API's `socket` query parameter
 * takes. cookie_hex is used when present: a cookie above 2^53 does not survive as a JSON number.
 */
export function socketCookie(s: Pick<SocketItem, 'cookie' | 'cookie_hex'>): string {
  const hex = typeof s.cookie_hex === 'string' ? s.cookie_hex.trim().replace(/^0x/i, '') : '';
  if (/^[0-9a-f]{1,16}$/i.test(hex)) return BigInt(`0x${hex}`).toString();
  // A large JSON number prints as 1.2e+21 with String(); BigInt spells out its digits.
  return typeof s.cookie === 'number' && Number.isFinite(s.cookie) ? BigInt(Math.trunc(s.cookie)).toString() : String(s.cookie);
}

/** "comm/pid" of the first owner, "+N" for more; "" when no process holds the socket. */
export function ownersLabel(s: Pick<SocketItem, 'owners'>): string {
  const o = Array.isArray(s.owners) ? s.owners : [];
  if (o.length === 0) return '';
  const first = `${o[0]!.comm}/${o[0]!.pid}`;
  return o.length > 1 ? `${first} +${o.length - 1}` : first;
}

/** Expands an IPv4 or IPv6 address into a fixed-width key that sorts in numeric address order. */
export function addressKey(addr: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) {
    return '4:' + addr.split('.').map((o) => o.padStart(3, '0')).join('.');
  }
  if (addr.includes(':')) {
    let s = addr.toLowerCase();
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
    const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
    if (v4) {
      const b = v4.slice(1).map(Number);
      s = s.slice(0, v4.index) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
    }
    const [head, tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const fill = s.includes('::') ? Array(Math.max(0, 8 - h.length - t.length)).fill('0') : [];
    return '6:' + [...h, ...fill, ...t].map((x) => x.padStart(4, '0')).join(':');
  }
  return '9:' + addr;
}

/** Smoothed RTT in ms; null without tcp_info or before the first sample (a listener: srtt 0). */
export function rttMs(s: SocketItem): number | null {
  return s.tcp && s.tcp.srtt_us > 0 ? s.tcp.srtt_us / 1000 : null;
}

export function formatRtt(s: SocketItem): string {
  const ms = rttMs(s);
  if (ms === null) return '';
  return ms < 10 ? ms.toFixed(3) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0);
}

export type SocketColumn =
  | 'proto'
  | 'state'
  | 'local'
  | 'peer'
  | 'process'
  | 'recvq'
  | 'sendq'
  | 'rtt'
  | 'cwnd'
  | 'retrans'
  | 'rate';

/** The value a column sorts by: numbers for the numeric columns, null when not applicable. */
export function socketSortValue(s: SocketItem, column: string): SortValue {
  switch (column) {
    case 'proto':
      return `${s.proto}${s.family === 6 ? '6' : ''}`;
    case 'state':
      return s.state;
    case 'local':
      return `${addressKey(s.local_addr)}#${String(s.local_port).padStart(5, '0')}`;
    case 'peer':
      return `${addressKey(s.remote_addr)}#${String(s.remote_port).padStart(5, '0')}`;
    case 'process':
      return ownersLabel(s) || null;
    case 'recvq':
      return s.rx_queue;
    case 'sendq':
      return s.tx_queue;
    case 'rtt':
      return rttMs(s);
    case 'cwnd':
      return s.tcp ? s.tcp.snd_cwnd : null;
    case 'retrans':
      return s.tcp ? s.tcp.total_retrans : null;
    case 'rate':
      return s.tcp ? s.tcp.delivery_rate : null;
    default:
      return null;
  }
}

/** Lower-cased text of every column as displayed (plus all owners and the cookie), for the filter box. */
export function socketSearchText(s: SocketItem): string {
  const owners = Array.isArray(s.owners) ? s.owners.map((o) => `${o.comm}/${o.pid}`) : [];
  return searchText([
    s.proto,
    s.state,
    formatEndpoint(s.local_addr, s.local_port, s.family),
    formatEndpoint(s.remote_addr, s.remote_port, s.family),
    ...owners,
    s.rx_queue,
    s.tx_queue,
    formatRtt(s),
    s.tcp ? s.tcp.snd_cwnd : null,
    s.tcp ? s.tcp.total_retrans : null,
    s.tcp ? formatBitRate(s.tcp.delivery_rate) : null,
    s.congestion,
    socketCookie(s),
  ]);
}

export interface SocketFilter {
  proto: string;
  state: string;
  terms: string[];
}

export function socketMatches(s: SocketItem, text: string, f: SocketFilter): boolean {
  if (f.proto !== '' && s.proto !== f.proto) return false;
  if (f.state !== '' && s.state !== f.state) return false;
  for (const t of f.terms) if (!text.includes(t)) return false;
  return true;
}

function isWildcard(addr: string): boolean {
  return addr === '' || addr === '0.0.0.0' || addr === '::';
}

/** The daemon stores an IPv4 packet's addresses as dotted quads, also for a v6 socket's mapped peer. */
function plainAddress(addr: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(addr);
  return m ? m[1]! : addr;
}

/**
 * A filter expression for the packets of a socket, by its addresses and ports (either
 * direction), for when the daemon no longer knows its cookie: a closed socket. Wildcard
 * addresses and port 0 are left out; a socket without a peer matches any peer.
 */
export function socketFilterExpr(
  s: Pick<SocketItem, 'local_addr' | 'local_port' | 'remote_addr' | 'remote_port'> & { proto?: string },
): string {
  // A raw socket's "port" is its IP protocol number (as ss shows it), not a port.
  const ports = s.proto !== 'raw';
  const terms: string[] = [];
  if (!isWildcard(s.local_addr)) terms.push(`host ${plainAddress(s.local_addr)}`);
  if (ports && s.local_port > 0) terms.push(`port ${s.local_port}`);
  if (!isWildcard(s.remote_addr) && (s.remote_port > 0 || !ports)) terms.push(`host ${plainAddress(s.remote_addr)}`);
  if (ports && s.remote_port > 0) terms.push(`port ${s.remote_port}`);
  return terms.join(' and ');
}

// ---- Socket state changes ("sockets.state" frames, GET /api/v1/sockets/events) ----

/** One state change of a TCP (or SCTP/MPTCP/DCCP) socket, as the daemon reports it. */
export interface SocketStateChange {
  id: number;
  time: string;
  ts_ns?: number;
  cookie: number;
  cookie_hex?: string;
  netns: number;
  family: number;
  proto: string;
  old_state: string;
  new_state: string;
  local_addr: string;
  local_port: number;
  remote_addr: string;
  remote_port: number;
  pid: number;
  comm: string;
}

/** How many recent changes the socket panel shows. */
export const RECENT_STATE_CHANGES = 50;

/** The frame's data as a state change, or null when it does not have the fields the UI needs. */
export function asStateChange(x: unknown): SocketStateChange | null {
  if (typeof x !== 'object' || x === null) return null;
  const c = x as Record<string, unknown>;
  const str = (k: string) => typeof c[k] === 'string';
  const num = (k: string) => typeof c[k] === 'number' && Number.isFinite(c[k]);
  const ok =
    num('id') &&
    str('time') &&
    str('proto') &&
    str('old_state') &&
    str('new_state') &&
    str('local_addr') &&
    num('local_port') &&
    str('remote_addr') &&
    num('remote_port');
  if (!ok) return null;
  return {
    cookie: 0,
    netns: 0,
    family: String(c.local_addr).includes(':') ? 6 : 4,
    pid: 0,
    comm: '',
    ...(c as object),
  } as SocketStateChange;
}

/**
 * `incoming` merged into `list`: newest (highest id) first, each id once, at most `max`. Frames
 * and the initial REST answer overlap, and either may arrive first.
 */
export function mergeStateChanges(
  list: readonly SocketStateChange[],
  incoming: readonly SocketStateChange[],
  max = RECENT_STATE_CHANGES,
): SocketStateChange[] {
  const byId = new Map<number, SocketStateChange>();
  for (const c of list) byId.set(c.id, c);
  for (const c of incoming) byId.set(c.id, c);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, Math.max(0, max));
}

/** Local time with microseconds (from ts_ns when present), e.g. "12:01:02.345678". */
export function stateChangeClock(c: Pick<SocketStateChange, 'time' | 'ts_ns'>): string {
  if (typeof c.ts_ns !== 'number' || !Number.isFinite(c.ts_ns) || c.ts_ns <= 0) {
    const t = new Date(c.time);
    if (Number.isNaN(t.getTime())) return c.time;
    c = { time: c.time, ts_ns: t.getTime() * 1e6 };
  }
  const us = Math.floor(c.ts_ns! / 1000);
  const t = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}.${p(us % 1_000_000, 6)}`;
}

/** "SYN_SENT → ESTABLISHED". */
export function stateChangeLabel(c: Pick<SocketStateChange, 'old_state' | 'new_state'>): string {
  return `${c.old_state} → ${c.new_state}`;
}

/** "comm/pid", or "" without a process. */
export function stateChangeProcess(c: Pick<SocketStateChange, 'pid' | 'comm'>): string {
  return c.pid > 0 ? `${c.comm || '?'}/${c.pid}` : '';
}

type TimerApi = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (t: unknown) => void;
  now: () => number;
};

const realTimers: TimerApi = {
  setTimeout: (f, ms) => globalThis.setTimeout(f, ms),
  clearTimeout: (t) => globalThis.clearTimeout(t as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * Coalesces "refresh soon" requests: the first request of a quiet period schedules one call
 * `delayMs` later, and requests until then join it. A burst of state changes (a connection
 * opening and closing) becomes one socket-table reload. Calls are at least `minGapMs` apart:
 * a reload that itself opens a connection to the daemon causes state changes too, and this
 * keeps that loop slow.
 */
export class RefreshScheduler {
  private timer: unknown = null;
  private last = -Infinity;

  constructor(
    private readonly fn: () => void,
    private readonly delayMs: number,
    private readonly minGapMs = 1000,
    private readonly timers: TimerApi = realTimers,
  ) {}

  request(): void {
    if (this.timer !== null) return;
    const wait = Math.max(this.delayMs, this.last + this.minGapMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.last = this.timers.now();
      this.fn();
    }, wait);
  }

  get pending(): boolean {
    return this.timer !== null;
  }

  cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
