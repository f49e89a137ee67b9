// Drops by reason in the latest snapshot: layer, count since start, rate over the last interval.
import type { Loss } from '../../api/analyzer';
import { formatPercent, formatPerSecond } from '../../lib/analyzer/units';
import { formatCount } from '../../lib/format';

export function DropReasons({ loss }: { loss: Loss | undefined }) {
  const items = loss?.by_reason ?? [];
  return (
    <div class="drops">
      <p class="drops__summary" data-testid="drops-summary">
        <span>
          <strong class="mono">{formatCount(loss?.drops)}</strong> drops since start
        </span>
        <span>
          <strong class="mono">{formatPerSecond(loss?.drops_per_s)}</strong>/s now
        </span>
        <span>
          ratio <strong class="mono">{formatPercent(loss?.drop_ratio)}</strong>
        </span>
      </p>
      {items.length === 0 ? (
        <p class="empty" data-testid="drop-reasons-empty">
          No drops since the analyzer started.
        </p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="drop-reasons-table">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Layer</th>
                <th scope="col" class="num">Count</th>
                <th scope="col" class="num">Per second</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.reason}>
                  <td>
                    <span class="reason">{r.reason}</span>
                  </td>
                  <td>{r.layer}</td>
                  <td class="mono num">{formatCount(r.count)}</td>
                  <td class="mono num">{formatPerSecond(r.per_s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
