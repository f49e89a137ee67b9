// SVG of one packet's path through the stack: four lanes (Socket, Transport,
// Network, Link), hops as nodes in their layer's lane in time order, edges
// labelled with Δt, namespace changes as dashed separators, the drop point in
// red with a callout naming the reason and kernel location. Geometry comes from
// lib/pathLayout; this only draws it.
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Hop } from '../../api/types';
import { formatNs } from '../../lib/format';
import { layoutPath, type DropInfo } from '../../lib/pathLayout';

// Hooks that mark trouble without being the drop itself.
const NOTABLE = new Set(['udp_queue_fail', 'sock_rcvqueue_full', 'icmp_send', 'tcp_send_reset', 'tcp_retransmit_skb']);

const LABEL_CHAR = 6.2;
// Lane bands and rules run past the last node so a short path still fills a wide box.
const BAND = 8000;

interface Props {
  hops: Hop[];
  /** null: delivered */
  drop: DropInfo | null;
  packetId: number;
}

const GUTTER = 96;

export function PathDiagram({ hops, drop, packetId }: Props) {
  const L = layoutPath(hops, drop);
  const reason = drop?.reason ?? null;
  const scroller = useRef<HTMLDivElement>(null);
  // A long path scrolls sideways; open it where the packet died (the start is a scroll away).
  const dropRight = L.callout ? Math.max(L.callout.x + L.callout.width, L.nodes.find((n) => n.drop)!.x + L.nodes[0]!.w) + 16 : 0;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && dropRight > el.clientWidth) el.scrollLeft = dropRight - el.clientWidth;
  }, [packetId, dropRight]);
  const bottom = L.lanes[L.lanes.length - 1]!;
  const lanesBottom = bottom.y + bottom.height;
  const top = L.lanes[0]!.y;
  return (
    <div class="pathview__diagram" data-testid="path-diagram">
      {/* Lane labels stay put while the path scrolls sideways. */}
      <svg class="pathsvg pathsvg--gutter" width={GUTTER} height={L.height} aria-hidden="true">
        {L.lanes.map((lane) => (
          <g key={lane.layer}>
            <rect class="lane__gutter" x={0} y={lane.y} width={GUTTER} height={lane.height} />
            <text class="lane__label" data-testid="lane-label" x={12} y={lane.y + lane.height / 2} dominant-baseline="central">
              {lane.label}
            </text>
            <line class="lane__rule" x1={0} x2={GUTTER} y1={lane.y + lane.height} y2={lane.y + lane.height} />
          </g>
        ))}
        <line class="lane__rule" x1={0} x2={GUTTER} y1={top} y2={top} />
      </svg>
      <div class="pathview__scroll" ref={scroller} data-testid="path-scroll">
        <svg
          class="pathsvg"
          width={L.width}
          height={L.height}
          viewBox={`0 0 ${L.width} ${L.height}`}
          preserveAspectRatio="xMinYMin meet"
          role="img"
          aria-label={`Path of packet ${packetId}: ${hops.length} hops${drop ? `, dropped (${reason ?? 'unknown reason'})` : ''}`}
        >
          <defs>
            <marker id="ps-arrow" viewBox="0 0 8 8" refX="7.5" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0.5 L8,4 L0,7.5 z" class="pathsvg__head" />
            </marker>
          </defs>

          {L.lanes.map((lane, i) => (
            <g key={lane.layer} class="lane" data-testid="lane" data-layer={lane.layer}>
              <rect class={`lane__band${i % 2 ? ' lane__band--alt' : ''}`} x={0} y={lane.y} width={BAND} height={lane.height} />
              <line class="lane__rule" x1={0} x2={BAND} y1={lane.y + lane.height} y2={lane.y + lane.height} />
            </g>
          ))}
          <line class="lane__rule" x1={0} x2={BAND} y1={top} y2={top} />

          {L.netns.map((m) => (
            <g key={`${m.x}-${m.netns}`} class="netns" data-testid={m.separator ? 'netns-separator' : 'netns-label'}>
              {m.separator && <line class="netns__line" x1={m.x} x2={m.x} y1={4} y2={lanesBottom} />}
              <text class="netns__label" x={m.separator ? m.x + 5 : m.x} y={14}>
                netns {m.netns}
              </text>
            </g>
          ))}

          {L.edges.map((e) => {
            const w = e.label.length * LABEL_CHAR + 10;
            return (
              <g key={`e${e.from}`} class="edge" data-testid="hop-edge">
                <line class="edge__line" x1={e.x1} y1={e.y1} x2={e.x2 - 1} y2={e.y2} marker-end="url(#ps-arrow)" />
                <rect class="edge__pill" x={e.lx - w / 2} y={e.ly - 8} width={w} height={16} rx={8} />
                <text class="edge__label" x={e.lx} y={e.ly} text-anchor="middle" dominant-baseline="central">
                  {e.label}
                </text>
              </g>
            );
          })}

          {L.nodes.map((n) => {
            const tone = n.drop ? ' hop--drop' : NOTABLE.has(n.hop.hook) ? ' hop--warn' : '';
            const meta = `+${formatNs(n.hop.t_ns)}${n.hop.ifindex > 0 ? ` · if${n.hop.ifindex}` : ''}`;
            return (
              <g
                key={`n${n.order}`}
                class={`hop hop--${n.lane}${tone}`}
                data-testid="hop-node"
                data-hook={n.hop.hook}
                data-layer={n.hop.layer}
                data-drop={n.drop ? 'true' : undefined}
              >
                <title>{n.drop ? `${n.title}\ndropped: ${reason ?? 'unknown'}` : n.title}</title>
                <rect class="hop__box" x={n.x} y={n.y} width={n.w} height={n.h} rx={5} />
                <text class="hop__name" x={n.cx} y={n.y + 14} text-anchor="middle">
                  {n.hop.hook}
                </text>
                <text class="hop__meta" x={n.cx} y={n.y + 27} text-anchor="middle">
                  {meta}
                </text>
              </g>
            );
          })}

          {L.callout && (
            <g class="dropnote" data-testid="drop-callout">
              <line class="dropnote__line" x1={L.callout.lineX} x2={L.callout.lineX} y1={L.callout.lineY1} y2={L.callout.lineY2} />
              {L.callout.lines.map((text, i) => (
                <text key={i} class={i === 0 ? 'dropnote__reason' : 'dropnote__where'} x={L.callout!.x} y={L.callout!.y + i * 14}>
                  {text}
                </text>
              ))}
            </g>
          )}
        </svg>
      </div>
    </div>
  );
}
