// Guarder -> Audit: who changed which rule or interface, newest first (GET /guard/audit), with
// an "Older" button paging back by before_id and a refresh that picks up new entries.
import { useEffect, useState } from 'preact/hooks';
import { describeError, isUnauthorized } from '../../api/client';
import type { AuditEntry, GuardApi } from '../../api/guarder';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { formatDateTime } from '../../lib/format';

export const AUDIT_PAGE = 50;

function when(e: AuditEntry): string {
  if (e.time) return formatDateTime(e.time);
  if (typeof e.ts_ns === 'number') return formatDateTime(new Date(e.ts_ns / 1e6).toISOString());
  return '—';
}

const TONES: Record<string, string> = { add: 'ok', import: 'ok', delete: 'danger', expire: 'muted', attach: 'info', detach: 'warn' };

function detailText(d: unknown): string {
  if (d === null || d === undefined) return '';
  return typeof d === 'string' ? d : JSON.stringify(d);
}

function actionTone(action: string): string {
  const verb = action.split(/[._]/).pop() ?? '';
  return TONES[verb] ?? (action.includes('delete') ? 'danger' : 'info');
}

export function AuditView({ guard }: { guard: GuardApi }) {
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  // The newest page, again whenever "Refresh" is pressed.
  useEffect(() => {
    let alive = true;
    setLoading(true);
    guard
      .audit(AUDIT_PAGE)
      .then((p) => {
        if (!alive) return;
        setItems(Array.isArray(p.items) ? p.items : []);
        setNext(typeof p.next_before_id === 'number' ? p.next_before_id : null);
        setError(null);
      })
      .catch((e: unknown) => alive && !isUnauthorized(e) && setError(describeError(e)))
      .finally(() => alive && setLoading(false));
    return () => {
      alive = false;
    };
  }, [guard, generation]);

  const older = async () => {
    if (next === null) return;
    setLoading(true);
    try {
      const p = await guard.audit(AUDIT_PAGE, next);
      const got = Array.isArray(p.items) ? p.items : [];
      setItems((cur) => [...cur, ...got.filter((e) => !cur.some((c) => c.id === e.id))]);
      setNext(typeof p.next_before_id === 'number' ? p.next_before_id : null);
    } catch (e) {
      if (!isUnauthorized(e)) setError(describeError(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Panel
      title="Audit log"
      testid="audit-panel"
      aside={
        <button type="button" class="btn btn--small" onClick={() => setGeneration((g) => g + 1)} data-testid="audit-refresh">
          Refresh
        </button>
      }
    >
      {error && <ErrorNote context="Audit" message={error} />}
      {items.length === 0 ? (
        <p class="empty">{loading ? 'Loading…' : 'No changes recorded yet.'}</p>
      ) : (
        <div class="table-wrap">
          <table class="table gr-audit" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-id={e.id}>
                  <td class="mono nowrap">{when(e)}</td>
                  <td class="mono">{e.actor}</td>
                  <td>
                    <span class={`badge badge--${actionTone(e.action)}`} data-testid="audit-action">
                      {e.action}
                    </span>
                  </td>
                  <td class="mono nowrap">{e.object}</td>
                  <td class="mono gr-audit__detail" title={detailText(e.detail)}>
                    {detailText(e.detail)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        <span class="muted small" data-testid="audit-count">
          {items.length} entries shown
        </span>
        {next !== null && (
          <button type="button" class="btn btn--small" disabled={loading} onClick={() => void older()} data-testid="audit-older">
            Older
          </button>
        )}
      </div>
    </Panel>
  );
}
