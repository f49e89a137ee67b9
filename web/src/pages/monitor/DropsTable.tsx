import type { DropEvent } from '../../api/types';
import { formatClock, formatDateTime } from '../../lib/format';

function endpoint(addr: string | undefined) {
  return addr ? addr : <span class="muted">—</span>;
}

export function DropsTable({ items }: { items: DropEvent[] }) {
  if (items.length === 0) {
    return (
      <p class="empty" data-testid="drops-empty">
        No drops recorded yet.
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table" data-testid="drops-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Reason</th>
            <th scope="col">Kernel location</th>
            <th scope="col" class="num">Ifindex</th>
            <th scope="col">Protocol</th>
            <th scope="col">Source</th>
            <th scope="col">Destination</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d, i) => (
            <tr key={`${d.time}-${i}`}>
              <td class="mono nowrap" title={formatDateTime(d.time)}>
                {formatClock(d.time)}
              </td>
              <td>
                <span class="reason">{d.reason}</span>
              </td>
              <td class="mono">{d.location}</td>
              <td class="mono num" title={d.netns !== undefined ? `netns ${d.netns}` : undefined}>
                {d.ifindex > 0 ? d.ifindex : <span class="muted">—</span>}
              </td>
              <td class="mono">{d.protocol ?? <span class="muted">—</span>}</td>
              <td class="mono">{endpoint(d.src)}</td>
              <td class="mono">{endpoint(d.dst)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
