import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualTable, type Column } from '../../src/components/VirtualTable';

interface Row {
  id: number;
  name: string;
}

const ROWS: Row[] = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
const COLUMNS: Column<Row>[] = [
  { id: 'id', label: 'Id', width: '80px', align: 'right', render: (r) => r.id },
  { id: 'name', label: 'Name', width: '1fr', render: (r) => r.name },
];

let host: HTMLDivElement;

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
});

afterEach(() => {
  render(null, host);
  host.remove();
});

function rows(): HTMLElement[] {
  return [...host.querySelectorAll<HTMLElement>('[data-testid="vt-row"]')];
}

describe('VirtualTable', () => {
  // height 310 = 30 px header + 280 px of rows = 10 rows of 28 px.
  const props = { columns: COLUMNS, rows: ROWS, rowKey: (r: Row) => String(r.id), height: 310, overscan: 4, label: 'Test' };

  it('puts only the visible rows (plus overscan) of 10 000 in the DOM', () => {
    act(() => render(<VirtualTable {...props} />, host));
    const r = rows();
    expect(r.length).toBe(14);
    expect(r[0]!.dataset.index).toBe('0');
    const table = host.querySelector<HTMLElement>('[role="table"]')!;
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    const spacer = host.querySelector<HTMLElement>('.vt__spacer')!;
    expect(spacer.style.height).toBe(`${30 + 10_000 * 28}px`);
  });

  it('moves the window when scrolled', () => {
    act(() => render(<VirtualTable {...props} />, host));
    const table = host.querySelector<HTMLElement>('[role="table"]')!;
    act(() => {
      table.scrollTop = 28 * 5000;
      table.dispatchEvent(new Event('scroll'));
    });
    const idx = rows().map((r) => Number(r.dataset.index));
    expect(Math.min(...idx)).toBe(4996);
    expect(Math.max(...idx)).toBe(5013);
    expect(rows().length).toBeLessThanOrEqual(18);
    expect(rows()[0]!.style.top).toBe(`${30 + 4996 * 28}px`);
  });

  it('sorts from the header and selects with clicks and arrow keys', () => {
    const onSort = vi.fn();
    const onSelect = vi.fn();
    act(() =>
      render(<VirtualTable {...props} sort={{ column: 'name', dir: 'asc' }} onSort={onSort} onSelect={onSelect} selectedKey="1" />, host),
    );
    const th = host.querySelector<HTMLElement>('[aria-sort="ascending"]')!;
    expect(th.textContent).toContain('Name');
    act(() => host.querySelector<HTMLButtonElement>('[data-testid="sort-id"]')!.click());
    expect(onSort).toHaveBeenCalledWith('id');
    act(() => rows()[3]!.click());
    expect(onSelect).toHaveBeenLastCalledWith(ROWS[3]);
    const table = host.querySelector<HTMLElement>('[role="table"]')!;
    act(() => {
      table.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    });
    expect(onSelect).toHaveBeenLastCalledWith(ROWS[2]);
    expect(host.querySelector('.vt__row.is-selected')?.getAttribute('data-key')).toBe('1');
  });

  it('shows the empty message when there are no rows', () => {
    act(() => render(<VirtualTable {...props} rows={[]} empty={<p>Nothing</p>} />, host));
    expect(rows()).toHaveLength(0);
    expect(host.textContent).toContain('Nothing');
  });
});
