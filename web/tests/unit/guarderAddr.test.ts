import { describe, expect, it } from 'vitest';
import { formatIPv6, hostPrefix, parseCidr, parseIPv4, parseIPv6 } from '../../src/lib/guarder/addr';

describe('guarder addresses', () => {
  it('parses dotted quads strictly', () => {
    expect(parseIPv4('203.0.113.7')).toEqual([203, 0, 113, 7]);
    expect(parseIPv4('256.0.0.1')).toBeNull();
    expect(parseIPv4('10.0.0')).toBeNull();
    expect(parseIPv4('010.0.0.1')).toBeNull();
    expect(parseIPv4('1.2.3.4 ')).toBeNull();
  });

  it('parses IPv6 with "::" and an IPv4 tail', () => {
    expect(parseIPv6('::')).toEqual(new Array(16).fill(0));
    expect(parseIPv6('2001:db8::1')?.slice(0, 4)).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(parseIPv6('::ffff:192.0.2.1')?.slice(12)).toEqual([192, 0, 2, 1]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).not.toBeNull();
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':1', 'fe80::1%eth0', 'g::1', '1:2:3:4:5:6:7'])
      expect(parseIPv6(bad), bad).toBeNull();
  });

  it('formats IPv6 the RFC 5952 way', () => {
    expect(formatIPv6(parseIPv6('2001:0db8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(formatIPv6(parseIPv6('2001:db8:0:1:0:0:0:1')!)).toBe('2001:db8:0:1::1');
    expect(formatIPv6(parseIPv6('::')!)).toBe('::');
    expect(formatIPv6(parseIPv6('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7');
  });

  it('accepts addresses and CIDRs with zero host bits', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ ok: true, value: { family: 4, prefix: 8 } });
    expect(parseCidr('10.1.2.3')).toMatchObject({ ok: true, value: { prefix: 32 } });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ ok: true, value: { family: 6, prefix: 32 } });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ ok: true });
  });

  it('refuses host bits and suggests the network', () => {
    const r = parseCidr('10.0.0.1/8');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('did you mean 10.0.0.0/8?');
    const v6 = parseCidr('2001:db8::1/32');
    if (!v6.ok) expect(v6.error).toContain('2001:db8::/32');
    else throw new Error('accepted host bits');
    const mid = parseCidr('192.168.1.129/25');
    expect(mid.ok).toBe(false);
    expect(parseCidr('192.168.1.128/25').ok).toBe(true);
  });

  it('refuses bad prefixes and garbage', () => {
    expect(parseCidr('10.0.0.0/33').ok).toBe(false);
    expect(parseCidr('2001:db8::/129').ok).toBe(false);
    expect(parseCidr('10.0.0.0/').ok).toBe(false);
    expect(parseCidr('host.example').ok).toBe(false);
    expect(parseCidr('').ok).toBe(false);
  });

  it('turns an address into its host prefix', () => {
    expect(hostPrefix('198.51.100.23')).toBe('198.51.100.23/32');
    expect(hostPrefix('2001:DB8:0::5')).toBe('2001:db8::5/128');
    expect(hostPrefix('nope')).toBeNull();
  });
});
