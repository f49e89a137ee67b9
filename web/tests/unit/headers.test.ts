import { describe, expect, it } from 'vitest';
import { headerSections, headerValueText } from '../../src/lib/headers';

describe('headerSections', () => {
  it('restores stack and protocol order from the daemon\'s alphabetically sorted JSON', () => {
    // As nlohmann::json prints decode_headers_json() for a TCP segment on Ethernet.
    const headers = {
      ethernet: { dst: '00:00:00:00:00:02', src: '00:00:00:00:00:01', type: '0x0800' },
      ip: { dst: '10.0.0.1', length: 60, src: '10.0.0.2', ttl: 64, version: 4 },
      tcp: { ack: 0, dport: 443, flags: 'SYN', seq: 1, sport: 51000 },
    };
    const s = headerSections(headers);
    expect(s.map((x) => x.title)).toEqual(['Ethernet', 'IPv4', 'TCP']);
    expect(s[0]!.fields.map(([k]) => k)).toEqual(['src', 'dst', 'type']);
    expect(s[1]!.fields.map(([k]) => k)).toEqual(['version', 'src', 'dst', 'ttl', 'length']);
    expect(s[2]!.fields).toEqual([
      ['sport', 51000],
      ['dport', 443],
      ['flags', 'SYN'],
      ['seq', 1],
      ['ack', 0],
    ]);
  });

  it('puts ICMP after IP although "icmp" sorts first, and unknown layers and fields last', () => {
    const s = headerSections({
      icmp: { code: 0, id: 7, type: 8 },
      ip: { dst: '::1', notes: ['fragment'], src: '::1', version: 6, zz: 1, aa: 2 },
      geneve: { vni: 5 },
      ethernet: null,
    });
    expect(s.map((x) => x.layer)).toEqual(['ip', 'icmp', 'geneve']);
    expect(s[0]!.title).toBe('IPv6');
    expect(s[0]!.fields.map(([k]) => k)).toEqual(['version', 'src', 'dst', 'notes', 'aa', 'zz']);
    expect(s[1]!.fields.map(([k]) => k)).toEqual(['type', 'code', 'id']);
    expect(s[2]!.title).toBe('geneve');
  });

  it('handles no headers and formats values', () => {
    expect(headerSections(undefined)).toEqual([]);
    expect(headerSections({})).toEqual([]);
    expect(headerValueText(null)).toBe('—');
    expect(headerValueText(['fragment', 'truncated'])).toBe('fragment, truncated');
    expect(headerValueText(false)).toBe('false');
  });
});
