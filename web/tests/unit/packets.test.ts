import { describe, expect, it } from 'vitest';
import type { PacketSummary } from '../../src/api/types';
import {
  errorColumn,
  isPacketSummary,
  joinFilters,
  mergeNewest,
  olderCursor,
  packetFlow,
  packetQueryString,
  verdictText,
} from '../../src/lib/packets';

function pkt(id: number, fields: Partial<PacketSummary> = {}): PacketSummary {
  return {
    id,
    time: '2026-11-23T10:00:00.000001Z',
    direction: 'rx',
    protocol: 'tcp',
    src: '127.0.0.1',
    dst: '127.0.0.1',
    sport: 40000,
    dport: 9470,
    length: 60,
    hops: 5,
    latency_ns: 12000,
    dropped: false,
    reason: null,
    comm: '',
    tgid: 0,
    ...fields,
  };
}

describe('packetQueryString (GET /api/v1/tracer/packets)', () => {
  it('uses the daemon parameter names: limit, before_id, filter, socket', () => {
    expect(packetQueryString({ limit: 50, beforeId: 1234, filter: 'tcp', socket: '4097' })).toBe(
      'limit=50&before_id=1234&filter=tcp&socket=4097',
    );
  });

  it('defaults the limit and leaves out empty parts', () => {
    expect(packetQueryString()).toBe('limit=100');
    expect(packetQueryString({ filter: '   ', socket: '' })).toBe('limit=100');
  });

  it('percent-encodes the filter (spaces as %20, not +) and trims it', () => {
    expect(packetQueryString({ limit: 1, filter: ' tcp and (port 80 || dst host ::1) && !drop ' })).toBe(
      'limit=1&filter=tcp%20and%20(port%2080%20%7C%7C%20dst%20host%20%3A%3A1)%20%26%26%20!drop',
    );
    expect(decodeURIComponent(packetQueryString({ filter: 'net 10.0.0.0/8' }).split('filter=')[1]!)).toBe('net 10.0.0.0/8');
  });

  it('passes a 64-bit socket cookie through as its decimal digits', () => {
    expect(packetQueryString({ socket: '18446744073709551615' })).toBe('limit=100&socket=18446744073709551615');
  });
});

describe('live merging and paging', () => {
  it('adds new packets newest first, drops duplicates and keeps the limit', () => {
    const cur = [pkt(10), pkt(9), pkt(8)];
    expect(mergeNewest(cur, [pkt(11)], 3).map((p) => p.id)).toEqual([11, 10, 9]);
    expect(mergeNewest(cur, [pkt(12), pkt(11), pkt(12)], 10).map((p) => p.id)).toEqual([12, 11, 10, 9, 8]);
    expect(mergeNewest(cur, [pkt(9)], 3)).toBe(cur);
    expect(mergeNewest([], [pkt(1)], 3).map((p) => p.id)).toEqual([1]);
  });

  it('points "Older" at the server cursor, else at the last row of a full page', () => {
    expect(olderCursor([pkt(5), pkt(4)], 2, 4)).toBe(4);
    expect(olderCursor([pkt(5), pkt(4)], 2)).toBe(4);
    expect(olderCursor([pkt(5)], 2)).toBeNull();
    expect(olderCursor([], 2)).toBeNull();
  });

  it('accepts only summary-shaped stream data', () => {
    expect(isPacketSummary(pkt(1))).toBe(true);
    expect(isPacketSummary({ id: 0, time: 'x', hops: 1 })).toBe(false);
    expect(isPacketSummary({ id: 3, time: 'x' })).toBe(false);
    expect(isPacketSummary(null)).toBe(false);
    expect(isPacketSummary('tracer.path')).toBe(false);
  });
});

describe('joinFilters', () => {
  it('ANDs two expressions, keeping an "or" inside its own side', () => {
    expect(joinFilters('udp or icmp', 'host 10.0.0.1')).toBe('(udp or icmp) and (host 10.0.0.1)');
    expect(joinFilters('', 'port 22')).toBe('port 22');
    expect(joinFilters(' tcp ', '')).toBe('tcp');
    expect(joinFilters('', '')).toBe('');
  });
});

describe('packet cells', () => {
  it('writes the flow with ports only where the protocol has them', () => {
    expect(packetFlow(pkt(1))).toBe('127.0.0.1:40000 → 127.0.0.1:9470');
    expect(packetFlow(pkt(1, { protocol: 'icmp', sport: 0, dport: 0, dst: '10.0.0.7' }))).toBe('127.0.0.1 → 10.0.0.7');
    expect(packetFlow(pkt(1, { src: '::1', dst: '::1', sport: 1, dport: 2 }))).toBe('[::1]:1 → [::1]:2');
  });

  it('names the verdict', () => {
    expect(verdictText(pkt(1))).toBe('delivered');
    expect(verdictText(pkt(1, { dropped: true, reason: 'NO_SOCKET' }))).toBe('dropped: NO_SOCKET');
    expect(verdictText(pkt(1, { dropped: true, reason: null }))).toBe('dropped: unknown');
  });

  it('finds the column a filter error points at', () => {
    expect(errorColumn("filter: column 5: expected 'and' or 'or' before 'port'; primitives must be joined by an operator")).toBe(5);
    expect(errorColumn('filter: longer than 1024 characters')).toBeNull();
    expect(errorColumn('filter: column 0: x')).toBeNull();
  });
});
