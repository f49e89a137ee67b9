// Guarder -> Connections: the XDP flow table (GET /guard/flows every 2 s), virtualised,
// sortable and filterable, each row with "Block source" (opens the editor prefilled).
import { useMemo, useState } from 'preact/hooks';
import type { GuardApi, GuardFlow } from '../../api/guarder';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { DEFAULT_ROW_HEIGHT, VirtualTable, type Column } from '../../components/VirtualTable';
import { formatClock, formatCount, formatDateTime } from '../../lib/format';
import { flowDestination, flowKey, flowSearchText, flowSortValue, flowSource } from '../../lib/guarder/flows';
import { filterTerms, matchesTerms, nextSort, sortRows, type SortState } from '../../lib/table';
import { fitHeight } from '../../lib/virtual';
import { usePoll } from '../../state/usePoll';

export const FLOWS_REFRESH_MS = 2000;
const FLOWS_LIMIT = 5000;
const TABLE_HEIGHT = 560;
const MIN_WIDTH = 1240;

interface Row {
  key: string;
  f: GuardFlow;
  text: string;
}

function time(iso: string) {
  return (
    <span class="nowrap" title={formatDateTime(iso)}>
      {formatClock(iso)}
    </span>
  );
}

function columns(onBlock: (f: GuardFlow) => void): Column<Row>[] {
  return [
    { id: 'iface', label: 'Interface', width: '96px', render: ({ f }) => f.ifname || `if${f.ifindex}`, cellClass: 'mono' },
    { id: 'proto', label: 'Proto', width: '62px', render: ({ f }) => f.protocol, cellClass: 'mono' },
    { id: 'src', label: 'Source', width: 'minmax(170px, 1.4fr)', render: (r) => flowSource(r.f), title: (r) => flowSource(r.f), cellClass: 'mono' },
    { id: 'dst', label: 'Destination', width: 'minmax(170px, 1.4fr)', render: (r) => flowDestination(r.f), title: (r) => flowDestination(r.f), cellClass: 'mono' },
    { id: 'packets', label: 'Packets', width: '96px', align: 'right', render: ({ f }) => formatCount(f.packets), cellClass: 'mono' },
    { id: 'bytes', label: 'Bytes', width: '110px', align: 'right', render: ({ f }) => formatCount(f.bytes), cellClass: 'mono' },
    {
      id: 'dropped',
      label: 'Dropped',
      width: '90px',
      align: 'right',
      render: ({ f }) => (f.dropped > 0 ? <span class="hot">{formatCount(f.dropped)}</span> : <span class="muted">0</span>),
      cellClass: 'mono',
    },
    { id: 'flags', label: 'TCP flags', width: '110px', render: ({ f }) => f.tcp_flags || <span class="muted">—</span>, cellClass: 'mono' },
    { id: 'first', label: 'First seen', width: '108px', render: ({ f }) => time(f.first_seen), cellClass: 'mono' },
    { id: 'last', label: 'Last seen', width: '108px', render: ({ f }) => time(f.last_seen), cellClass: 'mono' },
    {
      id: 'block',
      label: '',
      width: '112px',
      sortable: false,
      render: ({ f }) => (
        <button type="button" class="btn btn--small gr-block" onClick={() => onBlock(f)} data-testid="flow-block" title={`Add a drop rule for ${f.src}`}>
          Block source
        </button>
      ),
    },
  ];
}

export function ConnectionsView({ guard, onBlock }: { guard: GuardApi; onBlock: (f: GuardFlow) => void }) {
  const poll = usePoll(() => guard.flows(FLOWS_LIMIT), FLOWS_REFRESH_MS, [guard]);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState | null>(null);
  const items = poll.data && Array.isArray(poll.data.items) ? poll.data.items : null;

  const indexed = useMemo<Row[]>(() => {
    const seen = new Map<string, number>();
    return (items ?? []).map((f) => {
      const base = flowKey(f);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return { key: n === 0 ? base : `${base}#${n}`, f, text: flowSearchText(f) };
    });
  }, [items]);
  const rows = useMemo(() => {
    const terms = filterTerms(query);
    const kept = indexed.filter((r) => matchesTerms(r.text, terms));
    return sort ? sortRows(kept, (r) => flowSortValue(r.f, sort.column), sort.dir) : kept;
  }, [indexed, query, sort]);
  const cols = useMemo(() => columns(onBlock), [onBlock]);

  return (
    <Panel
      title="Connections at XDP"
      testid="connections-panel"
      aside={
        <span class="muted small" data-testid="conn-count">
          {items ? `${formatCount(rows.length)} of ${formatCount(items.length)} flows` : '…'} · most recent first · refreshed every {FLOWS_REFRESH_MS / 1000} s
        </span>
      }
    >
      <div class="toolbar" role="search">
        <input
          class="input input--grow"
          type="search"
          placeholder="Filter: interface, protocol, address, port, flags…"
          aria-label="Filter connections"
          value={query}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          data-testid="conn-filter"
        />
      </div>
      {poll.error && <ErrorNote context="Connections" message={poll.error} />}
      {items ? (
        <VirtualTable
          columns={cols}
          rows={rows}
          rowKey={(r) => r.key}
          height={fitHeight(rows.length, DEFAULT_ROW_HEIGHT, DEFAULT_ROW_HEIGHT + 2, TABLE_HEIGHT)}
          minWidth={MIN_WIDTH}
          sort={sort}
          onSort={(c) => setSort((cur) => nextSort(cur, c))}
          label="Connections seen at XDP"
          testid="conn-table"
          empty={
            <p class="empty" data-testid="conn-empty">
              {items.length === 0 ? 'No flows: the Guarder has seen no traffic on its interfaces yet (or is attached nowhere).' : 'No flow matches the filter.'}
            </p>
          }
        />
      ) : (
        !poll.error && <p class="empty">Loading…</p>
      )}
    </Panel>
  );
}
