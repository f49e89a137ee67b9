// One-line, readable summaries of a rule's match ("tcp 203.0.113.0/24:* -> *:22 SYN,!ACK") and
// search text for the rules table's filter box.
import type { GuardMatch, GuardRule, InnerMatch, RangeValue } from '../../api/guarder';
import { formatTcpFlags, hasPorts, parseProtocol, protocolName } from './fields';

function protoNumber(p: string | number | undefined): number | null {
  if (p === undefined) return null;
  if (typeof p === 'number') return p;
  const r = parseProtocol(p);
  return r.ok ? r.value : null;
}

function endpoint(addr: string | undefined, port: RangeValue | undefined, withPort: boolean): string {
  const a = addr ?? '*';
  if (!withPort) return a;
  // An IPv6 prefix is bracketed so the port separator cannot be read as part of it.
  const shown = a.includes(':') ? `[${a}]` : a;
  return `${shown}:${port ?? '*'}`;
}

function flow(m: GuardMatch | InnerMatch): string {
  const withPorts = hasPorts(protoNumber(m.protocol)) || m.sport !== undefined || m.dport !== undefined;
  return `${endpoint(m.src, m.sport, withPorts)} -> ${endpoint(m.dst, m.dport, withPorts)}`;
}

export function matchSummary(m: GuardMatch | undefined): string {
  const match = m ?? {};
  const parts: string[] = [];
  parts.push(match.protocol !== undefined ? protocolName(match.protocol) : (match.family ?? 'any'));
  parts.push(flow(match));
  if (match.tcp_flags !== undefined) parts.push(typeof match.tcp_flags === 'string' ? match.tcp_flags : formatTcpFlags(match.tcp_flags));
  if (match.icmp) parts.push(`type ${match.icmp.type}${match.icmp.code !== undefined ? ` code ${match.icmp.code}` : ''}`);
  if (match.inner) {
    const i = match.inner;
    parts.push(`inner(${i.protocol !== undefined ? `${protocolName(i.protocol)} ` : ''}${flow(i)})`);
  }
  if (match.ttl !== undefined) parts.push(`ttl ${match.ttl}`);
  if (match.length !== undefined) parts.push(`len ${match.length}`);
  if (match.vlan !== undefined) parts.push(`vlan ${match.vlan}`);
  if (match.iface !== undefined) parts.push(`on ${match.iface}`);
  if (match.malformed) parts.push('malformed');
  return parts.join(' ');
}

/** What the filter box searches: id, action, origin, summary, comment, creator. */
export function ruleSearchText(r: GuardRule): string {
  return [`#${r.id}`, String(r.id), r.action, r.shadow ? 'shadow' : '', r.origin, matchSummary(r.match), r.comment, r.created_by]
    .filter((s) => s)
    .join('\u0001')
    .toLowerCase();
}
