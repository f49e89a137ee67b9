// A small SVG line chart over wall-clock time: y from 0 with "nice" ticks, time ticks, one line
// per series (broken where data is missing), a legend with each series' latest value, and a
// hover cursor that shows the values at that time. Scales uniformly with its container width.
import { useMemo, useState } from 'preact/hooks';
import type { Point } from '../api/analyzer';
import { decimate, formatTick, linePath, linear, maxValue, niceTicks, timeTicks } from '../lib/analyzer/scale';

export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  points: Point[];
  dashed?: boolean;
}

interface Props {
  series: ChartSeries[];
  fromMs: number;
  toMs: number;
  format: (v: number) => string;
  /** a longer gap between two points breaks the line */
  gapMs: number;
  testid?: string;
  title: string;
  empty?: string;
}

const W = 560;
const H = 190;
const M = { left: 74, right: 12, top: 10, bottom: 24 };

function nearest(points: readonly Point[], t: number, maxDist: number): Point | null {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  const cands = [points[lo - 1], points[lo]].filter((p): p is Point => p !== undefined);
  let best: Point | null = null;
  for (const p of cands) if (Math.abs(p[0] - t) <= maxDist && (!best || Math.abs(p[0] - t) < Math.abs(best[0] - t))) best = p;
  return best;
}

export function TimeChart({ series, fromMs, toMs, format, gapMs, testid, title, empty }: Props) {
  const [hoverT, setHoverT] = useState<number | null>(null);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const geo = useMemo(() => {
    const visible = series.map((s) => s.points.filter((p) => p[0] >= fromMs && p[0] <= toMs));
    const ticks = niceTicks(maxValue(visible, fromMs, toMs), 4);
    const x = linear(fromMs, toMs, M.left, M.left + plotW);
    const y = linear(0, ticks.max, M.top + plotH, M.top);
    const lines = visible.map((pts) => {
      const drawn = decimate(pts, fromMs, toMs, Math.round(plotW));
      return { d: linePath(drawn, x, y, gapMs), n: pts.length, single: pts.length === 1 ? pts[0]! : null };
    });
    const tt = timeTicks(fromMs, toMs, 5);
    const step = tt.length > 1 ? tt[1]! - tt[0]! : toMs - fromMs;
    return { ticks, x, y, lines, tt, step, visible };
  }, [series, fromMs, toMs, gapMs, plotW, plotH]);

  const total = geo.lines.reduce((n, l) => n + l.n, 0);
  const onMove = (e: MouseEvent) => {
    const svg = e.currentTarget as SVGSVGElement;
    const r = svg.getBoundingClientRect();
    if (r.width === 0) return;
    const vx = ((e.clientX - r.left) / r.width) * W;
    if (vx < M.left || vx > W - M.right) return setHoverT(null);
    setHoverT(fromMs + ((vx - M.left) / plotW) * (toMs - fromMs));
  };
  const maxDist = Math.max(gapMs, (toMs - fromMs) / plotW);
  const hoverX = hoverT === null ? null : geo.x(hoverT);

  return (
    <figure class="chart" data-testid={testid} data-points={total}>
      <figcaption class="chart__title">{title}</figcaption>
      <svg
        class="chart__svg"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={title}
        onMouseMove={onMove}
        onMouseLeave={() => setHoverT(null)}
      >
        {geo.ticks.values.map((v) => (
          <g key={`y${v}`}>
            <line class="chart__grid" x1={M.left} x2={W - M.right} y1={geo.y(v)} y2={geo.y(v)} />
            <text class="chart__axis" x={M.left - 6} y={geo.y(v) + 3.5} text-anchor="end">
              {format(v)}
            </text>
          </g>
        ))}
        {geo.tt.map((t) => (
          <text key={`x${t}`} class="chart__axis" x={geo.x(t)} y={H - 6} text-anchor="middle">
            {formatTick(t, geo.step)}
          </text>
        ))}
        {geo.lines.map((l, i) => {
          const s = series[i]!;
          if (l.single) return <circle key={s.id} cx={geo.x(l.single[0])} cy={geo.y(l.single[1])} r={2.5} fill={s.color} />;
          return (
            <path key={s.id} class="chart__line" d={l.d} stroke={s.color} stroke-dasharray={s.dashed ? '5 4' : undefined} data-series={s.id} />
          );
        })}
        {hoverX !== null && <line class="chart__cursor" x1={hoverX} x2={hoverX} y1={M.top} y2={M.top + plotH} />}
      </svg>
      {total === 0 && <p class="chart__empty">{empty ?? 'No data in this range yet.'}</p>}
      <ul class="chart__legend">
        {series.map((s, i) => {
          const pts = geo.visible[i]!;
          const p = hoverT === null ? pts[pts.length - 1] : nearest(pts, hoverT, maxDist);
          return (
            <li key={s.id}>
              <span class={`chart__swatch${s.dashed ? ' chart__swatch--dashed' : ''}`} style={{ background: s.color, borderColor: s.color }} />
              <span class="chart__label">{s.label}</span>
              <span class="chart__value mono">{p ? format(p[1]) : '—'}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
