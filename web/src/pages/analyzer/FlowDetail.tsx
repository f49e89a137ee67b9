// One flow's drill-down: its figures from the live snapshots (it is in the stream's top 20) or
// from GET /analyzer/flows/{key} every 2 s (it is not), and its series from that route, extended
// with the live snapshots' values.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, isUnauthorized } from '../../api/client';
import type { Flow, FlowDetail as FlowDetailBody, Point, Snapshot } from '../../api/analyzer';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { TimeChart } from '../../components/TimeChart';
import { endpoint } from '../../lib/analyzer/flows';
import { LIVE_MAX_POINTS, mergeSeries, snapshotTime } from '../../lib/analyzer/series';
import { formatBits, formatNsShort, formatPerSecond, formatUs } from '../../lib/analyzer/units';
import { formatCount } from '../../lib/format';
import { useApi } from '../../state/contexts';

const REFRESH_MS = 2000;
type Key = 'rx_bps' | 'tx_bps' | 'srtt_us';

interface Props {
  flowKey: string;
  snapshot: Snapshot | null;
  fromMs: number;
  toMs: number;
  onClose: () => void;
}

export function FlowDetail({ flowKey, snapshot, fromMs, toMs, onClose }: Props) {
  const api = useApi();
  const [body, setBody] = useState<FlowDetailBody | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useRef<Record<Key, Point[]>>({ rx_bps: [], tx_bps: [], srtt_us: [] });
  const liveFlow = snapshot?.flows?.find((f) => f.key === flowKey) ?? null;
  const inStream = liveFlow !== null;

  const inStreamRef = useRef(inStream);
  inStreamRef.current = inStream;

  // Series (and the figures while the flow is outside the stream's top flows) from the route:
  // once on selection, then every 2 s while the stream does not carry the flow.
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let gone = false;
    live.current = { rx_bps: [], tx_bps: [], srtt_us: [] };
    const load = async (first: boolean) => {
      if (first || !inStreamRef.current) {
        try {
          const b = await api.analyzerFlow(flowKey);
          if (!alive) return;
          setBody(b);
          setError(null);
        } catch (e) {
          if (!alive || isUnauthorized(e)) return;
          gone = e instanceof ApiError && e.status === 404;
          // The daemon keeps only its current top flows: say that, with its own words.
          setError(gone ? `Not tracked any more: ${(e as ApiError).message}` : describeError(e));
          if (first) setBody(null);
        }
      }
      // A flow the daemon does not know stays unknown: no 404 every 2 s.
      if (alive && !gone) timer = setTimeout(() => void load(false), REFRESH_MS);
    };
    void load(true);
    return () => {
      alive = false;
      if (timer !== null) clearTimeout(timer);
    };
  }, [api, flowKey]);

  // Each snapshot that has the flow adds a point to its series.
  useEffect(() => {
    if (!snapshot || !liveFlow) return;
    const t = snapshotTime(snapshot);
    const add = (k: Key, v: number) => {
      const pts = live.current[k];
      if (pts.length === 0 || pts[pts.length - 1]![0] < t) pts.push([t, v]);
      if (pts.length > LIVE_MAX_POINTS) pts.splice(0, pts.length - LIVE_MAX_POINTS);
    };
    add('rx_bps', liveFlow.rx?.bps ?? 0);
    add('tx_bps', liveFlow.tx?.bps ?? 0);
    if (liveFlow.srtt_us > 0) add('srtt_us', liveFlow.srtt_us);
  }, [snapshot, liveFlow]);

  const flow: Flow | null = liveFlow ?? body?.flow ?? null;
  const series = (k: Key) => mergeSeries(Array.isArray(body?.series?.[k]) ? body!.series[k]! : [], live.current[k], fromMs);
  const title = flow ? `${flow.protocol} ${endpoint(flow.local, flow.lport)} ↔ ${endpoint(flow.remote, flow.rport)}` : flowKey;

  return (
    <Panel
      title="Flow"
      testid="flow-detail"
      aside={
        <>
          <span class="muted small" data-testid="flow-source">
            {inStream ? 'live stream' : `refreshed every ${REFRESH_MS / 1000} s`}
          </span>
          <button type="button" class="btn btn--small" onClick={onClose} data-testid="flow-close">
            Close
          </button>
        </>
      }
    >
      <p class="flow__title mono" data-testid="flow-title">
        {title}
      </p>
      {error && <ErrorNote context="Flow" message={error} />}
      {!flow && !error && <p class="empty">Loading…</p>}
      {flow && (
        <>
          <div class="flow__figures" data-testid="flow-figures">
            <Figure label="rx" value={`${formatPerSecond(flow.rx?.pps)} pps · ${formatBits(flow.rx?.bps)}`} id="rx" />
            <Figure label="tx" value={`${formatPerSecond(flow.tx?.pps)} pps · ${formatBits(flow.tx?.bps)}`} id="tx" />
            <Figure label="srtt" value={flow.srtt_us ? formatUs(flow.srtt_us) : '—'} id="srtt" />
            <Figure label="cwnd" value={flow.cwnd ? `${formatCount(flow.cwnd)} segments` : '—'} id="cwnd" />
            <Figure label="drops" value={formatCount(flow.drops)} id="drops" />
            <Figure label="retransmits" value={formatCount(flow.retransmits)} id="retransmits" />
            <Figure label="RST sent / received" value={`${formatCount(flow.rst_sent)} / ${formatCount(flow.rst_received)}`} id="rst" />
            <Figure label="latency avg / max" value={`${formatNsShort(flow.latency_avg_ns)} / ${formatNsShort(flow.latency_max_ns)}`} id="latency" />
          </div>
          <p class="muted small">
            {flow.comm ? `${flow.comm} (pid ${flow.pid})` : 'process unknown'} · netns {flow.netns}
            {flow.cookie ? ` · socket cookie ${flow.cookie}` : ''} · <span class="mono">{flow.key}</span>
          </p>
          <div class="charts__grid">
            <TimeChart
              title="Flow throughput (bit/s)"
              series={[
                { id: 'rx', label: 'rx', color: '#3b9eff', points: series('rx_bps') },
                { id: 'tx', label: 'tx', color: '#f5a524', points: series('tx_bps') },
              ]}
              format={formatBits}
              fromMs={fromMs}
              toMs={toMs}
              gapMs={5000}
              testid="chart-flow-throughput"
            />
            <TimeChart
              title="Smoothed RTT"
              series={[{ id: 'srtt', label: 'srtt', color: '#a879ff', points: series('srtt_us') }]}
              format={formatUs}
              fromMs={fromMs}
              toMs={toMs}
              gapMs={5000}
              testid="chart-flow-srtt"
              empty="No RTT samples (TCP only)."
            />
          </div>
        </>
      )}
    </Panel>
  );
}

function Figure({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="figure">
      <div class="stat__label">{label}</div>
      <div class="figure__value mono" data-testid={`flow-${id}`}>
        {value}
      </div>
    </div>
  );
}
