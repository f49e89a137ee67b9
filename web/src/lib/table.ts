// Sorting and text filtering for the data tables. Pure functions over row arrays.

export type SortDir = 'asc' | 'desc';

export interface SortState {
  column: string;
  dir: SortDir;
}

export type SortValue = string | number | null | undefined;

/** Header click cycle: ascending, descending, back to the server's order. */
export function nextSort(current: SortState | null, column: string): SortState | null {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  if (current.dir === 'asc') return { column, dir: 'desc' };
  return null;
}

/**
 * Numbers compare numerically, strings case-insensitively with embedded numbers in
 * numeric order ("eth2" < "eth10"); a number sorts before a string. Missing values
 * (null, undefined, NaN) are not compared here: sortRows puts them last in both directions.
 */
export function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(a, b);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function missing(v: SortValue): v is null | undefined {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/** A sorted copy (stable: equal rows keep their order). Rows without a value go last. */
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, dir: SortDir): T[] {
  const keyed = rows.map((row, i) => ({ row, i, v: value(row) }));
  const sign = dir === 'asc' ? 1 : -1;
  keyed.sort((x, y) => {
    const mx = missing(x.v);
    const my = missing(y.v);
    if (mx || my) return mx === my ? x.i - y.i : mx ? 1 : -1;
    const c = compareValues(x.v as string | number, y.v as string | number);
    return c !== 0 ? sign * c : x.i - y.i;
  });
  return keyed.map((k) => k.row);
}

/** The filter box's terms: whitespace-separated, lower-cased. */
export function filterTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/** Separates cell texts so that a term never matches across two columns. */
export const CELL_SEP = '\u0001';

/** Joins a row's cell texts into the lower-cased text that filter terms are matched against. */
export function searchText(cells: readonly (string | number | null | undefined)[]): string {
  return cells
    .filter((c) => c !== null && c !== undefined && c !== '')
    .map((c) => String(c).toLowerCase())
    .join(CELL_SEP);
}

/** Every term must occur in some column of the row (terms AND, columns OR). */
export function matchesTerms(text: string, terms: readonly string[]): boolean {
  for (const t of terms) if (!text.includes(t)) return false;
  return true;
}
