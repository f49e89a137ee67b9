// Decoded header groups in reading order. The daemon's JSON objects come with their keys
// sorted alphabetically ("icmp" before "ip", "ack" before "sport"), so the order a person
// expects — outer layer first, addresses before ports before the rest — is restored here.
import type { HeaderGroup, HeaderValue } from '../api/types';

const LAYER_ORDER = ['ethernet', 'arp', 'ip', 'tcp', 'udp', 'icmp', 'icmpv6'];

const FIELD_ORDER: Record<string, string[]> = {
  ethernet: ['src', 'dst', 'type', 'vlan'],
  arp: ['sender_ip', 'target_ip'],
  ip: ['version', 'src', 'dst', 'ttl', 'length', 'notes'],
  tcp: ['sport', 'dport', 'flags', 'seq', 'ack'],
  udp: ['sport', 'dport'],
  icmp: ['type', 'code', 'id'],
  icmpv6: ['type', 'code', 'id'],
};

const NAMES: Record<string, string> = {
  ethernet: 'Ethernet',
  arp: 'ARP',
  ip: 'IP',
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
};

export interface HeaderSection {
  layer: string;
  title: string;
  fields: [string, HeaderValue][];
}

function rank(order: readonly string[], key: string): number {
  const i = order.indexOf(key);
  return i >= 0 ? i : order.length;
}

function byRank(order: readonly string[]) {
  return (a: string, b: string) => rank(order, a) - rank(order, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function headerTitle(layer: string, g: HeaderGroup): string {
  if (layer === 'ip' && (g.version === 4 || g.version === 6)) return `IPv${g.version}`;
  return NAMES[layer] ?? layer;
}

/** Known layers outermost first, known fields in protocol order; anything new after, by name. */
export function headerSections(headers: { [layer: string]: HeaderGroup | null } | null | undefined): HeaderSection[] {
  const groups = Object.entries(headers ?? {}).filter(
    (e): e is [string, HeaderGroup] => e[1] !== null && typeof e[1] === 'object' && !Array.isArray(e[1]),
  );
  const layerCmp = byRank(LAYER_ORDER);
  groups.sort((a, b) => layerCmp(a[0], b[0]));
  return groups.map(([layer, g]) => {
    const fieldCmp = byRank(FIELD_ORDER[layer] ?? []);
    const keys = Object.keys(g).sort(fieldCmp);
    return { layer, title: headerTitle(layer, g), fields: keys.map((k) => [k, g[k]!] as [string, HeaderValue]) };
  });
}

export function headerValueText(v: HeaderValue): string {
  if (v === null) return '—';
  if (Array.isArray(v)) return v.map(headerValueText).join(', ');
  return String(v);
}
