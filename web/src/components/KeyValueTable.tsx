import type { KeyValueRow } from '../lib/flatten';

export function KeyValueTable({ rows, testid }: { rows: KeyValueRow[]; testid?: string }) {
  if (rows.length === 0) return <p class="empty">No entries.</p>;
  return (
    <table class="table table--kv" data-testid={testid}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row" class="mono">
              {r.key}
            </th>
            <td class={`mono kv--${r.kind}`}>{r.value === '' ? <span class="muted">(empty)</span> : r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
