// The Connections view's XDP flow table: keys, search text, sorting and the "Block source" rule.
import type { GuardFlow } from '../../api/guarder';
import { formatEndpoint } from '../sockets';
import type { SortValue } from '../table';
import { hostPrefix } from './addr';
import { emptyForm, type RuleForm } from './form';

export function flowFamily(f: GuardFlow): 4 | 6 {
  return f.family === 6 || f.family === 'ipv6' || f.src.includes(':') ? 6 : 4;
}

export function flowKey(f: GuardFlow): string {
  return `${f.ifindex}|${f.protocol}|${f.src}|${f.sport}|${f.dst}|${f.dport}`;
}

const PORTED = new Set(['tcp', 'udp', 'sctp']);

/** address:port for protocols with ports, the bare address otherwise (ICMP, GRE, ...). */
function end(f: GuardFlow, addr: string, port: number): string {
  return PORTED.has(String(f.protocol).toLowerCase()) ? formatEndpoint(addr, port, flowFamily(f)) : addr;
}

export function flowSource(f: GuardFlow): string {
  return end(f, f.src, f.sport);
}

export function flowDestination(f: GuardFlow): string {
  return end(f, f.dst, f.dport);
}

export function flowSearchText(f: GuardFlow): string {
  return [f.ifname, f.protocol, flowSource(f), flowDestination(f), f.tcp_flags].join('\u0001').toLowerCase();
}

export function flowSortValue(f: GuardFlow, column: string): SortValue {
  switch (column) {
    case 'iface':
      return f.ifname;
    case 'proto':
      return f.protocol;
    case 'src':
      return flowSource(f);
    case 'dst':
      return flowDestination(f);
    case 'packets':
      return f.packets;
    case 'bytes':
      return f.bytes;
    case 'dropped':
      return f.dropped;
    case 'flags':
      return f.tcp_flags;
    case 'first':
      return Date.parse(f.first_seen);
    case 'last':
      return Date.parse(f.last_seen);
    default:
      return null;
  }
}

export const BLOCK_COMMENT = 'blocked from connections view';

/** The editor's form for "Block source": drop everything from the flow's source address. */
export function blockSourceForm(f: GuardFlow): RuleForm {
  return { ...emptyForm(), action: 'drop', src: hostPrefix(f.src) ?? f.src, comment: BLOCK_COMMENT };
}
