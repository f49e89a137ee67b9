// The four layers as boxes with an arrow per measured layer pair, coloured by its p99 latency on
// a log scale (legend below), labelled with p50 / p99 and transitions per second. Pairs the
// kernel does not measure are not drawn (docs/analyzer.md: they are not invented).
import type { Snapshot } from '../../api/analyzer';
import { latencyColor, latencyLegend } from '../../lib/analyzer/colors';
import { BOX_H, BOX_X0, BOX_X1, DIAGRAM_H, DIAGRAM_LAYERS, DIAGRAM_W, layerY, layoutArrows } from '../../lib/analyzer/diagram';
import { pairId } from '../../lib/analyzer/series';
import { formatNsShort, formatPerSecond } from '../../lib/analyzer/units';

const LEGEND_W = 290;
const LEGEND_PAD = 22;

export function LayerDiagram({ snapshot }: { snapshot: Snapshot }) {
  const arrows = layoutArrows(snapshot.pairs ?? []);
  const legend = latencyLegend();
  return (
    <div class="diagram" data-testid="layer-diagram">
      <svg class="diagram__svg" viewBox={`0 0 ${DIAGRAM_W} ${DIAGRAM_H}`} role="img" aria-label="Layer diagram with latency between layers">
        <text class="diagram__side" x={BOX_X0 - 14} y={18} text-anchor="end">
          receive ↑
        </text>
        <text class="diagram__side" x={BOX_X1 + 14} y={18}>
          transmit ↓
        </text>
        {DIAGRAM_LAYERS.map((layer) => {
          const y = layerY(layer);
          const v = snapshot.volume?.[layer];
          return (
            <g key={layer} data-testid={`diagram-layer-${layer}`}>
              <rect class="diagram__box" x={BOX_X0} y={y - BOX_H / 2} width={BOX_X1 - BOX_X0} height={BOX_H} rx={6} />
              <text class="diagram__layer" x={(BOX_X0 + BOX_X1) / 2} y={y - 4} text-anchor="middle">
                {layer}
              </text>
              <text class="diagram__rates" x={(BOX_X0 + BOX_X1) / 2} y={y + 13} text-anchor="middle">
                {`rx ${formatPerSecond(v?.rx?.pps)} · tx ${formatPerSecond(v?.tx?.pps)} pps`}
              </text>
            </g>
          );
        })}
        {arrows.map((a) => {
          const lat = a.pair.latency;
          const measured = lat?.count > 0;
          const color = measured ? latencyColor(lat.p99_ns) : null;
          return (
            <g
              key={pairId(a.pair)}
              class={`diagram__arrow${measured ? '' : ' is-idle'}`}
              data-testid="diagram-arrow"
              data-pair={pairId(a.pair)}
              data-p99={measured ? lat.p99_ns : ''}
              style={color ? { color } : undefined}
            >
              <title>{`${a.pair.dir} ${a.pair.from} → ${a.pair.to}: p50 ${formatNsShort(lat?.p50_ns)}, p90 ${formatNsShort(lat?.p90_ns)}, p99 ${formatNsShort(lat?.p99_ns)}, max ${formatNsShort(lat?.max_ns)}, ${lat?.count ?? 0} samples`}</title>
              <line class="diagram__leader" x1={a.lx + (a.anchor === 'end' ? 4 : -4)} y1={a.ly} x2={a.mx} y2={a.my} />
              <path d={a.d} class="diagram__curve" />
              <polygon points={a.head} class="diagram__head" />
              <text class="diagram__label" x={a.lx} y={a.ly - 3} text-anchor={a.anchor}>
                {measured ? `p50 ${formatNsShort(lat.p50_ns)} · p99 ${formatNsShort(lat.p99_ns)}` : 'no samples'}
              </text>
              <text class="diagram__label diagram__label--sub" x={a.lx} y={a.ly + 11} text-anchor={a.anchor}>
                {`${a.pair.from === a.pair.to ? `${a.pair.from} queue` : `${a.pair.from} → ${a.pair.to}`} · ${formatPerSecond(a.pair.transitions_per_s)}/s`}
              </text>
            </g>
          );
        })}
      </svg>
      <div class="diagram__legend" aria-label="p99 latency colour scale">
        <span class="muted small">p99</span>
        <svg width={LEGEND_W} height={26} viewBox={`0 0 ${LEGEND_W} 26`}>
          <defs>
            <linearGradient id="latency-scale" x1="0" x2="1" y1="0" y2="0">
              {legend.map((s) => (
                <stop key={s.ns} offset={s.offset} stop-color={s.color} />
              ))}
            </linearGradient>
          </defs>
          <rect x={LEGEND_PAD} y={2} width={LEGEND_W - 2 * LEGEND_PAD} height={8} rx={3} fill="url(#latency-scale)" />
          {legend.map((s) => (
            <text key={s.ns} class="chart__axis" x={LEGEND_PAD + s.offset * (LEGEND_W - 2 * LEGEND_PAD)} y={23} text-anchor="middle">
              {formatNsShort(s.ns)}
            </text>
          ))}
        </svg>
        <span class="diagram__idle-swatch" /> <span class="muted small">no samples</span>
        {snapshot.latency_sample > 1 && <span class="muted small">· 1 in {snapshot.latency_sample} packets timed</span>}
      </div>
    </div>
  );
}
