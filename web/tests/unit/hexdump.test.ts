import { describe, expect, it } from 'vitest';
import { formatHexDump, hexRows, parseHex } from '../../src/lib/hexdump';

describe('hexdump', () => {
  it('parses hex, ignoring separators and an odd final digit', () => {
    expect([...parseHex('45 00:0A-ff')]).toEqual([0x45, 0x00, 0x0a, 0xff]);
    expect([...parseHex('abc')]).toEqual([0xab]);
    expect(parseHex('')).toHaveLength(0);
  });

  it('makes 16-byte rows with offset, hex pairs and ASCII', () => {
    const bytes = '474554202f20485454502f312e310d0a' + '486f73743a20780d0a';
    const rows = hexRows(bytes);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      offset: '0000',
      hex: '47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a',
      ascii: 'GET / HTTP/1.1..',
    });
    expect(rows[1]!.offset).toBe('0010');
    expect(rows[1]!.ascii).toBe('Host: x..');
    // A short last row is padded so the ASCII column lines up.
    expect(rows[1]!.hex).toHaveLength(rows[0]!.hex.length);
    expect(rows[1]!.hex.startsWith('48 6f 73 74 3a 20 78 0d 0a ')).toBe(true);
  });

  it('shows only 0x20..0x7e as characters', () => {
    expect(hexRows('1f207e7f80ff')[0]!.ascii).toBe('. ~...');
  });

  it('widens offsets past 64 KiB', () => {
    const rows = hexRows('00'.repeat(0x10010));
    expect(rows[0]!.offset).toBe('00000000');
    expect(rows[rows.length - 1]!.offset).toBe('00010000');
  });

  it('returns no rows for no bytes and formats a copyable dump', () => {
    expect(hexRows('')).toEqual([]);
    expect(formatHexDump('4142', 4)).toBe('0000  41 42        AB');
  });
});
