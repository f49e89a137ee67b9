// The rules in evaluation order (priority, then id), virtualised: selection checkboxes, badges,
// the enabled switch, live counters with a sparkline, the expiry countdown and an Edit button.
import type { GuardRule, RuleCounters } from '../../api/guarder';
import { DEFAULT_ROW_HEIGHT, VirtualTable, type Column } from '../../components/VirtualTable';
import type { CounterHistory } from '../../lib/guarder/sparkline';
import { formatCount } from '../../lib/format';
import { fitHeight } from '../../lib/virtual';
import { ActionBadge, ExpiryCell, OriginBadge, Sparkline, Switch } from './RuleCells';

export interface RuleRow {
  key: string;
  r: GuardRule;
  summary: string;
  text: string;
}

interface Props {
  rows: readonly RuleRow[];
  total: number;
  selected: ReadonlySet<number>;
  onSelect: (id: number, on: boolean) => void;
  history: CounterHistory;
  now: number;
  busy: ReadonlySet<number>;
  onToggle: (r: GuardRule) => void;
  onEdit: (r: GuardRule) => void;
}

const MAX_HEIGHT = 520;
const MIN_WIDTH = 1240;

function countersOf(r: GuardRule, history: CounterHistory): RuleCounters | null {
  return history.counters(r.id) ?? r.counters ?? null;
}

function bytes(n: number | undefined): string {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function RulesTable({ rows, total, selected, onSelect, history, now, busy, onToggle, onEdit }: Props) {
  const columns: Column<RuleRow>[] = [
    {
      id: 'sel',
      label: '',
      width: '30px',
      render: ({ r }) => (
        <input
          type="checkbox"
          class="gr-cb"
          checked={selected.has(r.id)}
          onChange={(e) => onSelect(r.id, (e.currentTarget as HTMLInputElement).checked)}
          aria-label={`Select rule ${r.id}`}
          data-testid="rule-select"
        />
      ),
    },
    { id: 'priority', label: 'Prio', width: '52px', align: 'right', render: ({ r }) => r.priority, cellClass: 'mono' },
    { id: 'id', label: 'ID', width: '50px', align: 'right', render: ({ r }) => `#${r.id}`, cellClass: 'mono', title: ({ r }) => `created by ${r.created_by} at ${r.created_at}` },
    { id: 'action', label: 'Action', width: '124px', render: ({ r }) => <ActionBadge action={r.action} shadow={r.shadow} /> },
    { id: 'match', label: 'Match', width: 'minmax(220px, 3fr)', render: (x) => x.summary, title: (x) => x.summary, cellClass: 'mono' },
    { id: 'origin', label: 'Origin', width: '86px', render: ({ r }) => <OriginBadge origin={r.origin} /> },
    {
      id: 'enabled',
      label: 'On',
      width: '52px',
      render: ({ r }) => <Switch on={r.enabled} busy={busy.has(r.id)} label={`Rule ${r.id} enabled`} onToggle={() => onToggle(r)} testid="rule-enabled" />,
    },
    { id: 'packets', label: 'Packets', width: '84px', align: 'right', render: ({ r }) => formatCount(countersOf(r, history)?.packets), cellClass: 'mono gr-packets' },
    { id: 'bytes', label: 'Bytes', width: '76px', align: 'right', render: ({ r }) => bytes(countersOf(r, history)?.bytes), cellClass: 'mono' },
    {
      id: 'rate_dropped',
      label: 'Rate-drop',
      hint: 'Packets over the rate, dropped by this rate-limit rule',
      width: '82px',
      align: 'right',
      render: ({ r }) => (r.action === 'rate-limit' ? formatCount(countersOf(r, history)?.rate_dropped) : <span class="muted">—</span>),
      cellClass: 'mono',
    },
    { id: 'trend', label: 'Trend', hint: 'Packets per second over the last minute', width: '84px', render: ({ r }) => <Sparkline values={history.rates(r.id)} /> },
    { id: 'expiry', label: 'Expiry', width: '142px', render: ({ r }) => <ExpiryCell expiresAt={r.expires_at} now={now} /> },
    { id: 'comment', label: 'Comment', width: 'minmax(140px, 2fr)', render: ({ r }) => r.comment || <span class="muted">—</span>, title: ({ r }) => r.comment || undefined },
    {
      id: 'edit',
      label: '',
      width: '54px',
      render: ({ r }) => (
        <button type="button" class="btn btn--small btn--ghost" onClick={() => onEdit(r)} data-testid="rule-edit" aria-label={`Edit rule ${r.id}`}>
          Edit
        </button>
      ),
    },
  ];
  return (
    <VirtualTable
      columns={columns}
      rows={rows}
      rowKey={(x) => x.key}
      height={fitHeight(rows.length, DEFAULT_ROW_HEIGHT, DEFAULT_ROW_HEIGHT + 2, MAX_HEIGHT)}
      minWidth={MIN_WIDTH}
      rowClass={({ r }) => (r.enabled ? undefined : 'is-disabled')}
      label="Guarder rules"
      testid="rules-table"
      empty={<p class="empty">{total === 0 ? 'No rules yet: add one, or import a file.' : 'No rule matches the filter.'}</p>}
    />
  );
}
