// Hex view of captured packet bytes: offset, 16 bytes as hex pairs, printable ASCII.

export interface HexRow {
  /** byte offset of the row, hex, at least 4 digits */
  offset: string;
  /** the row's bytes as space-separated hex pairs, padded to a full row's width */
  hex: string;
  /** the row's bytes as ASCII; '.' for anything outside 0x20..0x7e */
  ascii: string;
}

export const HEX_ROW_BYTES = 16;

/** Bytes from a hex string; characters that are not hex digits (spaces, colons) are ignored, as is an odd final digit. */
export function parseHex(hex: string): Uint8Array {
  const digits = hex.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(digits.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.substr(i * 2, 2), 16);
  return out;
}

export function hexRows(hex: string, perRow = HEX_ROW_BYTES): HexRow[] {
  const bytes = parseHex(hex);
  const width = bytes.length > 0xffff ? 8 : 4;
  const rows: HexRow[] = [];
  for (let off = 0; off < bytes.length; off += perRow) {
    const chunk = bytes.subarray(off, Math.min(off + perRow, bytes.length));
    const pairs: string[] = [];
    let ascii = '';
    for (const b of chunk) {
      pairs.push(b.toString(16).padStart(2, '0'));
      ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
    }
    rows.push({
      offset: off.toString(16).padStart(width, '0'),
      hex: pairs.join(' ').padEnd(perRow * 3 - 1, ' '),
      ascii,
    });
  }
  return rows;
}

/** The whole dump as text, one "offset  hex  ascii" line per row (for copying). */
export function formatHexDump(hex: string, perRow = HEX_ROW_BYTES): string {
  return hexRows(hex, perRow)
    .map((r) => `${r.offset}  ${r.hex}  ${r.ascii}`)
    .join('\n');
}
