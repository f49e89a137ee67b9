import { useMemo } from 'preact/hooks';
import { hexRows } from '../../lib/hexdump';

const COLUMN_HEADER = Array.from({ length: 16 }, (_, i) => i.toString(16).padStart(2, '0')).join(' ');

/** Offset, 16 bytes per row as hex pairs, ASCII with '.' for non-printables. */
export function HexView({ hex }: { hex: string }) {
  const rows = useMemo(() => hexRows(hex), [hex]);
  if (rows.length === 0) return <p class="empty">No bytes captured.</p>;
  return (
    <pre class="hexview" data-testid="hex-view" aria-label="Captured bytes">
      <span class="hexview__head">
        <span class="hexview__off">{'off '.padEnd(rows[0]!.offset.length, ' ')}</span>
        {'  '}
        {COLUMN_HEADER}
        {'  '}
        ascii
      </span>
      {rows.map((r) => (
        <span key={r.offset} class="hexview__row">
          {'\n'}
          <span class="hexview__off">{r.offset}</span>
          {'  '}
          <span class="hexview__hex">{r.hex}</span>
          {'  '}
          <span class="hexview__ascii">{r.ascii}</span>
        </span>
      ))}
    </pre>
  );
}
