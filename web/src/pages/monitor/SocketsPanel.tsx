// Live socket table: every TCP/UDP/raw socket with its queues and TCP internals,
// refreshed every 2 s (and soon after a socket changes state), virtualised, sortable and
// filterable. Clicking a socket selects it (the packets panel then shows that socket's
// packets). Below it, the latest socket state changes as the stream reports them.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { describeError, isUnauthorized } from '../../api/client';
import type { SocketItem, SocketTcpInfo } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { DEFAULT_ROW_HEIGHT, VirtualTable, type Column } from '../../components/VirtualTable';
import { formatBitRate, formatCount } from '../../lib/format';
import {
  asStateChange,
  formatEndpoint,
  formatRtt,
  mergeStateChanges,
  ownersLabel,
  RECENT_STATE_CHANGES,
  RefreshScheduler,
  socketMatches,
  socketSearchText,
  socketCookie,
  socketSortValue,
  stateChangeClock,
  stateChangeLabel,
  stateChangeProcess,
  type SocketStateChange,
} from '../../lib/sockets';
import { filterTerms, nextSort, sortRows, type SortState } from '../../lib/table';
import { fitHeight } from '../../lib/virtual';
import { useApi, useStreamBus } from '../../state/contexts';
import { usePoll } from '../../state/usePoll';

export const SOCKETS_REFRESH_MS = 2000;
/** The table reloads this long after a state change (a burst of changes: one reload). */
export const STATE_CHANGE_REFRESH_MS = 300;
const TABLE_HEIGHT = 420;
const PROTOS = ['tcp', 'udp', 'raw'];

interface Row {
  key: string;
  s: SocketItem;
  text: string;
}

const STATE_TONE: Record<string, string> = {
  ESTABLISHED: 'ok',
  LISTEN: 'info',
  SYN_SENT: 'warn',
  SYN_RECV: 'warn',
  FIN_WAIT1: 'warn',
  FIN_WAIT2: 'muted',
  CLOSE_WAIT: 'warn',
  LAST_ACK: 'warn',
  CLOSING: 'warn',
  TIME_WAIT: 'muted',
  CLOSE: 'muted',
  UNCONN: 'muted',
};

function dash() {
  return <span class="muted">—</span>;
}

function ownersTitle(s: SocketItem): string {
  const owners = (s.owners ?? []).map((o) => `${o.comm} (pid ${o.pid})`);
  const lines = owners.length > 0 ? owners : ['no process holds this socket'];
  lines.push(`uid ${s.uid} · inode ${s.inode} · cookie ${socketCookie(s)}`);
  return lines.join('\n');
}

function tcpTitle(t: SocketTcpInfo): string {
  const pacing = t.pacing_rate === null ? 'unlimited' : t.pacing_rate === undefined ? '—' : formatBitRate(t.pacing_rate);
  const lines = [
    `${formatCount(t.bytes_acked)} bytes acked, ${formatCount(t.bytes_received)} received`,
    `pacing ${pacing}`,
  ];
  if (t.snd_mss) lines.push(`mss ${t.snd_mss} · rcv_space ${formatCount(t.rcv_space ?? 0)}`);
  if (t.rto_us) lines.push(`rto ${(t.rto_us / 1000).toFixed(0)} ms · unacked ${t.unacked ?? 0} · lost ${t.lost ?? 0}`);
  return lines.join('\n');
}

function queueCell(n: number) {
  return n > 0 ? <span class="hot">{formatCount(n)}</span> : <span class="muted">0</span>;
}

