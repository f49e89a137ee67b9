// Geometry of the layer diagram: the four layers as stacked boxes (socket on top, link at the
// bottom, as in the Monitor's path view), receive pairs as arrows up the left side, transmit
// pairs down the right side, a pair inside one layer (tx link -> link: queue + driver) as a loop.
// Arrows whose layer ranges overlap get separate lanes (further out); labels sit in a column
// outside the outermost lane, spread so they never overlap, with a leader line to their arrow.
import type { LayerName, LayerPair } from '../../api/analyzer';

export const DIAGRAM_W = 780;
export const DIAGRAM_H = 360;
export const BOX_X0 = 310;
export const BOX_X1 = 470;
export const BOX_H = 46;
const ROW0_Y = 56;
const ROW_GAP = 80;
const ROWS: LayerName[] = ['socket', 'transport', 'network', 'link'];
const LANE0 = 28; // bulge of the innermost lane
const LANE_STEP = 26;
/** Vertical room one label (two text lines) needs. */
export const LABEL_GAP = 34;
const LABEL_TOP = 34;
const LABEL_BOTTOM = DIAGRAM_H - 14;

export function rowOf(layer: LayerName): number {
  const i = ROWS.indexOf(layer);
  return i < 0 ? 0 : i;
}

/** Centre y of a layer's box. */
export function layerY(layer: LayerName): number {
  return ROW0_Y + rowOf(layer) * ROW_GAP;
}

export const DIAGRAM_LAYERS = ROWS;

export interface Arrow {
  pair: LayerPair;
  side: 'left' | 'right';
  lane: number;
  /** SVG path of the arrow's body */
  d: string;
  /** arrowhead triangle, "x,y x,y x,y" */
  head: string;
  /** the arrow's outermost point, where the leader line ends */
  mx: number;
  my: number;
  /** label anchor */
  lx: number;
  ly: number;
  anchor: 'start' | 'end';
}

function pt(x: number, y: number): string {
  return `${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`;
}

/** A triangle with its tip at (x, y) pointing along (dx, dy). */
function arrowHead(x: number, y: number, dx: number, dy: number, size = 8): string {
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const bx = x - ux * size;
  const by = y - uy * size;
  return `${pt(x, y)} ${pt(bx - uy * size * 0.55, by + ux * size * 0.55)} ${pt(bx + uy * size * 0.55, by - ux * size * 0.55)}`;
}

/**
 * Lanes per side: shorter arrows first, each into the innermost lane where it overlaps no
 * arrow already there (arrows that only touch at a layer share a lane). Returns lane by index.
 */
export function assignLanes(pairs: readonly LayerPair[]): number[] {
  const lanes = new Array<number>(pairs.length).fill(0);
  const taken: { side: string; lane: number; lo: number; hi: number }[] = [];
  const order = pairs.map((p, i) => ({ p, i })).sort((a, b) => span(a.p) - span(b.p) || a.i - b.i);
  for (const { p, i } of order) {
    const side = p.dir;
    const lo = Math.min(rowOf(p.from), rowOf(p.to));
    const hi = Math.max(rowOf(p.from), rowOf(p.to));
    let lane = 0;
    // Arrows clash when their layer ranges overlap (not just touch); loops when on one layer.
    const overlaps = (t: { lo: number; hi: number }) => (lo === hi || t.lo === t.hi ? lo === hi && t.lo === t.hi && lo === t.lo : t.lo < hi && lo < t.hi);
    const clash = (l: number) => taken.some((t) => t.side === side && t.lane === l && overlaps(t));
    while (clash(lane)) lane += 1;
    taken.push({ side, lane, lo, hi });
    lanes[i] = lane;
  }
  return lanes;
}

function span(p: LayerPair): number {
  return Math.abs(rowOf(p.from) - rowOf(p.to));
}

/** Moves label centres apart to at least `gap`, keeping their order and the [lo, hi] band. */
export function spreadLabels(ys: readonly number[], gap: number, lo: number, hi: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y || a.i - b.i);
  const out = order.map((o) => Math.max(lo, Math.min(hi, o.y)));
  for (let k = 1; k < out.length; k++) out[k] = Math.max(out[k]!, out[k - 1]! + gap);
  // Pushed past the bottom: shift back up, keeping the gaps.
  if (out.length > 0 && out[out.length - 1]! > hi) {
    out[out.length - 1] = hi;
    for (let k = out.length - 2; k >= 0; k--) out[k] = Math.min(out[k]!, out[k + 1]! - gap);
  }
  const res = new Array<number>(ys.length);
  order.forEach((o, k) => (res[o.i] = out[k]!));
  return res;
}

export function layoutArrows(pairs: readonly LayerPair[]): Arrow[] {
  const lanes = assignLanes(pairs);
  const arrows: Arrow[] = pairs.map((pair, i) => {
    const lane = lanes[i]!;
    const side = pair.dir === 'rx' ? 'left' : 'right';
    const sign = side === 'left' ? -1 : 1;
    const edge = side === 'left' ? BOX_X0 : BOX_X1;
    const anchor = side === 'left' ? 'end' : 'start';
    const y0 = layerY(pair.from);
    const y1 = layerY(pair.to);
    const bulge = LANE0 + LANE_STEP * lane;
    if (y0 === y1) {
      // A loop out of the box and back into it.
      const x = edge + sign * (bulge / 0.75);
      const d = `M${pt(edge, y0 - 12)} C${pt(x, y0 - 30)} ${pt(x, y0 + 30)} ${pt(edge + sign * 2, y0 + 12)}`;
      return { pair, side, lane, d, head: arrowHead(edge, y0 + 12, -sign, 0.35), mx: edge + sign * bulge, my: y0, lx: 0, ly: y0, anchor };
    }
    // Outer lanes attach further from the neighbouring box, so arrows do not cross at the box.
    const dir = y1 < y0 ? -1 : 1;
    const ys = y0 + dir * (BOX_H / 2 - 4 - 6 * lane);
    const ye = y1 - dir * (BOX_H / 2 - 4 - 6 * lane);
    const cx = edge + sign * (bulge / 0.75); // a cubic's midpoint sits 3/4 of the way to its controls
    const d = `M${pt(edge, ys)} C${pt(cx, ys)} ${pt(cx, ye)} ${pt(edge + sign * 2, ye)}`;
    return { pair, side, lane, d, head: arrowHead(edge, ye, -sign, 0), mx: edge + sign * bulge, my: (ys + ye) / 2, lx: 0, ly: 0, anchor };
  });
  for (const side of ['left', 'right'] as const) {
    const mine = arrows.filter((a) => a.side === side);
    if (mine.length === 0) continue;
    const outer = Math.max(...mine.map((a) => LANE0 + LANE_STEP * a.lane));
    const x = side === 'left' ? BOX_X0 - outer - 14 : BOX_X1 + outer + 14;
    const ys = spreadLabels(
      mine.map((a) => a.my),
      LABEL_GAP,
      LABEL_TOP,
      LABEL_BOTTOM,
    );
    mine.forEach((a, k) => {
      a.lx = x;
      a.ly = ys[k]!;
    });
  }
  return arrows;
}
