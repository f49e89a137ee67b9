import { describe, expect, it } from 'vitest';
import { matchSummary } from '../../src/lib/guarder/summary';

describe('matchSummary', () => {
  it('reads like a packet', () => {
    expect(matchSummary({ src: '203.0.113.0/24', protocol: 'tcp', dport: 22, tcp_flags: 'SYN,!ACK' })).toBe('tcp 203.0.113.0/24:* -> *:22 SYN,!ACK');
    expect(matchSummary({ protocol: 'udp', sport: 53, dport: '1000-2000' })).toBe('udp *:53 -> *:1000-2000');
    expect(matchSummary({ src: '2001:db8::/32', protocol: 6 })).toBe('tcp [2001:db8::/32]:* -> *:*');
  });

  it('leaves ports out for protocols without them', () => {
    expect(matchSummary({ protocol: 'icmp', icmp: { type: 3, code: 4 }, inner: { src: '10.0.0.0/8', protocol: 'udp', dport: '1-1023' } })).toBe(
      'icmp * -> * type 3 code 4 inner(udp 10.0.0.0/8:* -> *:1-1023)',
    );
    expect(matchSummary({ src: '192.0.2.0/24' })).toBe('any 192.0.2.0/24 -> *');
    expect(matchSummary({ family: 'ipv6' })).toBe('ipv6 * -> *');
    expect(matchSummary(undefined)).toBe('any * -> *');
  });

  it('adds the remaining fields', () => {
    expect(matchSummary({ protocol: 'tcp', tcp_flags: { bits: 2, mask: 2 }, ttl: '1-5', length: '0-100', vlan: 100, iface: 'eth1', malformed: true })).toBe(
      'tcp *:* -> *:* SYN ttl 1-5 len 0-100 vlan 100 on eth1 malformed',
    );
  });
});