const COLUMNS: Column<Row>[] = [
  {
    id: 'proto',
    label: 'Proto',
    width: '58px',
    render: (r) => `${r.s.proto}${r.s.family === 6 ? '6' : ''}`,
    cellClass: 'mono',
  },
  {
    id: 'state',
    label: 'State',
    width: '104px',
    render: (r) => <span class={`st st--${STATE_TONE[r.s.state] ?? 'muted'}`}>{r.s.state}</span>,
    cellClass: 'mono',
  },
  {
    id: 'local',
    label: 'Local',
    width: 'minmax(150px, 1.3fr)',
    render: (r) => formatEndpoint(r.s.local_addr, r.s.local_port, r.s.family),
    title: (r) => formatEndpoint(r.s.local_addr, r.s.local_port, r.s.family),
    cellClass: 'mono',
  },
  {
    id: 'peer',
    label: 'Peer',
    width: 'minmax(150px, 1.3fr)',
    render: (r) => formatEndpoint(r.s.remote_addr, r.s.remote_port, r.s.family),
    title: (r) => formatEndpoint(r.s.remote_addr, r.s.remote_port, r.s.family),
    cellClass: 'mono',
  },
  {
    id: 'process',
    label: 'Process',
    width: 'minmax(110px, 1fr)',
    render: (r) => ownersLabel(r.s) || dash(),
    title: (r) => ownersTitle(r.s),
    cellClass: 'mono',
  },
  {
    id: 'recvq',
    label: 'Recv-Q',
    hint: 'Bytes not yet read by the application (LISTEN: accept queue length)',
    width: '68px',
    align: 'right',
    render: (r) => queueCell(r.s.rx_queue),
    cellClass: 'mono',
  },
  {
    id: 'sendq',
    label: 'Send-Q',
    hint: 'Bytes not yet acknowledged by the peer (LISTEN: accept queue limit)',
    width: '68px',
    align: 'right',
    render: (r) => queueCell(r.s.tx_queue),
    cellClass: 'mono',
  },
  {
    id: 'rtt',
    label: 'RTT ms',
    hint: 'Smoothed round-trip time (tcp_info srtt)',
    width: '72px',
    align: 'right',
    render: (r) => formatRtt(r.s) || dash(),
    title: (r) => (r.s.tcp ? `srtt ${r.s.tcp.srtt_us} µs, rttvar ${r.s.tcp.rttvar_us} µs` : undefined),
    cellClass: 'mono',
  },
  {
    id: 'cwnd',
    label: 'Cwnd',
    hint: 'Congestion window, segments',
    width: '58px',
    align: 'right',
    render: (r) => (r.s.tcp ? formatCount(r.s.tcp.snd_cwnd) : dash()),
    title: (r) => (r.s.congestion ? `congestion control: ${r.s.congestion}` : undefined),
    cellClass: 'mono',
  },
  {
    id: 'retrans',
    label: 'Retrans',
    hint: 'Total retransmitted segments',
    width: '76px',
    align: 'right',
    render: (r) =>
      r.s.tcp ? (r.s.tcp.total_retrans > 0 ? <span class="hot">{formatCount(r.s.tcp.total_retrans)}</span> : '0') : dash(),
    title: (r) => (r.s.tcp ? `${r.s.tcp.retransmits} unrecovered now, ${r.s.tcp.total_retrans} in total` : undefined),
    cellClass: 'mono',
  },
  {
    id: 'rate',
    label: 'Delivery',
    hint: 'Delivery rate (tcp_info), bits per second',
    width: '98px',
    align: 'right',
    render: (r) => (r.s.tcp ? formatBitRate(r.s.tcp.delivery_rate) : dash()),
    title: (r) => (r.s.tcp ? tcpTitle(r.s.tcp) : undefined),
    cellClass: 'mono',
  },
];

const MIN_WIDTH = 1020;

