import { describe, expect, it } from 'vitest';
import { formatTcpFlags, parseDuration, parseProtocol, parseRange, parseTcpFlags, protocolName, rangeJson } from '../../src/lib/guarder/fields';

describe('guarder field parsers', () => {
  it('parses ranges and writes them back as JSON', () => {
    const one = parseRange('22', 65535, 'a port');
    expect(one).toEqual({ ok: true, value: { lo: 22, hi: 22 } });
    if (one.ok) expect(rangeJson(one.value)).toBe(22);
    const span = parseRange(' 1000 - 2000 ', 65535, 'a port');
    if (span.ok) expect(rangeJson(span.value)).toBe('1000-2000');
    else throw new Error(span.error);
    expect(parseRange('2000-1000', 65535, 'a port')).toMatchObject({ ok: false, error: expect.stringContaining('backwards') });
    expect(parseRange('65536', 65535, 'a port').ok).toBe(false);
    expect(parseRange('256', 255, 'the TTL').ok).toBe(false);
    expect(parseRange('1,2', 65535, 'a port').ok).toBe(false);
  });

  it('knows protocol names and numbers', () => {
    expect(parseProtocol('TCP')).toEqual({ ok: true, value: 6 });
    expect(parseProtocol('132')).toEqual({ ok: true, value: 132 });
    expect(parseProtocol('256').ok).toBe(false);
    expect(parseProtocol('tcpp').ok).toBe(false);
    expect(protocolName(17)).toBe('udp');
    expect(protocolName('58')).toBe('icmpv6');
    expect(protocolName(99)).toBe('99');
  });

  it('parses TCP flag lists and formats bit masks', () => {
    expect(parseTcpFlags('SYN,!ACK')).toEqual({ ok: true, value: { bits: 2, mask: 18 } });
    expect(parseTcpFlags('syn, fin')).toEqual({ ok: true, value: { bits: 3, mask: 3 } });
    expect(parseTcpFlags('SYN,XMAS')).toMatchObject({ ok: false, error: expect.stringContaining('XMAS') });
    expect(parseTcpFlags('SYN,!SYN').ok).toBe(false);
    expect(parseTcpFlags(' , ').ok).toBe(false);
    expect(formatTcpFlags({ bits: 2, mask: 18 })).toBe('SYN,!ACK');
    expect(formatTcpFlags({ bits: 0, mask: 0x80 })).toBe('!CWR');
  });

  it('parses expiry durations within 1 s to 10 years', () => {
    expect(parseDuration('600')).toEqual({ ok: true, value: 600 });
    expect(parseDuration('10m')).toEqual({ ok: true, value: 600 });
    expect(parseDuration('1h30m')).toEqual({ ok: true, value: 5400 });
    expect(parseDuration('2d')).toEqual({ ok: true, value: 172800 });
    expect(parseDuration('0').ok).toBe(false);
    expect(parseDuration('11y').ok).toBe(false);
    expect(parseDuration('4000d').ok).toBe(false);
    expect(parseDuration('10 minutes').ok).toBe(false);
    expect(parseDuration('m10').ok).toBe(false);
  });
});
