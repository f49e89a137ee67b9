// Top flows: GET /analyzer/flows?sort=... every 2 s (the daemon picks the top 100 by that key),
// sorted and filtered here; a click or a typed 5-tuple / socket cookie / flow key selects one.
import { useState } from 'preact/hooks';
import type { Flow, FlowSort } from '../../api/analyzer';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { endpoint, filterFlows, findFlows, flowBps, parseFlowQuery, sortFlows } from '../../lib/analyzer/flows';
import { formatBits, formatNsShort, formatUs } from '../../lib/analyzer/units';
import { formatCount } from '../../lib/format';
import type { SortDir } from '../../lib/table';
import { useApi } from '../../state/contexts';
import { usePoll } from '../../state/usePoll';

const LIMIT = 100;
const REFRESH_MS = 2000;
const SORTS: { id: FlowSort; header: string; hint: string }[] = [
  { id: 'bytes', header: 'Total', hint: 'receive + transmit bit rate over the last interval' },
  { id: 'loss', header: 'Drops / retr.', hint: 'drops + retransmits since the flow was first seen' },
  { id: 'latency', header: 'Latency', hint: 'average receive latency, link → socket' },
];

interface Props {
  /** the stream's newest top flows, searched too when picking */
  liveFlows: readonly Flow[];
  selected: string | null;
  onSelect: (key: string) => void;
}

export function FlowsPanel({ liveFlows, selected, onSelect }: Props) {
  const api = useApi();
  const [sort, setSort] = useState<{ key: FlowSort; dir: SortDir }>({ key: 'bytes', dir: 'desc' });
  const [filter, setFilter] = useState('');
  const [pick, setPick] = useState('');
  const [pickNote, setPickNote] = useState<{ error: boolean; text: string } | null>(null);
  const flows = usePoll(() => api.analyzerFlows(sort.key, LIMIT), REFRESH_MS, [api, sort.key]);
  const items = Array.isArray(flows.data?.items) ? flows.data!.items : [];
  const rows = sortFlows(filterFlows(items, filter), sort.key, sort.dir);

  const clickSort = (key: FlowSort) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'desc' ? 'asc' : 'desc' } : { key, dir: 'desc' }));

  const submitPick = (e: Event) => {
    e.preventDefault();
    const q = parseFlowQuery(pick);
    if (typeof q === 'string') return setPickNote({ error: true, text: q });
    const byKey = new Map<string, Flow>();
    for (const f of [...items, ...liveFlows]) byKey.set(f.key, f);
    const found = findFlows([...byKey.values()], q);
    if (found.length === 0) {
      // A key is asked for directly: the flow may be tracked but outside the top lists.
      if (q.kind === 'key') {
        setPickNote(null);
        return onSelect(q.key);
      }
      return setPickNote({ error: true, text: 'No flow in the table or the latest snapshot matches; try its flow key.' });
    }
    setPickNote(found.length > 1 ? { error: false, text: `${found.length} flows match; showing the busiest.` } : null);
    return onSelect(found[0]!.key);
  };

  return (
    <Panel title="Top flows" aside={
        <span class="muted small" data-testid="flows-count">
          {items.length} flows, busiest by {sort.key} (at most {LIMIT}), refreshed every {REFRESH_MS / 1000} s
        </span>
      } testid="flows-panel">
      <div class="toolbar">
        <input
          class="input input--grow"
          type="search"
          placeholder="Filter: protocol, address:port, process, netns…"
          value={filter}
          onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
          aria-label="Filter flows"
          data-testid="flows-filter"
        />
        <form class="flowpick" onSubmit={submitPick}>
          <input
            class="input mono"
            placeholder="tcp 10.0.0.1:5201 10.0.0.2:40000 · cookie · flow key"
            value={pick}
            onInput={(e) => setPick((e.currentTarget as HTMLInputElement).value)}
            aria-label="Pick a flow by 5-tuple, socket cookie or flow key"
            aria-invalid={pickNote?.error ? 'true' : undefined}
            data-testid="flow-pick"
          />
          <button type="submit" class="btn btn--small" data-testid="flow-pick-go">
            Show flow
          </button>
        </form>
      </div>
      {pickNote && (
        <p class={`note ${pickNote.error ? 'note--error' : 'note--warn'}`} data-testid="flow-pick-note">
          {pickNote.text}
        </p>
      )}
      {flows.error && <ErrorNote context="Flows" message={flows.error} />}
      {!flows.data && !flows.error ? (
        <p class="empty">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty" data-testid="flows-empty">
          {items.length === 0 ? 'No flows seen yet.' : 'No flow matches the filter.'}
        </p>
      ) : (
        <div class="table-wrap flows-wrap">
          <table class="table flows" data-testid="flows-table">
            <thead>
              <tr>
                <th scope="col">Proto</th>
                <th scope="col">Local</th>
                <th scope="col">Remote</th>
                <th scope="col">Process</th>
                <SortHeader id="bytes" sort={sort} onSort={clickSort} />
                <th scope="col" class="num">rx</th>
                <th scope="col" class="num">tx</th>
                <SortHeader id="loss" sort={sort} onSort={clickSort} />
                <th scope="col" class="num">srtt</th>
                <SortHeader id="latency" sort={sort} onSort={clickSort} />
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => (
                <tr
                  key={f.key}
                  class={`flows__row${f.key === selected ? ' is-selected' : ''}`}
                  onClick={() => onSelect(f.key)}
                  data-testid="flow-row"
                  data-key={f.key}
                  title={f.key}
                >
                  <td class="mono">{f.protocol}</td>
                  <td class="mono nowrap">{endpoint(f.local, f.lport)}</td>
                  <td class="mono nowrap">{endpoint(f.remote, f.rport)}</td>
                  <td class="nowrap">{f.comm ? `${f.comm}${f.pid ? ` (${f.pid})` : ''}` : <span class="muted">—</span>}</td>
                  <td class="mono num nowrap">{formatBits(flowBps(f))}</td>
                  <td class="mono num nowrap">{formatBits(f.rx?.bps)}</td>
                  <td class="mono num nowrap">{formatBits(f.tx?.bps)}</td>
                  <td class="mono num" title={`${f.drops} drops, ${f.retransmits} retransmits`}>
                    {formatCount(f.drops)} / {formatCount(f.retransmits)}
                  </td>
                  <td class="mono num nowrap">{f.srtt_us ? formatUs(f.srtt_us) : <span class="muted">—</span>}</td>
                  <td class="mono num nowrap">{f.latency_avg_ns ? formatNsShort(f.latency_avg_ns) : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function SortHeader({ id, sort, onSort }: { id: FlowSort; sort: { key: FlowSort; dir: SortDir }; onSort: (k: FlowSort) => void }) {
  const s = SORTS.find((x) => x.id === id)!;
  const active = sort.key === id;
  return (
    <th scope="col" class="num" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" class="sortbtn" title={`Sort by ${s.hint}`} onClick={() => onSort(id)} data-testid={`flows-sort-${id}`}>
        {s.header}
        <span class="sortbtn__mark" aria-hidden="true">
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}