function StateChanges({ items, error }: { items: SocketStateChange[]; error: string | null }) {
  return (
    <section aria-label="Recent socket state changes" data-testid="sockets-changes">
      <h3 class="subhead" style={{ marginTop: '14px' }}>
        Recent state changes <span class="small">last {RECENT_STATE_CHANGES}, live</span>
      </h3>
      {error && <p class="muted small">State changes unavailable: {error}</p>}
      {items.length === 0 ? (
        !error && <p class="empty">No socket has changed state since this page opened.</p>
      ) : (
        <div class="table-wrap" style={{ maxHeight: '260px', overflowY: 'auto' }}>
          <table class="table" data-testid="sockets-changes-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Proto</th>
                <th scope="col">Local</th>
                <th scope="col">Peer</th>
                <th scope="col">Change</th>
                <th scope="col">Process</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-testid="sockets-change">
                  <td class="mono nowrap" title={c.time}>
                    {stateChangeClock(c)}
                  </td>
                  <td class="mono">{`${c.proto}${c.family === 6 ? '6' : ''}`}</td>
                  <td class="mono">{formatEndpoint(c.local_addr, c.local_port, c.family)}</td>
                  <td class="mono">{formatEndpoint(c.remote_addr, c.remote_port, c.family)}</td>
                  <td class="mono nowrap" title={`netns ${c.netns} · cookie ${socketCookie(c)}`}>
                    <span class={`st st--${STATE_TONE[c.old_state] ?? 'muted'}`}>{c.old_state}</span>
                    {' → '}
                    <span class={`st st--${STATE_TONE[c.new_state] ?? 'muted'}`}>{c.new_state}</span>
                  </td>
                  <td class="mono" title={stateChangeLabel(c)}>
                    {stateChangeProcess(c) || dash()}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The latest state changes: the daemon's recent list once, then every "sockets.state" frame.
 * `onChange` runs for each frame (the table reloads soon after).
 */
function useStateChanges(onChange: () => void): { items: SocketStateChange[]; error: string | null } {
  const api = useApi();
  const bus = useStreamBus();
  const [items, setItems] = useState<SocketStateChange[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    api
      .get<{ items?: unknown[] }>(`/api/v1/sockets/events?limit=${RECENT_STATE_CHANGES}`)
      .then((r) => {
        const got = (Array.isArray(r.items) ? r.items : []).map(asStateChange).filter((c) => c !== null);
        if (alive) setItems((cur) => mergeStateChanges(cur, got));
      })
      .catch((e: unknown) => {
        if (alive && !isUnauthorized(e)) setError(describeError(e));
      });
    const off = bus.on('sockets.state', (m) => {
      const c = asStateChange(m.data);
      if (!c) return;
      setItems((cur) => mergeStateChanges(cur, [c]));
      onChange();
    });
    return () => {
      alive = false;
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, bus]);
  return { items, error };
}

interface Props {
  selected: string | null;
  onSelect: (s: SocketItem) => void;
}

export function SocketsPanel({ selected, onSelect }: Props) {
  const api = useApi();
  const [proto, setProto] = useState('');
  const [state, setState] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState | null>(null);
  // Bumped shortly after a state change: usePoll reloads at once when its deps change.
  const [reload, setReload] = useState(0);
  const scheduler = useMemo(() => new RefreshScheduler(() => setReload((n) => n + 1), STATE_CHANGE_REFRESH_MS), []);
  useEffect(() => () => scheduler.cancel(), [scheduler]);
  const changes = useStateChanges(() => scheduler.request());
  const poll = usePoll(() => api.sockets(proto || undefined), SOCKETS_REFRESH_MS, [api, proto, reload]);

  const items = poll.data && Array.isArray(poll.data.items) ? poll.data.items : null;

  // Keys are the socket cookies; duplicates (never expected) get a suffix so rows stay distinct.
  const indexed = useMemo<Row[]>(() => {
    if (!items) return [];
    const seen = new Map<string, number>();
    return items.map((s) => {
      const base = socketCookie(s);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return { key: n === 0 ? base : `${base}#${n}`, s, text: socketSearchText(s) };
    });
  }, [items]);

  const states = useMemo(() => {
    const set = new Set(indexed.map((r) => r.s.state));
    if (state) set.add(state);
    return [...set].sort();
  }, [indexed, state]);

  const rows = useMemo(() => {
    const f = { proto, state, terms: filterTerms(query) };
    const kept = indexed.filter((r) => socketMatches(r.s, r.text, f));
    return sort ? sortRows(kept, (r) => socketSortValue(r.s, sort.column), sort.dir) : kept;
  }, [indexed, proto, state, query, sort]);

  const total = items ? items.length : 0;

  return (
    <Panel
      title="Sockets"
      testid="sockets-panel"
      aside={
        <span class="muted small" data-testid="sockets-count">
          {items ? `${formatCount(rows.length)} of ${formatCount(total)}` : '…'} · refreshed every {SOCKETS_REFRESH_MS / 1000} s
        </span>
      }
    >
      <div class="toolbar" role="search">
        <input
          class="input input--grow"
          type="search"
          placeholder="Filter: address, port, process, state…"
          aria-label="Filter sockets"
          data-testid="sockets-filter"
          value={query}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        />
        <select
          class="input"
          aria-label="Protocol"
          data-testid="sockets-proto"
          value={proto}
          onChange={(e) => setProto((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">all protocols</option>
          {PROTOS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <select
          class="input"
          aria-label="State"
          data-testid="sockets-state"
          value={state}
          onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">all states</option>
          {states.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {poll.error && <ErrorNote context="Sockets" message={poll.error} />}
      {items ? (
        <VirtualTable
          columns={COLUMNS}
          rows={rows}
          rowKey={(r) => r.key}
          height={fitHeight(rows.length, DEFAULT_ROW_HEIGHT, DEFAULT_ROW_HEIGHT + 2, TABLE_HEIGHT)}
          minWidth={MIN_WIDTH}
          selectedKey={selected}
          onSelect={(r) => onSelect(r.s)}
          sort={sort}
          onSort={(c) => setSort((cur) => nextSort(cur, c))}
          label="Sockets"
          testid="sockets-table"
          empty={<p class="empty">{total === 0 ? 'No sockets.' : 'No socket matches the filter.'}</p>}
        />
      ) : (
        !poll.error && <p class="empty">Loading…</p>
      )}
      <StateChanges items={changes.items} error={changes.error} />
    </Panel>
  );
}
