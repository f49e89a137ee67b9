// Recent packet paths: the selected socket's packets (the daemon matches the
// socket's addresses and ports) or all packets, narrowed by a tcpdump-like filter
// expression, newest first, in pages. The newest page follows new packets live;
// clicking a packet opens its path view.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/client';
import type { PacketSummary, SocketItem } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatClockPrecise, formatCount, formatDateTime, formatNs } from '../../lib/format';
import { errorColumn, joinFilters, packetFlow, packetSortValue, verdictText } from '../../lib/packets';
import { formatEndpoint, socketCookie, socketFilterExpr } from '../../lib/sockets';
import { nextSort, sortRows, type SortState } from '../../lib/table';
import { fitHeight } from '../../lib/virtual';
import { useApi } from '../../state/contexts';
import { usePacketList } from '../../state/usePacketList';

export const PACKETS_LIMIT = 100;
const TABLE_HEIGHT = 300;
const ROW_HEIGHT = 26;

const COLUMNS: Column<PacketSummary>[] = [
  {
    id: 'time',
    label: 'Time',
    width: '136px',
    render: (p) => formatClockPrecise(p.time),
    title: (p) => `${formatDateTime(p.time)} · packet #${p.id}`,
    cellClass: 'mono',
  },
  {
    id: 'dir',
    label: 'Dir',
    width: '44px',
    render: (p) => <span class={`dir dir--${p.direction}`}>{p.direction}</span>,
    cellClass: 'mono',
  },
  { id: 'proto', label: 'Proto', width: '58px', render: (p) => p.protocol || '—', cellClass: 'mono' },
  {
    id: 'flow',
    label: 'Source → destination',
    width: 'minmax(220px, 3fr)',
    render: (p) => packetFlow(p),
    title: (p) => packetFlow(p),
    cellClass: 'mono',
  },
  { id: 'len', label: 'Len', width: '56px', align: 'right', render: (p) => formatCount(p.length), cellClass: 'mono' },
  { id: 'hops', label: 'Hops', width: '50px', align: 'right', render: (p) => formatCount(p.hops), cellClass: 'mono' },
  {
    id: 'latency',
    label: 'Latency',
    hint: 'Time from the first to the last hop',
    width: '84px',
    align: 'right',
    render: (p) => formatNs(p.latency_ns),
    cellClass: 'mono',
  },
  {
    id: 'verdict',
    label: 'Verdict',
    width: 'minmax(210px, 1.6fr)',
    render: (p) => <span class={p.dropped ? 'verdict verdict--drop' : 'verdict'}>{verdictText(p)}</span>,
    title: (p) => verdictText(p),
    cellClass: 'mono',
  },
  {
    id: 'task',
    label: 'Task',
    hint: 'The process running when the packet was seen (not necessarily its owner)',
    width: 'minmax(90px, 1fr)',
    render: (p) => (p.comm ? `${p.comm}/${p.tgid}` : <span class="muted">—</span>),
    cellClass: 'mono',
  },
];

const MIN_WIDTH = 940;

interface Props {
  socket: SocketItem | null;
  onClearSocket: () => void;
  selected: number | null;
  onSelect: (id: number) => void;
}

const FILTER_HELP = [
  'tcpdump-like; primitives are joined with and / or / not and ( ):',
  '  tcp  udp  icmp  icmp6  arp  ip  ip6  drop',
  '  [src|dst] host ADDR    [src|dst] net ADDR/LEN',
  '  [src|dst] port N       [src|dst] portrange A-B',
  '  dev IFNAME             netns INODE',
  'tcpdump\'s "tcp port 80" (tcp or udp before a port term) means "tcp and port 80".',
  'e.g. "tcp port 443", "drop and not arp", "host 10.0.0.2 and (udp or icmp)"',
].join('\n');

/** The expression with a caret under the column an error points at. */
function Caret({ expr, column }: { expr: string; column: number }) {
  const at = Math.min(column, expr.length + 1) - 1;
  return (
    <pre class="caret" aria-hidden="true">
      {expr}
      {'\n'}
      {' '.repeat(at)}^
    </pre>
  );
}

