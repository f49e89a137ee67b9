// The Analyzer's time-series charts: throughput per layer, latency percentiles per layer pair,
// drop ratio and drops by reason. Each line is the stored history (GET /series) merged with the
// points of the live snapshots received since the page opened.
import { DIRS, LAYERS, type DirName, type LayerPair, type Point } from '../../api/analyzer';
import { type ChartSeries, TimeChart } from '../../components/TimeChart';
import { LAYER_COLORS, PERCENTILE_COLORS, SERIES_COLORS } from '../../lib/analyzer/colors';
import { DROP_RATIO_METRIC, LiveSeries, PERCENTILES, latencyMetric, mergeSeries, pairId, reasonMetric, volumeMetric } from '../../lib/analyzer/series';
import { formatBits, formatNsShort, formatPercent, formatPerSecond } from '../../lib/analyzer/units';
import type { SeriesState } from '../../state/useAnalyzerSeries';

interface Props {
  pairs: readonly LayerPair[];
  reasons: readonly string[];
  live: LiveSeries;
  history: SeriesState;
  fromMs: number;
  toMs: number;
}

export function AnalyzerCharts({ pairs, reasons, live, history, fromMs, toMs }: Props) {
  const merged = (metric: string): Point[] => mergeSeries(history.history.get(metric)?.points ?? [], live.get(metric), fromMs);
  let resolution = 1;
  for (const h of history.history.values()) resolution = Math.max(resolution, h.resolution_s);
  const gapMs = Math.max(3 * resolution * 1000, 5000);
  const common = { fromMs, toMs, gapMs };

  const throughput = (dir: DirName): ChartSeries[] =>
    LAYERS.map((layer) => ({ id: layer, label: layer, color: LAYER_COLORS[layer]!, points: merged(volumeMetric(layer, dir, 'bps')) }));
  const drops: ChartSeries[] = reasons.map((r, i) => ({
    id: r,
    label: r,
    color: SERIES_COLORS[(i + 3) % SERIES_COLORS.length]!,
    points: merged(reasonMetric(r)),
  }));

  return (
    <div class="charts">
      <div class="charts__group">
        <div class="charts__bar">
          <h3>Throughput per layer</h3>
        </div>
        <div class="charts__grid">
          {DIRS.map((dir) => (
            <TimeChart
              key={dir}
              title={`${dir === 'rx' ? 'Receive' : 'Transmit'} (bit/s)`}
              series={throughput(dir)}
              format={formatBits}
              testid={`chart-throughput-${dir}`}
              {...common}
            />
          ))}
        </div>
      </div>

      <div class="charts__group">
        <div class="charts__bar">
          <h3>Latency between layers (p50 / p90 / p99)</h3>
        </div>
        {pairs.length === 0 ? (
          <p class="empty">The kernel reports no layer pairs yet.</p>
        ) : (
          <div class="charts__grid">
            {pairs.map((p) => (
              <TimeChart
                key={pairId(p)}
                title={`${p.dir} ${p.from === p.to ? `${p.from} (queue + driver)` : `${p.from} → ${p.to}`}`}
                series={PERCENTILES.map((q) => ({ id: q, label: q, color: PERCENTILE_COLORS[q]!, points: merged(latencyMetric(p, q)) }))}
                format={formatNsShort}
                testid={`chart-latency-${pairId(p)}`}
                empty="No latency samples in this range."
                {...common}
              />
            ))}
          </div>
        )}
      </div>

      <div class="charts__group">
        <div class="charts__bar">
          <h3>Loss</h3>
        </div>
        <div class="charts__grid">
          <TimeChart
            title="Drop ratio (drops / link-layer packets)"
            series={[{ id: 'ratio', label: 'drop ratio', color: '#e5484d', points: merged(DROP_RATIO_METRIC) }]}
            format={formatPercent}
            testid="chart-drop-ratio"
            {...common}
          />
          <TimeChart
            title="Drops by reason (/s)"
            series={drops}
            format={formatPerSecond}
            testid="chart-drop-reasons"
            empty="No drops in this range."
            {...common}
          />
        </div>
      </div>
    </div>
  );
}
