// Geometry of the packet path diagram: one horizontal lane per stack layer
// (Socket, Transport, Network, Link from top to bottom), one node per hop in
// its layer's lane, left to right in time order, edges labelled with the time
// between hops, a dashed separator wherever the network namespace changes, and
// for a dropped packet a callout under the lanes naming the reason and the
// kernel location. Pure: the SVG component only draws what this returns.
import type { Hop } from '../api/types';
import { formatNs } from './format';

export const LANES = [
  { layer: 'socket', label: 'Socket' },
  { layer: 'transport', label: 'Transport' },
  { layer: 'network', label: 'Network' },
  { layer: 'link', label: 'Link' },
] as const;

/** Lane of a layer name; unknown layers are drawn in the Network lane. */
export function laneIndex(layer: string): number {
  const i = LANES.findIndex((l) => l.layer === layer);
  return i >= 0 ? i : 2;
}

export interface LayoutOptions {
  /** space left of the first node (the lane labels are drawn in a separate, non-scrolling column) */
  labelWidth: number;
  /** height of the strip above the lanes that carries the netns labels */
  topStrip: number;
  laneHeight: number;
  nodeHeight: number;
  /** horizontal space between two nodes (holds the edge label) */
  gap: number;
  padX: number;
  /** approximate advance of one monospace character of a node label, px */
  charWidth: number;
  minNodeWidth: number;
  maxNodeWidth: number;
  /** height of the strip under the lanes that holds the drop callout */
  calloutHeight: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  labelWidth: 0,
  topStrip: 22,
  laneHeight: 56,
  nodeHeight: 34,
  gap: 60,
  padX: 16,
  charWidth: 6.5,
  minNodeWidth: 96,
  maxNodeWidth: 176,
  calloutHeight: 44,
};

export interface LaneBox {
  layer: string;
  label: string;
  y: number;
  height: number;
}

export interface NodeBox {
  /** index of the hop in the input array */
  index: number;
  /** position in time order */
  order: number;
  hop: Hop;
  lane: number;
  x: number;
  y: number;
  w: number;
  h: number;
  cx: number;
  cy: number;
  /** the hop where the packet was dropped */
  drop: boolean;
  title: string;
}

export interface EdgeLine {
  from: number;
  to: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  dtNs: number;
  label: string;
  /** label centre */
  lx: number;
  ly: number;
}

export interface NetnsMark {
  /** x of the dashed separator; for the first segment, where its label starts */
  x: number;
  netns: number;
  /** false for the first segment (no line, just the label) */
  separator: boolean;
}

/** Where a dropped packet died, drawn under the lanes with a line up to the drop node. */
export interface DropCallout {
  /** text start (left edge) and the baseline of the first line */
  x: number;
  y: number;
  /** approximate width of the longest line */
  width: number;
  lines: string[];
  /** the connector: from the drop node's bottom (y1) down to the text (y2) */
  lineX: number;
  lineY1: number;
  lineY2: number;
}

export interface DropInfo {
  reason: string | null;
  /** kernel symbol+offset of the freeing call */
  location: string | null | undefined;
}

export interface PathLayout {
  width: number;
  height: number;
  lanes: LaneBox[];
  nodes: NodeBox[];
  edges: EdgeLine[];
  netns: NetnsMark[];
  callout: DropCallout | null;
}

/** The callout's text: the reason, then where in the kernel. */
export function dropLines(drop: DropInfo): string[] {
  const lines = [`✕ dropped: ${drop.reason || 'unknown reason'}`];
  if (drop.location) lines.push(`at ${drop.location}`);
  return lines;
}

/** Index (in time order) of the hop where a dropped packet died: the last kfree_skb, else the last hop. */
export function dropOrder(sorted: readonly Hop[], dropped: boolean): number {
  if (!dropped || sorted.length === 0) return -1;
  for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i]!.hook === 'kfree_skb') return i;
  return sorted.length - 1;
}