/** `closedAs`: the socket closed; its packets are found by this expression instead. */
function Scope({ socket, closedAs, onClearSocket }: Pick<Props, 'socket' | 'onClearSocket'> & { closedAs: string }) {
  return (
    <div class="scope" data-testid="packets-scope" data-scope={socket ? 'socket' : 'all'} data-closed={closedAs ? 'true' : undefined}>
      {socket ? (
        <>
          <span class="scope__label">{closedAs ? 'Closed socket' : 'Socket'}</span>
          <span class="mono scope__value">
            {socket.proto} {formatEndpoint(socket.local_addr, socket.local_port, socket.family)} ⇄{' '}
            {formatEndpoint(socket.remote_addr, socket.remote_port, socket.family)}
          </span>
          {closedAs ? (
            <span class="muted small" title="The daemon no longer knows this socket, so its packets are matched by address">
              matching <code>{closedAs}</code>
            </span>
          ) : (
            <span class="muted small mono">cookie {socketCookie(socket)}</span>
          )}
          <button type="button" class="btn btn--small" data-testid="packets-all" onClick={onClearSocket}>
            Show all packets
          </button>
        </>
      ) : (
        <>
          <span class="scope__label">All packets</span>
          <span class="muted small">select a socket above to see only its packets</span>
        </>
      )}
    </div>
  );
}

