// Guarder -> Rules: filters, bulk enable/disable/delete of the selected rules, import/export,
// and the table. Adding and editing open the editor (owned by GuarderPage).
import { useMemo, useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/client';
import { ORIGINS, type BulkOp, type GuardApi, type GuardRule } from '../../api/guarder';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { matchSummary, ruleSearchText } from '../../lib/guarder/summary';
import { filterTerms, matchesTerms } from '../../lib/table';
import type { GuardLive } from '../../state/useGuardLive';
import { useNow } from '../../state/useNow';
import { ImportExport } from './ImportExport';
import { RulesTable, type RuleRow } from './RulesTable';
import { useRules } from './useRules';

interface Props {
  guard: GuardApi;
  live: GuardLive;
  reloadKey: number;
  onAdd: () => void;
  onEdit: (r: GuardRule) => void;
}

interface Notice {
  error: boolean;
  text: string;
  /** a refused change that may be forced */
  retry?: { label: string; run: () => Promise<void> };
}

export function RulesView({ guard, live, reloadKey, onAdd, onEdit }: Props) {
  const { poll, reload } = useRules(guard, live, reloadKey);
  const now = useNow(1000);
  const [query, setQuery] = useState('');
  const [origin, setOrigin] = useState('');
  const [enabled, setEnabled] = useState('');
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState<Set<number>>(new Set());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const items = poll.data && Array.isArray(poll.data.items) ? poll.data.items : null;

  const all = useMemo<RuleRow[]>(() => (items ?? []).map((r) => ({ key: String(r.id), r, summary: matchSummary(r.match), text: ruleSearchText(r) })), [items]);
  const rows = useMemo(() => {
    const terms = filterTerms(query);
    return all.filter((x) => (!origin || x.r.origin === origin) && (!enabled || String(x.r.enabled) === enabled) && matchesTerms(x.text, terms));
  }, [all, query, origin, enabled]);
  // Selection only ever names rules that still exist.
  const chosen = all.filter((x) => selected.has(x.r.id)).map((x) => x.r.id);
  const allShownSelected = rows.length > 0 && rows.every((x) => selected.has(x.r.id));

  const select = (id: number, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const selectShown = (on: boolean) => setSelected(on ? new Set([...selected, ...rows.map((x) => x.r.id)]) : new Set());

  const runBulk = async (op: BulkOp) => {
    setConfirmDelete(false);
    try {
      const res = await guard.bulk(op, chosen);
      setNotice({ error: false, text: `${op === 'delete' ? 'Deleted' : op === 'enable' ? 'Enabled' : 'Disabled'} ${res.changed} of ${chosen.length} selected rules.` });
      if (op === 'delete') setSelected(new Set());
    } catch (e) {
      setNotice({ error: true, text: describeError(e) });
    }
    reload();
  };

  const toggle = async (r: GuardRule, force = false) => {
    setBusy((b) => new Set(b).add(r.id));
    try {
      await guard.patch(r.id, { enabled: !r.enabled }, force);
      setNotice(null);
    } catch (e) {
      const refused = e instanceof ApiError && e.code === 'unsafe_rule';
      setNotice({
        error: true,
        text: refused ? `Rule #${r.id} was not enabled: ${e.fields.map((f) => f.message).join('; ') || e.message}` : describeError(e),
        ...(refused ? { retry: { label: 'Enable anyway', run: () => toggle(r, true) } } : {}),
      });
    } finally {
      setBusy((b) => {
        const n = new Set(b);
        n.delete(r.id);
        return n;
      });
      reload();
    }
  };

  return (
    <Panel
      title="Rules"
      testid="rules-panel"
      aside={
        <span class="muted small" data-testid="rules-count">
          {items ? `${rows.length} of ${items.length} rules` : '…'} · evaluation order (priority, then id)
        </span>
      }
    >
      <div class="toolbar" role="search">
        <button type="button" class="btn btn--primary btn--small" onClick={onAdd} data-testid="rule-add">
          Add rule
        </button>
        <input
          class="input input--grow"
          type="search"
          placeholder="Filter: address, port, comment, #id, action…"
          aria-label="Filter rules"
          value={query}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          data-testid="rules-filter"
        />
        <select class="input" aria-label="Origin" value={origin} onChange={(e) => setOrigin((e.currentTarget as HTMLSelectElement).value)} data-testid="rules-origin">
          <option value="">all origins</option>
          {ORIGINS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <select class="input" aria-label="Enabled" value={enabled} onChange={(e) => setEnabled((e.currentTarget as HTMLSelectElement).value)} data-testid="rules-enabled">
          <option value="">enabled and disabled</option>
          <option value="true">enabled only</option>
          <option value="false">disabled only</option>
        </select>
        <ImportExport guard={guard} onImported={reload} />
      </div>
      <div class="toolbar gr-bulk" data-testid="bulk-bar">
        <label class="gr-selectall">
          <input type="checkbox" class="gr-cb" checked={allShownSelected} onChange={(e) => selectShown((e.currentTarget as HTMLInputElement).checked)} data-testid="rules-select-all" />
          <span>{chosen.length > 0 ? `${chosen.length} selected` : 'Select shown'}</span>
        </label>
        <button type="button" class="btn btn--small" disabled={chosen.length === 0} onClick={() => void runBulk('enable')} data-testid="bulk-enable">
          Enable
        </button>
        <button type="button" class="btn btn--small" disabled={chosen.length === 0} onClick={() => void runBulk('disable')} data-testid="bulk-disable">
          Disable
        </button>
        {confirmDelete ? (
          <span class="gr-confirm">
            Delete {chosen.length} rules?
            <button type="button" class="btn btn--small gr-danger" onClick={() => void runBulk('delete')} data-testid="bulk-delete-confirm">
              Delete
            </button>
            <button type="button" class="btn btn--small btn--ghost" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" class="btn btn--small" disabled={chosen.length === 0} onClick={() => setConfirmDelete(true)} data-testid="bulk-delete">
            Delete…
          </button>
        )}
      </div>
      {notice && (
        <div class={`note ${notice.error ? 'note--error' : 'note--ok'} gr-notice`} role={notice.error ? 'alert' : 'status'} data-testid="rules-notice">
          <span>{notice.text}</span>
          {notice.retry && (
            <button type="button" class="btn btn--small" onClick={() => void notice.retry!.run()} data-testid="rules-notice-retry">
              {notice.retry.label}
            </button>
          )}
          <button type="button" class="btn btn--small btn--ghost" onClick={() => setNotice(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {poll.error && <ErrorNote context="Rules" message={poll.error} />}
      {items ? (
        <RulesTable rows={rows} total={items.length} selected={selected} onSelect={select} history={live.history} now={now} busy={busy} onToggle={(r) => void toggle(r)} onEdit={onEdit} />
      ) : (
        !poll.error && <p class="empty">Loading…</p>
      )}
    </Panel>
  );
}
