// A table that renders only the rows inside its scroll viewport (fixed row
// height, a spacer as tall as all rows), so tens of thousands of rows scroll
// smoothly. Header cells sort when the parent passes onSort; rows are
// selectable with the mouse and with the arrow keys (Enter selects too).
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { revealScrollTop, visibleRange } from '../lib/virtual';
import type { SortState } from '../lib/table';

export interface Column<T> {
  id: string;
  label: string;
  /** CSS grid track, e.g. "64px" or "minmax(160px, 2fr)" */
  width: string;
  align?: 'left' | 'right';
  /** header tooltip */
  hint?: string;
  sortable?: boolean;
  render: (row: T) => ComponentChildren;
  title?: (row: T) => string | undefined;
  /** extra class for this column's cells */
  cellClass?: string;
}

interface Props<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** viewport height in px (header included) */
  height: number;
  rowHeight?: number;
  overscan?: number;
  selectedKey?: string | null;
  onSelect?: (row: T) => void;
  sort?: SortState | null;
  onSort?: (column: string) => void;
  rowClass?: (row: T) => string | undefined;
  label: string;
  testid?: string;
  /** shown in place of the rows when there are none */
  empty?: ComponentChildren;
  /** below this width (px) the table scrolls horizontally instead of squeezing columns */
  minWidth?: number;
}

export const DEFAULT_ROW_HEIGHT = 28;

export function VirtualTable<T>({
  columns,
  rows,
  rowKey,
  height,
  rowHeight = DEFAULT_ROW_HEIGHT,
  overscan = 6,
  selectedKey = null,
  onSelect,
  sort = null,
  onSort,
  rowClass,
  label,
  testid,
  empty,
  minWidth = 0,
}: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const headHeight = rowHeight + 2;
  const viewport = Math.max(0, height - headHeight);
  const win = visibleRange({ scrollTop, viewportHeight: viewport, rowHeight, rowCount: rows.length, overscan });
  const template = columns.map((c) => c.width).join(' ');

  // Rows shrinking (a filter, a refresh) can leave scrollTop past the end; the
  // browser clamps the element, this keeps the window in step with it.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && el.scrollTop !== scrollTop) setScrollTop(el.scrollTop);
  }, [rows.length]);

  const onScroll = (e: Event) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop);

  const selectedIndex = selectedKey === null ? -1 : rows.findIndex((r) => rowKey(r) === selectedKey);

  const moveTo = (index: number) => {
    if (rows.length === 0) return;
    const i = Math.min(rows.length - 1, Math.max(0, index));
    const el = scroller.current;
    if (el) {
      const next = revealScrollTop(i, el.scrollTop, viewport, rowHeight);
      if (next !== el.scrollTop) {
        el.scrollTop = next;
        setScrollTop(next);
      }
    }
    onSelect?.(rows[i]!);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!onSelect || e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const from = selectedIndex < 0 ? -1 : selectedIndex;
    let to: number | null = null;
    if (e.key === 'ArrowDown') to = from + 1;
    else if (e.key === 'ArrowUp') to = from < 0 ? 0 : from - 1;
    else if (e.key === 'PageDown') to = from + page;
    else if (e.key === 'PageUp') to = from - page;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = rows.length - 1;
    if (to === null) return;
    e.preventDefault();
    moveTo(to);
  };

  const visible = [];
  for (let i = win.start; i < win.end; i++) {
    const row = rows[i]!;
    const key = rowKey(row);
    const selected = key === selectedKey;
    const extra = rowClass?.(row);
    visible.push(
      <div
        key={key}
        class={`vt__row${selected ? ' is-selected' : ''}${extra ? ` ${extra}` : ''}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={onSelect ? selected : undefined}
        data-testid="vt-row"
        data-index={i}
        data-key={key}
        style={{ top: `${headHeight + i * rowHeight}px`, height: `${rowHeight}px`, gridTemplateColumns: template }}
        onClick={onSelect ? () => onSelect(row) : undefined}
      >
        {columns.map((c) => (
          <div
            key={c.id}
            class={`vt__cell${c.align === 'right' ? ' num' : ''}${c.cellClass ? ` ${c.cellClass}` : ''}`}
            role="cell"
            data-col={c.id}
            title={c.title?.(row)}
          >
            {c.render(row)}
          </div>
        ))}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      class="vt"
      role="table"
      aria-label={label}
      aria-rowcount={rows.length + 1}
      data-testid={testid}
      data-total={rows.length}
      data-start={win.start}
      tabIndex={0}
      style={{ height: `${height}px` }}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      <div class="vt__spacer" style={{ height: `${headHeight + win.totalHeight}px`, minWidth: `${minWidth}px` }}>
        <div class="vt__head" role="row" aria-rowindex={1} style={{ height: `${headHeight}px`, gridTemplateColumns: template }}>
          {columns.map((c) => {
            const active = sort?.column === c.id ? sort.dir : null;
            const sortable = onSort !== undefined && c.sortable !== false;
            return (
              <div
                key={c.id}
                class={`vt__th${c.align === 'right' ? ' num' : ''}${active ? ' is-sorted' : ''}`}
                role="columnheader"
                aria-sort={active === 'asc' ? 'ascending' : active === 'desc' ? 'descending' : undefined}
                title={c.hint}
              >
                {sortable ? (
                  <button type="button" class="vt__sort" data-testid={`sort-${c.id}`} onClick={() => onSort(c.id)}>
                    <span>{c.label}</span>
                    <span class="vt__arrow" aria-hidden="true">
                      {active === 'asc' ? '▲' : active === 'desc' ? '▼' : ''}
                    </span>
                  </button>
                ) : (
                  c.label
                )}
              </div>
            );
          })}
        </div>
        {visible}
      </div>
      {rows.length === 0 && empty !== undefined && <div class="vt__empty">{empty}</div>}
    </div>
  );
}