function hopTitle(h: Hop, dt: number | null): string {
  const lines = [
    h.hook,
    `layer ${h.layer}`,
    `ifindex ${h.ifindex > 0 ? h.ifindex : '—'}`,
    `netns ${h.netns > 0 ? h.netns : '—'}`,
    `cpu ${h.cpu}`,
    `t +${formatNs(h.t_ns)}${dt !== null ? ` (Δt ${formatNs(dt)})` : ''}`,
  ];
  if (h.aux) lines.push(`aux ${h.aux}`);
  return lines.join('\n');
}

/** `drop` is given for a dropped packet (null or undefined: delivered). */
export function layoutPath(hops: readonly Hop[], drop: DropInfo | null | undefined, opts: LayoutOptions = DEFAULT_LAYOUT): PathLayout {
  const dropped = drop !== null && drop !== undefined;
  const order = hops
    .map((hop, index) => ({ hop, index }))
    .sort((a, b) => (a.hop.t_ns !== b.hop.t_ns ? a.hop.t_ns - b.hop.t_ns : a.index - b.index));
  const longest = order.reduce((m, o) => Math.max(m, o.hop.hook.length), 0);
  const w = Math.round(Math.min(opts.maxNodeWidth, Math.max(opts.minNodeWidth, longest * opts.charWidth + 16)));
  const h = opts.nodeHeight;
  const dropAt = dropOrder(
    order.map((o) => o.hop),
    dropped,
  );

  const lanes: LaneBox[] = LANES.map((l, i) => ({
    layer: l.layer,
    label: l.label,
    y: opts.topStrip + i * opts.laneHeight,
    height: opts.laneHeight,
  }));

  const x0 = opts.labelWidth + opts.padX;
  const nodes: NodeBox[] = order.map((o, k) => {
    const lane = laneIndex(o.hop.layer);
    const x = x0 + k * (w + opts.gap);
    const y = lanes[lane]!.y + (opts.laneHeight - h) / 2;
    const prev = k > 0 ? order[k - 1]!.hop : null;
    return {
      index: o.index,
      order: k,
      hop: o.hop,
      lane,
      x,
      y,
      w,
      h,
      cx: x + w / 2,
      cy: y + h / 2,
      drop: k === dropAt,
      title: hopTitle(o.hop, prev ? o.hop.t_ns - prev.t_ns : null),
    };
  });

  const edges: EdgeLine[] = [];
  for (let k = 1; k < nodes.length; k++) {
    const a = nodes[k - 1]!;
    const b = nodes[k]!;
    const dtNs = b.hop.t_ns - a.hop.t_ns;
    const x1 = a.x + a.w;
    const x2 = b.x;
    edges.push({ from: k - 1, to: k, x1, y1: a.cy, x2, y2: b.cy, dtNs, label: formatNs(dtNs), lx: (x1 + x2) / 2, ly: (a.cy + b.cy) / 2 });
  }

  // Namespace segments; a hop without a known netns (0) stays in the current one.
  const netns: NetnsMark[] = [];
  let current = 0;
  for (let k = 0; k < nodes.length; k++) {
    const ns = nodes[k]!.hop.netns;
    if (!ns || ns === current) continue;
    if (current === 0) netns.push({ x: opts.labelWidth + 8, netns: ns, separator: false });
    else netns.push({ x: (nodes[k - 1]!.x + nodes[k - 1]!.w + nodes[k]!.x) / 2, netns: ns, separator: true });
    current = ns;
  }

  let width = nodes.length > 0 ? nodes[nodes.length - 1]!.x + w + opts.padX : x0 + opts.padX;
  const lanesBottom = opts.topStrip + LANES.length * opts.laneHeight;
  let callout: DropCallout | null = null;
  const at = nodes[dropAt];
  if (drop && at) {
    const lines = dropLines(drop);
    const textWidth = Math.max(...lines.map((l) => l.length)) * opts.charWidth;
    callout = { x: at.x, y: lanesBottom + 18, width: Math.ceil(textWidth), lines, lineX: at.cx, lineY1: at.y + at.h, lineY2: lanesBottom + 6 };
    width = Math.max(width, Math.ceil(at.x + textWidth + opts.padX));
  }
  const height = lanesBottom + (callout ? opts.calloutHeight : 12);
  return { width, height, lanes, nodes, edges, netns, callout };
}
