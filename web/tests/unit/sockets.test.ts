import { describe, expect, it } from 'vitest';
import type { SocketItem } from '../../src/api/types';
import {
  addressKey,
  formatEndpoint,
  formatRtt,
  ownersLabel,
  socketCookie,
  socketFilterExpr,
  socketMatches,
  socketSearchText,
  socketSortValue,
} from '../../src/lib/sockets';
import { filterTerms, sortRows } from '../../src/lib/table';

const TCP = {
  srtt_us: 118,
  rttvar_us: 31,
  snd_cwnd: 10,
  retransmits: 0,
  total_retrans: 2,
  lost: 0,
  unacked: 1,
  rto_us: 201000,
  delivery_rate: 1250000,
  bytes_acked: 48213,
  bytes_received: 2210,
  pacing_rate: 2500000,
  snd_mss: 1448,
  rcv_space: 14480,
};

function sock(fields: Partial<SocketItem>): SocketItem {
  return {
    cookie: 1,
    cookie_hex: '1',
    proto: 'tcp',
    family: 4,
    state: 'ESTABLISHED',
    local_addr: '10.0.0.1',
    local_port: 443,
    remote_addr: '10.0.0.2',
    remote_port: 51000,
    rx_queue: 0,
    tx_queue: 0,
    inode: 1,
    uid: 0,
    ifindex: 0,
    owners: [],
    congestion: 'cubic',
    tcp: null,
    ...fields,
  };
}

const A = sock({ cookie: 11, cookie_hex: 'b', local_addr: '10.0.0.10', local_port: 80, owners: [{ pid: 7, comm: 'nginx' }], tcp: { ...TCP, srtt_us: 5000 } });
const B = sock({ cookie: 12, cookie_hex: 'c', local_addr: '10.0.0.9', local_port: 8080, state: 'LISTEN', remote_addr: '0.0.0.0', remote_port: 0 });
const C = sock({ cookie: 13, cookie_hex: 'd', proto: 'udp', family: 6, state: 'UNCONN', local_addr: '::1', local_port: 53, remote_addr: '::', remote_port: 0, rx_queue: 4096 });
const D = sock({ cookie: 14, cookie_hex: 'e', local_addr: '192.168.1.2', local_port: 22, owners: [{ pid: 3, comm: 'sshd' }, { pid: 4, comm: 'sshd' }], tcp: { ...TCP, srtt_us: 250 } });
const ALL = [A, B, C, D];

describe('socket cells', () => {
  it('writes endpoints like ss: IPv6 in brackets, port 0 as *', () => {
    expect(formatEndpoint('10.0.0.1', 443)).toBe('10.0.0.1:443');
    expect(formatEndpoint('2001:db8::1', 22, 6)).toBe('[2001:db8::1]:22');
    expect(formatEndpoint('0.0.0.0', 0)).toBe('0.0.0.0:*');
    expect(formatEndpoint('', 0)).toBe('*:*');
  });

  it('names the first owner and counts the rest', () => {
    expect(ownersLabel(D)).toBe('sshd/3 +1');
    expect(ownersLabel(B)).toBe('');
  });

  it('shows RTT in ms only for TCP sockets with tcp_info', () => {
    expect(formatRtt(A)).toBe('5.000');
    expect(formatRtt(D)).toBe('0.250');
    expect(formatRtt(B)).toBe('');
    // The daemon reports tcp_info for listeners too, with no RTT sample yet.
    expect(formatRtt({ ...B, tcp: { ...TCP, srtt_us: 0 } })).toBe('');
  });

  it('gives the cookie exactly, from cookie_hex when present', () => {
    // 2^64 - 1 as a JSON number would round; the hex is exact.
    expect(socketCookie({ cookie: 18446744073709552000, cookie_hex: 'ffffffffffffffff' })).toBe('18446744073709551615');
    expect(socketCookie({ cookie: 0, cookie_hex: '0x1f' })).toBe('31');
    expect(socketCookie({ cookie: 4097 })).toBe('4097');
    expect(socketCookie({ cookie: 1e21 })).toBe('1000000000000000000000');
    expect(socketCookie({ cookie: '77', cookie_hex: 'not hex' })).toBe('77');
  });
});

