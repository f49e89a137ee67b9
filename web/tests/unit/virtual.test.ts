import { describe, expect, it } from 'vitest';
import { fitHeight, revealScrollTop, visibleRange } from '../../src/lib/virtual';

describe('visibleRange', () => {
  const base = { rowHeight: 28, viewportHeight: 280, rowCount: 10_000 };

  it('renders just the rows in the viewport, plus overscan', () => {
    expect(visibleRange({ ...base, scrollTop: 0 })).toEqual({ start: 0, end: 10, totalHeight: 280_000 });
    expect(visibleRange({ ...base, scrollTop: 0, overscan: 5 })).toEqual({ start: 0, end: 15, totalHeight: 280_000 });
    // Row 100 starts at 2800 px.
    expect(visibleRange({ ...base, scrollTop: 2800, overscan: 5 })).toMatchObject({ start: 95, end: 115 });
  });

  it('includes partly visible rows at both edges', () => {
    // 2810..3090 shows the bottom of row 100 and the top of row 110.
    expect(visibleRange({ ...base, scrollTop: 2810 })).toMatchObject({ start: 100, end: 111 });
  });

  it('clamps at the end and for a scrollTop past the end (rows removed by a filter)', () => {
    expect(visibleRange({ ...base, scrollTop: 280_000 - 280, overscan: 3 })).toMatchObject({ start: 9987, end: 10_000 });
    expect(visibleRange({ ...base, rowCount: 20, scrollTop: 99_999 })).toMatchObject({ start: 19, end: 20 });
  });

  it('keeps the window small for any list size', () => {
    for (const rowCount of [10, 1000, 100_000]) {
      const w = visibleRange({ ...base, rowCount, scrollTop: rowCount * 14, overscan: 6 });
      expect(w.end - w.start).toBeLessThanOrEqual(10 + 1 + 12);
    }
  });

  it('handles empty lists, zero heights and negative scroll (rubber-banding)', () => {
    expect(visibleRange({ ...base, rowCount: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0, totalHeight: 0 });
    expect(visibleRange({ ...base, viewportHeight: 0, scrollTop: 0 })).toMatchObject({ start: 0, end: 1 });
    expect(visibleRange({ ...base, scrollTop: -50 })).toMatchObject({ start: 0, end: 10 });
    expect(visibleRange({ ...base, rowHeight: 0, rowCount: 3, scrollTop: 0 }).totalHeight).toBe(3);
  });
});

describe('revealScrollTop', () => {
  it('scrolls as little as possible to show a row', () => {
    // Viewport 0..280 with 28 px rows shows rows 0..9.
    expect(revealScrollTop(5, 0, 280, 28)).toBe(0);
    expect(revealScrollTop(10, 0, 280, 28)).toBe(28);
    expect(revealScrollTop(3, 280, 280, 28)).toBe(84);
    expect(revealScrollTop(0, 10, 280, 28)).toBe(0);
  });
});

describe('fitHeight', () => {
  it('shrinks a table to its rows, between a few rows and the maximum', () => {
    // 30 px header + rows of 28 px + 2 px of border.
    expect(fitHeight(5, 28, 30, 420)).toBe(30 + 5 * 28 + 2);
    expect(fitHeight(0, 28, 30, 420)).toBe(30 + 3 * 28 + 2);
    expect(fitHeight(10_000, 28, 30, 420)).toBe(420);
    expect(fitHeight(1, 28, 30, 420, 1)).toBe(60);
  });
});
