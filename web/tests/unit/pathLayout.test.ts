import { describe, expect, it } from 'vitest';
import type { Hop } from '../../src/api/types';
import { DEFAULT_LAYOUT, LANES, dropLines, dropOrder, laneIndex, layoutPath } from '../../src/lib/pathLayout';

function hop(hook: string, layer: string, t_ns: number, netns = 4026531840, ifindex = 2): Hop {
  return { hook, layer, ifindex, netns, cpu: 0, t_ns, dt_ns: 0, aux: 0 };
}

// A delivered TCP segment: link -> network -> transport -> socket.
const RX: Hop[] = [
  hop('netif_receive_skb', 'link', 0),
  hop('fib_table_lookup', 'network', 2000),
  hop('tcp_rcv', 'transport', 7100),
  hop('skb_copy_datagram_iovec', 'socket', 52300),
  hop('consume_skb', 'socket', 53100),
];

describe('pathLayout', () => {
  it('puts the four stack layers in lanes, socket on top and link at the bottom', () => {
    expect(LANES.map((l) => l.layer)).toEqual(['socket', 'transport', 'network', 'link']);
    expect(laneIndex('link')).toBe(3);
    expect(laneIndex('socket')).toBe(0);
    expect(laneIndex('made-up')).toBe(2);
    const L = layoutPath(RX, null);
    expect(L.lanes).toHaveLength(4);
    for (let i = 1; i < L.lanes.length; i++) expect(L.lanes[i]!.y).toBe(L.lanes[i - 1]!.y + L.lanes[i - 1]!.height);
  });

  it('places each hop in its layer lane, left to right in time order', () => {
    const shuffled = [RX[3]!, RX[0]!, RX[4]!, RX[2]!, RX[1]!];
    const L = layoutPath(shuffled, null);
    expect(L.nodes.map((n) => n.hop.hook)).toEqual(RX.map((h) => h.hook));
    expect(L.nodes.map((n) => n.index)).toEqual([1, 4, 3, 0, 2]);
    for (let k = 1; k < L.nodes.length; k++) expect(L.nodes[k]!.x).toBeGreaterThan(L.nodes[k - 1]!.x + L.nodes[k - 1]!.w);
    for (const n of L.nodes) {
      const lane = L.lanes[laneIndex(n.hop.layer)]!;
      expect(n.y).toBeGreaterThanOrEqual(lane.y);
      expect(n.y + n.h).toBeLessThanOrEqual(lane.y + lane.height);
    }
    expect(L.width).toBeGreaterThanOrEqual(L.nodes[4]!.x + L.nodes[4]!.w);
  });

  it('labels each edge with the time between its two hops', () => {
    const L = layoutPath(RX, null);
    expect(L.edges).toHaveLength(RX.length - 1);
    expect(L.edges.map((e) => e.dtNs)).toEqual([2000, 5100, 45200, 800]);
    expect(L.edges.map((e) => e.label)).toEqual(['2.0 µs', '5.1 µs', '45.2 µs', '0.8 µs']);
    const e = L.edges[0]!;
    expect(e.x1).toBe(L.nodes[0]!.x + L.nodes[0]!.w);
    expect(e.x2).toBe(L.nodes[1]!.x);
  });

  it('keeps hops with equal times in input order', () => {
    const L = layoutPath([hop('a', 'link', 5), hop('b', 'link', 5), hop('c', 'link', 1)], null);
    expect(L.nodes.map((n) => n.hop.hook)).toEqual(['c', 'a', 'b']);
  });

  it('marks no drop and draws no callout for a delivered packet', () => {
    const L = layoutPath(RX, null);
    expect(L.nodes.some((n) => n.drop)).toBe(false);
    expect(L.callout).toBeNull();
  });

  it('marks the last kfree_skb as the drop point with a callout naming reason and location', () => {
    const hops = [hop('netif_receive_skb', 'link', 0), hop('kfree_skb', 'network', 3000), hop('netif_rx', 'link', 9000)];
    const L = layoutPath(hops, { reason: 'NETFILTER_DROP', location: 'nft_do_chain+0x4c' });
    expect(L.nodes.filter((n) => n.drop).map((n) => n.hop.hook)).toEqual(['kfree_skb']);
    const c = L.callout!;
    expect(c.lines).toEqual(['✕ dropped: NETFILTER_DROP', 'at nft_do_chain+0x4c']);
    const drop = L.nodes[1]!;
    expect(c.lineX).toBe(drop.cx);
    expect(c.lineY1).toBe(drop.y + drop.h);
    const lanesBottom = L.lanes[3]!.y + L.lanes[3]!.height;
    expect(c.y).toBeGreaterThan(lanesBottom);
    expect(L.height).toBe(lanesBottom + DEFAULT_LAYOUT.calloutHeight);
    expect(L.width).toBeGreaterThanOrEqual(c.x + c.width);
  });

  it('falls back to the last hop when a dropped path has no kfree_skb', () => {
    expect(dropOrder([hop('a', 'link', 0), hop('b', 'link', 1)], true)).toBe(1);
    expect(dropOrder([hop('a', 'link', 0)], false)).toBe(-1);
    expect(dropOrder([], true)).toBe(-1);
    expect(dropLines({ reason: null, location: '' })).toEqual(['✕ dropped: unknown reason']);
  });

  it('marks network namespace changes, ignoring hops without a namespace', () => {
    const hops = [
      hop('netif_receive_skb', 'link', 0, 100),
      hop('net_dev_start_xmit', 'link', 10, 0),
      hop('netif_rx', 'link', 20, 200),
      hop('kfree_skb', 'network', 30, 200),
    ];
    const L = layoutPath(hops, { reason: 'NO_SOCKET', location: null });
    expect(L.netns.map((m) => [m.netns, m.separator])).toEqual([
      [100, false],
      [200, true],
    ]);
    const sep = L.netns[1]!;
    expect(sep.x).toBeGreaterThan(L.nodes[1]!.x + L.nodes[1]!.w);
    expect(sep.x).toBeLessThan(L.nodes[2]!.x);
  });

  it('sizes nodes to the longest hook name within limits and handles an empty path', () => {
    const long = layoutPath([hop('x'.repeat(60), 'link', 0)], null);
    expect(long.nodes[0]!.w).toBe(DEFAULT_LAYOUT.maxNodeWidth);
    const short = layoutPath([hop('xdp', 'link', 0)], null);
    expect(short.nodes[0]!.w).toBe(DEFAULT_LAYOUT.minNodeWidth);
    const empty = layoutPath([], null);
    expect(empty.nodes).toEqual([]);
    expect(empty.edges).toEqual([]);
    expect(empty.width).toBeGreaterThan(0);
  });
});
