import { describe, expect, it } from 'vitest';
import { endpoint, filterFlows, findFlows, flowMatches, parseFlowQuery, sortFlows } from '../../src/lib/analyzer/flows';
import { flow, vol } from './analyzerFixture';

const flows = [
  flow(1, { rx: vol(10, 1000), tx: vol(1, 100), drops: 5, latency_avg_ns: 90_000 }),
  flow(2, { rx: vol(10, 9000), tx: vol(1, 100), retransmits: 1, latency_avg_ns: 10_000, comm: 'nginx', protocol: 'udp' }),
  flow(3, { rx: vol(10, 5000), tx: vol(1, 0), latency_avg_ns: 0, comm: '', pid: 0 }),
  flow(4, { family: 6, local: 'fd00::1', remote: 'fd00::2', lport: 22, rport: 50000, rx: vol(1, 10), tx: vol(1, 10) }),
];

describe('flows sorting and filtering', () => {
  it('sorts by bytes, loss and latency both ways (stable)', () => {
    expect(sortFlows(flows, 'bytes', 'desc').map((f) => f.lport)).toEqual([5202, 5203, 5201, 22]);
    expect(sortFlows(flows, 'bytes', 'asc').map((f) => f.lport)).toEqual([22, 5201, 5203, 5202]);
    expect(sortFlows(flows, 'loss', 'desc').map((f) => f.lport)).toEqual([5201, 5202, 5203, 22]);
    expect(sortFlows(flows, 'latency', 'desc')[0]!.lport).toBe(5201);
    expect(flows[0]!.lport).toBe(5201); // input untouched
  });

  it('filters on every word, across protocol, endpoints and process', () => {
    expect(filterFlows(flows, '').length).toBe(4);
    expect(filterFlows(flows, 'nginx').map((f) => f.lport)).toEqual([5202]);
    expect(filterFlows(flows, 'UDP 10.0.0.2:40002').map((f) => f.lport)).toEqual([5202]);
    expect(filterFlows(flows, '[fd00::1]:22').map((f) => f.lport)).toEqual([22]);
    expect(filterFlows(flows, 'tcp iperf3').map((f) => f.lport)).toEqual([5201, 22]);
    expect(filterFlows(flows, 'nomatch')).toEqual([]);
  });

  it('formats endpoints with brackets for IPv6', () => {
    expect(endpoint('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(endpoint('fd00::1', 22)).toBe('[fd00::1]:22');
  });
});

describe('picking a flow from typed text', () => {
  it('recognises a flow key, a cookie and a 5-tuple', () => {
    expect(parseFlowQuery(flows[0]!.key)).toEqual({ kind: 'key', key: flows[0]!.key });
    expect(parseFlowQuery('4097')).toEqual({ kind: 'cookie', cookie: 4097 });
    expect(parseFlowQuery('0x1001')).toEqual({ kind: 'cookie', cookie: 4097 });
    expect(parseFlowQuery('tcp 10.0.0.1:5201 -> 10.0.0.2:40001')).toEqual({
      kind: 'tuple',
      protocol: 'tcp',
      ends: [
        { addr: '10.0.0.1', port: 5201 },
        { addr: '10.0.0.2', port: 40001 },
      ],
    });
    expect(parseFlowQuery('[FD00::2]:50000')).toEqual({ kind: 'tuple', protocol: null, ends: [{ addr: 'fd00::2', port: 50000 }] });
    expect(parseFlowQuery(':22')).toEqual({ kind: 'tuple', protocol: null, ends: [{ addr: null, port: 22 }] });
  });

  it('explains what is wrong with bad input', () => {
    expect(parseFlowQuery('  ')).toMatch(/5-tuple/);
    expect(parseFlowQuery('10.0.0.1:http')).toMatch(/port must be a number/);
    expect(parseFlowQuery('10.0.0.1:70000')).toMatch(/above 65535/);
    expect(parseFlowQuery('tcp udp')).toMatch(/more than one protocol/);
    expect(parseFlowQuery('a:1 b:2 c:3')).toMatch(/not an IP address|at most two/);
    expect(parseFlowQuery('1.1.1.1:1 2.2.2.2:2 3.3.3.3:3')).toMatch(/at most two/);
  });

  it('matches either orientation of a 5-tuple, a cookie or a key', () => {
    const q = (t: string) => {
      const p = parseFlowQuery(t);
      if (typeof p === 'string') throw new Error(p);
      return p;
    };
    expect(findFlows(flows, q('10.0.0.2:40001 10.0.0.1:5201')).map((f) => f.lport)).toEqual([5201]);
    expect(findFlows(flows, q('udp 10.0.0.2')).map((f) => f.lport)).toEqual([5202]);
    expect(findFlows(flows, q('10.0.0.1')).map((f) => f.lport)).toEqual([5202, 5203, 5201]);
    expect(findFlows(flows, q(String(4096 + 3))).map((f) => f.lport)).toEqual([5203]);
    expect(flowMatches(flows[0]!, q(flows[0]!.key))).toBe(true);
    expect(flowMatches(flows[1]!, q(flows[0]!.key))).toBe(false);
    // Cookie 0 means "unknown", never a match.
    expect(flowMatches(flow(9, { cookie: 0 }), { kind: 'cookie', cookie: 0 })).toBe(false);
  });
});
