// Analyzer dashboard (docs/analyzer.md): live per-layer rates, the layer diagram coloured by
// latency, time-series charts (stored history + live points), drops by reason, top flows and
// a flow drill-down. Snapshots come from the "analyzer.snapshot" stream frames, with REST as the
// fallback; a disabled or failed analyzer shows the daemon's reason (the 503 body).
import { useCallback, useMemo, useState } from 'preact/hooks';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { StateBadge } from '../../components/StateBadge';
import { DROP_RATIO_METRIC, PERCENTILES, latencyMetric, reasonMetric, snapshotTime, volumeMetric } from '../../lib/analyzer/series';
import { LAYERS, DIRS, type Snapshot } from '../../api/analyzer';
import { useApi, useHealth, useStreamBus } from '../../state/contexts';
import { RETRY_UNAVAILABLE_MS, useAnalyzerLive, type AnalyzerLive } from '../../state/useAnalyzer';
import { useAnalyzerMetrics, useAnalyzerSeries } from '../../state/useAnalyzerSeries';
import { AnalyzerCharts } from './AnalyzerCharts';
import { DropReasons } from './DropReasons';
import { FlowDetail } from './FlowDetail';
import { FlowsPanel } from './FlowsPanel';
import { LayerCards } from './LayerCards';
import { LayerDiagram } from './LayerDiagram';

const RANGES = [
  { id: '5m', label: '5 min', ms: 5 * 60_000 },
  { id: '1h', label: '1 h', ms: 3600_000 },
  { id: '24h', label: '24 h', ms: 86_400_000 },
] as const;
const MAX_REASON_CHARTS = 8;

/** Metrics the charts draw: every layer's bit rate, the pairs' percentiles, loss. */
function wantedMetrics(snapshot: Snapshot | null, reasons: readonly string[]): string[] {
  const out: string[] = [];
  for (const layer of LAYERS) for (const dir of DIRS) out.push(volumeMetric(layer, dir, 'bps'));
  for (const p of snapshot?.pairs ?? []) for (const q of PERCENTILES) out.push(latencyMetric(p, q));
  out.push(DROP_RATIO_METRIC);
  for (const r of reasons) out.push(reasonMetric(r));
  return out.sort();
}

/** Drop reasons to chart: the current ones (most first), then ones only the history has; at most 8. */
function chartReasons(snapshot: Snapshot | null, available: Set<string> | null): string[] {
  const names = (snapshot?.loss?.by_reason ?? []).map((r) => r.reason);
  for (const m of available ?? []) {
    const r = /^loss\.reason\.(.+)\.per_s$/.exec(m)?.[1];
    if (r && !names.includes(r)) names.push(r);
  }
  // Alphabetical, so a reason keeps its colour when the ranking changes.
  return names.slice(0, MAX_REASON_CHARTS).sort();
}

function sourceLabel(a: AnalyzerLive): string {
  if (!a.snapshot) return 'waiting for the first snapshot';
  const at = new Date(snapshotTime(a.snapshot)).toLocaleTimeString();
  return a.source === 'stream' ? `live stream · ${at}` : `polling (stream silent) · ${at}`;
}

export function AnalyzerPage() {
  const api = useApi();
  const bus = useStreamBus();
  const health = useHealth();
  const module = health.data?.modules?.find((m) => m.name === 'analyzer') ?? null;
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  const [flowKey, setFlowKey] = useState<string | null>(null);
  const closeFlow = useCallback(() => setFlowKey(null), []);
  const live = useAnalyzerLive(api, bus, range.ms);
  const snapshot = live.snapshot;
  const ready = snapshot !== null;

  // The stored-metrics list decides which reasons exist; reasons and pairs decide what to load.
  const metrics = useAnalyzerMetrics(api, range.ms, ready);
  const available = metrics.available;
  const reasonsKey = chartReasons(snapshot, available).join('\n');
  const reasons = useMemo(() => (reasonsKey === '' ? [] : reasonsKey.split('\n')), [reasonsKey]);
  const pairsKey = (snapshot?.pairs ?? []).map((p) => `${p.dir}.${p.from}.${p.to}`).join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const wanted = useMemo(() => wantedMetrics(snapshot, reasons), [pairsKey, reasons]);
  const history = useAnalyzerSeries(api, wanted, available, range.ms);
  const historyError = metrics.error ?? history.error;

  const toMs = snapshot ? Math.max(Date.now(), snapshotTime(snapshot)) : Date.now();
  const fromMs = toMs - range.ms;

  return (
    <div class="page analyzer">
      <header class="page__head">
        <h1>Analyzer</h1>
        <p class="page__sub">
          Per-layer and cross-layer statistics of the network stack {module && <StateBadge state={module.state} />}
          {module?.detail && <span class="muted"> {module.detail}</span>}
        </p>
      </header>

      {!ready && (
        <Panel title="Analyzer" testid="analyzer-status">
          {live.error ? (
            <div class="module" data-testid="analyzer-unavailable">
              <ErrorNote context={live.errorStatus === 503 ? 'Analyzer unavailable' : 'Analyzer'} message={live.error} />
              {live.errorStatus === 503 && (
                <p class="module__explain">
                  The daemon runs without the analyzer. Enable it in the configuration (see docs/analyzer.md) and restart the daemon; this page asks again every{' '}
                  {RETRY_UNAVAILABLE_MS / 1000} s.
                </p>
              )}
            </div>
          ) : (
            <p class="empty" data-testid="analyzer-loading">
              Waiting for the first snapshot (the analyzer reports once a second)…
            </p>
          )}
        </Panel>
      )}

      {snapshot && (
        <>
          {live.error && <ErrorNote context="Analyzer" message={`${live.error} (showing the last snapshot)`} />}
          <Panel
            title="Layers"
            testid="analyzer-layers"
            aside={
              <span class="muted small" data-testid="analyzer-source" data-source={live.source ?? ''} data-time={snapshotTime(snapshot)}>
                {sourceLabel(live)}
              </span>
            }
          >
            <LayerCards snapshot={snapshot} />
            <LayerDiagram snapshot={snapshot} />
          </Panel>

          <Panel
            title="History"
            testid="analyzer-charts"
            aside={
              <div class="seg" role="group" aria-label="Time range">
                {RANGES.map((r) => (
                  <button
                    key={r.id}
                    type="button"
                    class={`seg__btn${r.id === range.id ? ' is-active' : ''}`}
                    aria-pressed={r.id === range.id}
                    onClick={() => setRange(r)}
                    data-testid={`range-${r.id}`}
                  >
                    {r.label}
                  </button>
                ))}
              </div>
            }
          >
            {historyError && <ErrorNote message={historyError} />}
            {history.loading && available && <p class="muted small" data-testid="history-loading">Loading stored history…</p>}
            <AnalyzerCharts pairs={snapshot.pairs ?? []} reasons={reasons} live={live.series} history={history} fromMs={fromMs} toMs={toMs} />
          </Panel>

          <Panel title="Drops by reason" testid="drop-reasons-panel">
            <DropReasons loss={snapshot.loss} />
          </Panel>

          <FlowsPanel liveFlows={snapshot.flows ?? []} selected={flowKey} onSelect={setFlowKey} />

          {flowKey !== null && <FlowDetail key={flowKey} flowKey={flowKey} snapshot={snapshot} fromMs={fromMs} toMs={toMs} onClose={closeFlow} />}
        </>
      )}
    </div>
  );
}