describe('socket sorting', () => {
  const order = (column: string, dir: 'asc' | 'desc') => sortRows(ALL, (s) => socketSortValue(s, column), dir).map((s) => s.cookie);

  it('sorts local addresses numerically, IPv4 before IPv6', () => {
    expect(addressKey('10.0.0.9') < addressKey('10.0.0.10')).toBe(true);
    expect(addressKey('::1') > addressKey('255.255.255.255')).toBe(true);
    expect(addressKey('::ffff:1.2.3.4')).toBe(addressKey('0:0:0:0:0:ffff:102:304'));
    expect(order('local', 'asc')).toEqual([12, 11, 14, 13]);
    expect(order('local', 'desc')).toEqual([13, 14, 11, 12]);
  });

  it('sorts numeric columns as numbers and puts sockets without a value last both ways', () => {
    expect(order('rtt', 'asc')).toEqual([14, 11, 12, 13]);
    expect(order('rtt', 'desc')).toEqual([11, 14, 12, 13]);
    expect(order('recvq', 'desc')).toEqual([13, 11, 12, 14]);
  });

  it('sorts text columns case-insensitively and keeps equal rows in order', () => {
    expect(order('state', 'asc')).toEqual([11, 14, 12, 13]);
    expect(order('proto', 'asc')).toEqual([11, 12, 14, 13]);
    expect(order('process', 'asc')).toEqual([11, 14, 12, 13]);
  });
});

describe('socket filtering', () => {
  const match = (query: string, proto = '', state = '') =>
    ALL.filter((s) => socketMatches(s, socketSearchText(s), { proto, state, terms: filterTerms(query) })).map((s) => s.cookie);

  it('matches every term against the cells as shown (terms AND, columns OR)', () => {
    expect(match('')).toEqual([11, 12, 13, 14]);
    expect(match('nginx')).toEqual([11]);
    expect(match('SSHD 192.168')).toEqual([14]);
    expect(match('[::1]:53')).toEqual([13]);
    expect(match(':80')).toEqual([11, 12]);
    expect(match('listen 10.0.0.9')).toEqual([12]);
    expect(match('nginx sshd')).toEqual([]);
  });

  it('matches the exact cookie and narrows by protocol and state', () => {
    expect(match('14')).toContain(14);
    expect(match('', 'udp')).toEqual([13]);
    expect(match('', '', 'ESTABLISHED')).toEqual([11, 14]);
    expect(match('sshd', 'tcp', 'LISTEN')).toEqual([]);
  });

  it('never matches a term across two columns', () => {
    // "tcp" + "established" are adjacent cells; "tcpestab" spans both.
    expect(match('tcpestab')).toEqual([]);
  });
});

describe('socketFilterExpr (a closed socket\'s packets by address)', () => {
  it('names both ends of a connected socket', () => {
    expect(socketFilterExpr(A)).toBe('host 10.0.0.10 and port 80 and host 10.0.0.2 and port 51000');
  });

  it('leaves out wildcard addresses and the missing peer', () => {
    expect(socketFilterExpr(B)).toBe('host 10.0.0.9 and port 8080');
    expect(socketFilterExpr({ local_addr: '::', local_port: 22, remote_addr: '::', remote_port: 0 })).toBe('port 22');
  });

  it('never uses a raw socket\'s protocol number as a port', () => {
    expect(socketFilterExpr({ proto: 'raw', local_addr: '0.0.0.0', local_port: 1, remote_addr: '0.0.0.0', remote_port: 0 })).toBe('');
    expect(socketFilterExpr({ proto: 'raw', local_addr: '10.0.0.1', local_port: 1, remote_addr: '10.0.0.7', remote_port: 0 })).toBe(
      'host 10.0.0.1 and host 10.0.0.7',
    );
  });

  it('writes IPv4-mapped addresses as IPv4, as the daemon stores packets', () => {
    expect(socketFilterExpr({ local_addr: '::ffff:127.0.0.1', local_port: 9470, remote_addr: '::ffff:10.1.2.3', remote_port: 5 })).toBe(
      'host 127.0.0.1 and port 9470 and host 10.1.2.3 and port 5',
    );
  });
});
