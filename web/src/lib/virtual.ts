// Windowing for fixed-height virtual lists: which rows a scroll viewport shows,
// and where to scroll to bring a row into view. Pure, so the maths is unit-tested.

export interface WindowInput {
  /** scrollTop of the rows area, in px */
  scrollTop: number;
  /** height of the visible rows area, in px */
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** extra rows rendered above and below the viewport, so fast scrolling shows no gaps */
  overscan?: number;
}

export interface RowWindow {
  /** first rendered row (inclusive) */
  start: number;
  /** one past the last rendered row */
  end: number;
  /** height of the whole (virtual) list */
  totalHeight: number;
}

export function visibleRange({ scrollTop, viewportHeight, rowHeight, rowCount, overscan = 0 }: WindowInput): RowWindow {
  const count = Math.max(0, Math.floor(rowCount));
  const rh = rowHeight > 0 ? rowHeight : 1;
  const totalHeight = count * rh;
  if (count === 0) return { start: 0, end: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - 1));
  const height = Math.max(0, viewportHeight);
  const first = Math.floor(top / rh);
  // The last row with any pixel inside [top, top + height).
  const last = height > 0 ? Math.ceil((top + height) / rh) : first + 1;
  const o = Math.max(0, Math.floor(overscan));
  return { start: Math.max(0, first - o), end: Math.min(count, last + o), totalHeight };
}

/** The scrollTop that makes row `index` fully visible, moving as little as possible. */
export function revealScrollTop(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/**
 * Height (px, header included) of a table that shrinks to its rows: at least `minRows`
 * rows tall so an empty or short list does not jump, at most `maxHeight`.
 */
export function fitHeight(rowCount: number, rowHeight: number, headHeight: number, maxHeight: number, minRows = 3): number {
  const rows = Math.max(minRows, Math.max(0, Math.floor(rowCount)));
  // +2: the table's top and bottom border.
  return Math.min(maxHeight, headHeight + rows * rowHeight + 2);
}
