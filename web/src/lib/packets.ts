// Packet list helpers: endpoint and verdict text, sort/filter values, filter error columns.
import type { PacketQuery, PacketSummary } from '../api/types';
import { formatEndpoint } from './sockets';
import type { SortValue } from './table';

/** "src:sport → dst:dport"; ports are left out for protocols without them (port 0). */
export function packetFlow(p: Pick<PacketSummary, 'src' | 'dst' | 'sport' | 'dport'>): string {
  const end = (addr: string, port: number) =>
    port > 0 ? formatEndpoint(addr || '?', port) : addr || '?';
  return `${end(p.src, p.sport)} → ${end(p.dst, p.dport)}`;
}

export function verdictText(p: Pick<PacketSummary, 'dropped' | 'reason'>): string {
  return p.dropped ? `dropped: ${p.reason ?? 'unknown'}` : 'delivered';
}

export function packetSortValue(p: PacketSummary, column: string): SortValue {
  switch (column) {
    case 'time':
      return p.id;
    case 'dir':
      return p.direction;
    case 'proto':
      return p.protocol;
    case 'flow':
      return packetFlow(p);
    case 'len':
      return p.length;
    case 'hops':
      return p.hops;
    case 'latency':
      return p.latency_ns;
    case 'verdict':
      return verdictText(p);
    case 'task':
      return p.comm ? `${p.comm}/${p.tgid}` : null;
    default:
      return null;
  }
}

/**
 * The 1-based column a filter error points at ("filter: column 5: ..."), or null.
 * The daemon's messages count columns from 1.
 */
export function errorColumn(message: string): number | null {
  const m = /\bcolumn (\d+)\b/i.exec(message);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? n : null;
}

export const DEFAULT_PACKET_LIMIT = 100;

/**
 * The query string of GET /api/v1/tracer/packets (names as src/api/routes.cpp reads them:
 * limit, before_id, filter, socket). Empty parts are left out; encodeURIComponent writes
 * spaces as %20, which every query parser reads the same way (unlike "+").
 */
export function packetQueryString(q: PacketQuery = {}): string {
  const params: [string, string][] = [['limit', String(q.limit ?? DEFAULT_PACKET_LIMIT)]];
  if (q.beforeId !== undefined) params.push(['before_id', String(q.beforeId)]);
  const filter = q.filter?.trim() ?? '';
  if (filter !== '') params.push(['filter', filter]);
  if (q.socket !== undefined && q.socket !== '') params.push(['socket', q.socket]);
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** A "tracer.path" stream frame's data, when it looks like a packet summary. */
export function isPacketSummary(v: unknown): v is PacketSummary {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Partial<PacketSummary>;
  return typeof p.id === 'number' && p.id > 0 && typeof p.time === 'string' && typeof p.hops === 'number';
}

/**
 * Newest-first list with live packets merged in: ids are unique and descending, at most
 * `limit` rows (the oldest fall off). Returns `current` itself when nothing new was added.
 */
export function mergeNewest(current: readonly PacketSummary[], incoming: readonly PacketSummary[], limit: number): readonly PacketSummary[] {
  const seen = new Set(current.map((p) => p.id));
  const fresh = incoming.filter((p) => !seen.has(p.id) && (seen.add(p.id), true));
  if (fresh.length === 0) return current;
  const all = [...fresh, ...current].sort((a, b) => b.id - a.id);
  return all.slice(0, Math.max(0, limit));
}

/** Where the "Older" button leads: the last row's id, when the page is full (more may follow). */
export function olderCursor(items: readonly PacketSummary[], limit: number, serverCursor?: number): number | null {
  if (typeof serverCursor === 'number') return serverCursor;
  return items.length >= limit && items.length > 0 ? items[items.length - 1]!.id : null;
}

/** Both expressions must hold; each is parenthesised so an "or" inside stays inside. */
export function joinFilters(a: string, b: string): string {
  const x = a.trim();
  const y = b.trim();
  if (x === '' || y === '') return x || y;
  return `(${x}) and (${y})`;
}
