import { describe, expect, it } from 'vitest';
import { CELL_SEP, compareValues, filterTerms, matchesTerms, nextSort, searchText, sortRows } from '../../src/lib/table';

describe('table sorting', () => {
  it('cycles a header through ascending, descending and unsorted', () => {
    const a = nextSort(null, 'rtt');
    expect(a).toEqual({ column: 'rtt', dir: 'asc' });
    const d = nextSort(a, 'rtt');
    expect(d).toEqual({ column: 'rtt', dir: 'desc' });
    expect(nextSort(d, 'rtt')).toBeNull();
    expect(nextSort(d, 'state')).toEqual({ column: 'state', dir: 'asc' });
  });

  it('compares numbers numerically and text with embedded numbers in order', () => {
    expect(compareValues(9, 10)).toBeLessThan(0);
    expect(compareValues('eth2', 'eth10')).toBeLessThan(0);
    expect(compareValues('ABC', 'abc')).toBe(0);
    expect(compareValues(1, 'a')).toBeLessThan(0);
  });

  it('is stable and puts missing values last in both directions', () => {
    const rows = [
      { k: 'a', v: 2 },
      { k: 'b', v: null },
      { k: 'c', v: 1 },
      { k: 'd', v: 2 },
      { k: 'e', v: Number.NaN },
    ];
    expect(sortRows(rows, (r) => r.v, 'asc').map((r) => r.k)).toEqual(['c', 'a', 'd', 'b', 'e']);
    expect(sortRows(rows, (r) => r.v, 'desc').map((r) => r.k)).toEqual(['a', 'd', 'c', 'b', 'e']);
    expect(rows.map((r) => r.k)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('table filtering', () => {
  it('splits the query into lower-case terms', () => {
    expect(filterTerms('  Nginx   443 ')).toEqual(['nginx', '443']);
    expect(filterTerms('')).toEqual([]);
  });

  it('joins cells so that terms match within one cell', () => {
    const text = searchText(['TCP', null, 'ESTABLISHED', 443, '']);
    expect(text).toBe(`tcp${CELL_SEP}established${CELL_SEP}443`);
    expect(matchesTerms(text, ['tcp', '443'])).toBe(true);
    expect(matchesTerms(text, ['tcpest'])).toBe(false);
    expect(matchesTerms(text, [])).toBe(true);
  });
});