export function PacketsPanel({ socket, onClearSocket, selected, onSelect }: Props) {
  const api = useApi();
  const [input, setInput] = useState('');
  const [applied, setApplied] = useState('');
  // shift: columns the daemon counted before `expr` (the "(" of a joined expression).
  const [filterError, setFilterError] = useState<{ expr: string; message: string; shift: number } | null>(null);
  const [checking, setChecking] = useState(false);
  const [sort, setSort] = useState<SortState | null>(null);
  const [live, setLive] = useState(true);
  const cookie = socket ? socketCookie(socket) : undefined;
  // before_id of each page the user paged through (empty: the newest page). They belong to
  // one socket and filter: another scope starts again from the newest page.
  const scope = `${cookie ?? '*'}|${applied}`;
  const [paging, setPaging] = useState<{ scope: string; pages: number[] }>({ scope, pages: [] });
  const pages = paging.scope === scope ? paging.pages : [];
  const setPages = (update: (p: number[]) => number[]) => setPaging({ scope, pages: update(pages) });
  const beforeId = pages.length > 0 ? pages[pages.length - 1] : undefined;

  // A closed socket's cookie means nothing to the daemon any more (a 400); its packets are
  // then found by its addresses and ports, when it has any to match.
  const [closedCookie, setClosedCookie] = useState<string | null>(null);
  const tuple = socket && closedCookie === cookie ? socketFilterExpr(socket) : '';
  const query = { socket: tuple ? undefined : cookie, filter: joinFilters(applied, tuple) };
  const list = usePacketList({ ...query, beforeId, live, limit: PACKETS_LIMIT });
  useEffect(() => {
    if (list.gone && cookie !== undefined) setClosedCookie(cookie);
  }, [list.gone, cookie]);
  const items = list.items;
  const rows = useMemo(
    () => (items && sort ? sortRows(items, (p) => packetSortValue(p, sort.column), sort.dir) : (items ?? [])),
    [items, sort],
  );

  // A new expression is checked with one request first: a bad one shows the
  // server's message inline and the list keeps the last good filter.
  const submit = async (e: Event) => {
    e.preventDefault();
    const expr = input.trim();
    if (expr === '' || expr === applied) {
      setApplied(expr);
      setFilterError(null);
      return;
    }
    setChecking(true);
    try {
      await api.tracerPackets({ limit: 1, socket: query.socket, filter: joinFilters(expr, tuple) });
      setApplied(expr);
      setFilterError(null);
    } catch (err) {
      const message = err instanceof ApiError && err.status === 400 ? err.message : describeError(err);
      setFilterError({ expr, message, shift: tuple ? 1 : 0 });
    } finally {
      setChecking(false);
    }
  };

  const clearFilter = () => {
    setInput('');
    setApplied('');
    setFilterError(null);
  };

  const errCol = filterError ? errorColumn(filterError.message) : null;
  const col = errCol !== null && filterError ? Math.max(1, errCol - filterError.shift) : null;
  const following = live && pages.length === 0 && !list.gone;

  return (
    <Panel
      title="Packets"
      testid="packets-panel"
      aside={
        <>
          <span class="muted small" data-testid="packets-mode">
            {list.gone ? 'stopped' : pages.length > 0 ? `page ${pages.length + 1}` : following ? 'following new packets' : 'paused'}
          </span>
          <label class="check small" title="Follow new packets (newest page only)">
            <input
              type="checkbox"
              checked={live}
              data-testid="packets-live"
              onChange={(e) => setLive((e.currentTarget as HTMLInputElement).checked)}
            />
            Live
          </label>
        </>
      }
    >
      <Scope socket={socket} closedAs={tuple} onClearSocket={onClearSocket} />
      <form class="filter" onSubmit={(e) => void submit(e)} role="search">
        <div class="toolbar">
          <input
            class="input input--grow mono"
            type="text"
            spellcheck={false}
            autocomplete="off"
            placeholder="Filter, e.g. tcp and port 443 and host 10.0.0.2"
            title={FILTER_HELP}
            aria-label="Packet filter expression"
            aria-invalid={filterError ? 'true' : undefined}
            aria-describedby={filterError ? 'packets-filter-error' : undefined}
            data-testid="packets-filter"
            value={input}
            onInput={(e) => setInput((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="btn" disabled={checking} data-testid="packets-filter-apply">
            Apply
          </button>
          {(applied !== '' || input !== '') && (
            <button type="button" class="btn btn--ghost" onClick={clearFilter}>
              Clear
            </button>
          )}
        </div>
        {filterError && (
          <div class="filter__error" id="packets-filter-error" role="alert" data-testid="packets-filter-error">
            {col !== null && <Caret expr={filterError.expr} column={col} />}
            <span>{filterError.message}</span>
          </div>
        )}
        {applied !== '' && !filterError && (
          <p class="muted small" data-testid="packets-filter-applied">
            filter <code>{applied}</code>
          </p>
        )}
      </form>
      {list.gone ? (
        <div class="note" role="status" data-testid="packets-gone">
          {list.error}
        </div>
      ) : (
        list.error && <ErrorNote context="Packets" message={list.error} />
      )}
      {items ? (
        items.length === 0 ? (
          <p class="empty" data-testid="packets-empty">
            {pages.length > 0 ? 'No older packets.' : socket ? 'No packets of this socket in the recent capture.' : 'No packets captured yet.'}
            {applied !== '' && ' (with this filter)'}
          </p>
        ) : (
          <VirtualTable
            columns={COLUMNS}
            rows={rows}
            rowKey={(p) => String(p.id)}
            height={fitHeight(rows.length, ROW_HEIGHT, ROW_HEIGHT + 2, TABLE_HEIGHT)}
            rowHeight={ROW_HEIGHT}
            minWidth={MIN_WIDTH}
            selectedKey={selected === null ? null : String(selected)}
            onSelect={(p) => onSelect(p.id)}
            sort={sort}
            onSort={(c) => setSort((cur) => nextSort(cur, c))}
            rowClass={(p) => (p.dropped ? 'is-drop' : undefined)}
            label="Packets"
            testid="packets-table"
          />
        )
      ) : (
        !list.error && <p class="empty">Loading…</p>
      )}
      <div class="pager" data-testid="packets-pager">
        <button type="button" class="btn btn--small" disabled={pages.length === 0} data-testid="packets-newest" onClick={() => setPages(() => [])}>
          Newest
        </button>
        <button
          type="button"
          class="btn btn--small"
          disabled={pages.length === 0}
          data-testid="packets-newer"
          onClick={() => setPages((p) => p.slice(0, -1))}
        >
          ‹ Newer
        </button>
        <button
          type="button"
          class="btn btn--small"
          disabled={list.older === null}
          data-testid="packets-older"
          onClick={() => list.older !== null && setPages((p) => [...p, list.older!])}
        >
          Older ›
        </button>
        <span
          class="muted small"
          data-testid="packets-range"
          data-first={items && items.length > 0 ? items[0]!.id : undefined}
          data-last={items && items.length > 0 ? items[items.length - 1]!.id : undefined}
        >
          {items && items.length > 0
            ? `#${items[0]!.id} – #${items[items.length - 1]!.id} · ${formatCount(items.length)} packets`
            : ''}
        </span>
      </div>
    </Panel>
  );
}
