// Top-flows table logic: sort keys, the filter box, and picking one flow from what the user
// typed (a flow key, a socket cookie or a 5-tuple). Pure functions, unit-tested.
import type { Flow, FlowSort } from '../../api/analyzer';
import { filterTerms, matchesTerms, searchText, sortRows, type SortDir } from '../table';

/** Bits per second both ways over the last interval. */
export function flowBps(f: Flow): number {
  return (f.rx?.bps ?? 0) + (f.tx?.bps ?? 0);
}

/** What "loss" sorts by: drops plus retransmits since the flow was first seen. */
export function flowLoss(f: Flow): number {
  return (f.drops ?? 0) + (f.retransmits ?? 0);
}

export function sortValue(f: Flow, key: FlowSort): number {
  switch (key) {
    case 'loss':
      return flowLoss(f);
    case 'latency':
      return f.latency_avg_ns ?? 0;
    case 'bytes':
    default:
      return flowBps(f);
  }
}

export function sortFlows(flows: readonly Flow[], key: FlowSort, dir: SortDir): Flow[] {
  return sortRows(flows, (f) => sortValue(f, key), dir);
}

/** "10.0.0.1:5201" / "[fe80::1]:22": the way addresses and ports are shown and searched. */
export function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function flowSearchText(f: Flow): string {
  return searchText([f.protocol, endpoint(f.local, f.lport), endpoint(f.remote, f.rport), f.comm, f.pid || null, f.netns, f.key]);
}

/** Rows whose text has every word of the filter box (protocol, endpoints, process, netns). */
export function filterFlows(flows: readonly Flow[], query: string): Flow[] {
  const terms = filterTerms(query);
  if (terms.length === 0) return flows.slice();
  return flows.filter((f) => matchesTerms(flowSearchText(f), terms));
}

interface EndpointPattern {
  addr: string | null;
  port: number | null;
}

export type FlowQuery =
  | { kind: 'key'; key: string }
  | { kind: 'cookie'; cookie: number }
  | { kind: 'tuple'; protocol: string | null; ends: EndpointPattern[] };

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmp6', 'other'];

function parseEndpoint(tok: string): EndpointPattern | string {
  let addr: string;
  let port: string | null = null;
  const v6 = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(tok);
  if (v6) {
    addr = v6[1]!;
    port = v6[2] ?? null;
  } else if ((tok.match(/:/g) ?? []).length > 1) {
    addr = tok; // bare IPv6 address, no port
  } else {
    const i = tok.lastIndexOf(':');
    addr = i >= 0 ? tok.slice(0, i) : tok;
    port = i >= 0 ? tok.slice(i + 1) : null;
  }
  if (port !== null && port !== '*' && !/^\d{1,5}$/.test(port)) return `"${tok}": the port must be a number`;
  const portNum = port === null || port === '*' ? null : Number(port);
  if (portNum !== null && portNum > 65535) return `"${tok}": port ${portNum} is above 65535`;
  const a = addr === '' || addr === '*' ? null : addr.toLowerCase();
  if (a !== null && !/^[0-9a-f.:]+$/.test(a)) return `"${tok}": not an IP address`;
  return { addr: a, port: portNum };
}

/**
 * What the user typed into "pick a flow": a flow key ("4026531840/tcp/..."), a socket cookie
 * (decimal or 0x hex), or a 5-tuple "[proto] local[:port] [remote[:port]]" (either end may come
 * first; "*" or an empty address matches any). A string is an error message.
 */
export function parseFlowQuery(text: string): FlowQuery | string {
  const q = text.trim();
  if (q === '') return 'type a 5-tuple, a socket cookie or a flow key';
  if (/^\d+\/[a-z0-9]+\//i.test(q)) return { kind: 'key', key: q };
  if (/^(\d+|0x[0-9a-f]+)$/i.test(q)) return { kind: 'cookie', cookie: Number(q) };
  const toks = q.split(/[\s,]+|->|<->|\s-\s/).filter((t) => t !== '' && t !== '-');
  let protocol: string | null = null;
  const ends: EndpointPattern[] = [];
  for (const tok of toks) {
    const lower = tok.toLowerCase();
    if (PROTOCOLS.includes(lower)) {
      if (protocol !== null) return 'more than one protocol';
      protocol = lower;
      continue;
    }
    const e = parseEndpoint(tok);
    if (typeof e === 'string') return e;
    ends.push(e);
  }
  if (ends.length > 2) return 'at most two endpoints (local and remote)';
  if (ends.length === 0 && protocol === null) return 'type a 5-tuple, a socket cookie or a flow key';
  return { kind: 'tuple', protocol, ends };
}

function endMatches(p: EndpointPattern, addr: string, port: number): boolean {
  return (p.addr === null || p.addr === addr.toLowerCase()) && (p.port === null || p.port === port);
}

export function flowMatches(f: Flow, q: FlowQuery): boolean {
  switch (q.kind) {
    case 'key':
      return f.key === q.key;
    case 'cookie':
      return f.cookie !== 0 && f.cookie === q.cookie;
    case 'tuple': {
      if (q.protocol !== null && f.protocol !== q.protocol) return false;
      const [a, b] = q.ends;
      if (!a) return true;
      const l = (p: EndpointPattern) => endMatches(p, f.local, f.lport);
      const r = (p: EndpointPattern) => endMatches(p, f.remote, f.rport);
      if (!b) return l(a) || r(a);
      return (l(a) && r(b)) || (l(b) && r(a));
    }
  }
}

/** The flows matching a query, the busiest first. */
export function findFlows(flows: readonly Flow[], q: FlowQuery): Flow[] {
  return sortFlows(
    flows.filter((f) => flowMatches(f, q)),
    'bytes',
    'desc',
  );
}
