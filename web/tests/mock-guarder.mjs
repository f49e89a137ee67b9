// The mock daemon's Guarder (docs/guarder.md "API"): rules with validation and safety refusals,
// counters that grow with the traffic the rules match, expiry, bulk changes, import/export,
// dry-run, an audit log, the XDP flow table, log samples and attachments. State lives in memory.
import { cidrContains, parseCidr, validateRule } from './mock-guarder-rule.mjs';
import { handleGuard } from './mock-guarder-routes.mjs';

const INTERFACES = [
  { ifname: 'lo', ifindex: 1 },
  { ifname: 'eth0', ifindex: 2 },
  { ifname: 'eth1', ifindex: 3 },
  { ifname: 'veth-lab0', ifindex: 7 },
];
const PROTO_NUM = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 };
const AUDIT_MAX = 5000;

const iso = (ms) => new Date(ms).toISOString();

/** A deterministic pseudo-random generator, so runs look alike. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    return ((s ^ (s >>> 13)) >>> 0) / 4294967296;
  };
}

function makeFlows(now, rand) {
  const flows = [];
  const add = (ifname, protocol, src, sport, dst, dport, flags, pps) => {
    const ifindex = INTERFACES.find((i) => i.ifname === ifname).ifindex;
    const family = src.includes(':') ? 6 : 4;
    const start = now - Math.floor(rand() * 600_000);
    flows.push({ ifindex, ifname, family, protocol, src, sport, dst, dport, packets: 0, bytes: 0, dropped: 0, tcp_flags: flags, first_seen: iso(start), last_seen: iso(start), pps });
  };
  add('eth1', 'tcp', '198.51.100.23', 40112, '10.0.0.1', 22, 'SYN', 400);
  add('eth1', 'tcp', '198.51.100.77', 51234, '10.0.0.1', 22, 'SYN', 120);
  add('eth1', 'tcp', '203.0.113.9', 443, '10.0.0.1', 58110, 'SYN,ACK,PSH', 900);
  add('eth1', 'udp', '192.0.2.53', 53, '10.0.0.1', 41000, '', 40);
  add('eth1', 'icmp', '192.0.2.200', 0, '10.0.0.1', 0, '', 60);
  add('veth-lab0', 'tcp', '2001:db8:1::5', 33000, '2001:db8::1', 80, 'ACK,PSH', 300);
  add('veth-lab0', 'udp', '2001:db8:1::9', 5353, '2001:db8::1', 5353, '', 12);
  for (let i = 0; i < 36; i++) {
    const proto = i % 5 === 0 ? 'udp' : 'tcp';
    add(i % 3 === 0 ? 'veth-lab0' : 'eth1', proto, `10.20.${i % 7}.${10 + i}`, 30000 + i * 17, '10.0.0.1', proto === 'udp' ? 5201 : [80, 443, 8080][i % 3], proto === 'tcp' ? 'ACK' : '', 5 + Math.floor(rand() * 200));
  }
  return flows;
}

function inRange(v, r) {
  if (r === undefined) return true;
  if (typeof r === 'number') return v === r;
  const [lo, hi] = String(r).split('-').map(Number);
  return v >= lo && v <= hi;
}

/** Whether a rule's match covers a flow (addresses, protocol, ports, interface). */
function matchesFlow(m, f) {
  for (const side of ['src', 'dst']) {
    if (m[side] === undefined) continue;
    const c = parseCidr(m[side]);
    if (typeof c === 'string' || !cidrContains(c, f[side])) return false;
  }
  if (m.protocol !== undefined) {
    const want = typeof m.protocol === 'number' ? m.protocol : PROTO_NUM[m.protocol];
    if (want !== PROTO_NUM[f.protocol]) return false;
  }
  if (m.family && m.family !== (f.family === 6 ? 'ipv6' : 'ipv4')) return false;
  if (m.iface !== undefined && m.iface !== f.ifname) return false;
  return inRange(f.sport, m.sport) && inRange(f.dport, m.dport) && !m.malformed;
}

export function makeGuarder({ enabled = true } = {}) {
  const rand = rng(42);
  const rules = new Map(); // id -> stored rule (input fields + id, created_*, updated_at)
  const counters = new Map(); // id -> {packets, bytes, rate_dropped, last_hit}
  const audit = [];
  const logSamples = [];
  const attachments = [
    { ifname: 'eth1', ifindex: 3, mode: 'native' },
    { ifname: 'veth-lab0', ifindex: 7, mode: 'generic' },
  ];
  const stats = { packets: 0, bytes: 0, passed: 0, dropped: 0, rate_dropped: 0, malformed: 0, non_ip: 0, log_sent: 0, log_lost: 0, hits_overflow: 0, flows_full: 0 };
  let nextId = 1;
  let auditId = 0;
  let generation = 1;
  let lastApply = { ok: true, rules: 0, ms: 0.4, time: iso(Date.now()) };
  const flows = makeFlows(Date.now(), rand);

  const record = (actor, action, object, detail) => {
    // As the daemon: detail is JSON (the rule, the patch, a count).
    audit.push({ id: ++auditId, time: iso(Date.now()), actor, action, object, detail });
    if (audit.length > AUDIT_MAX) audit.shift();
  };
  const applied = () => {
    generation += 1;
    lastApply = { ok: true, rules: rules.size, ms: 0.3 + rand(), time: iso(Date.now()) };
  };
  const ordered = () => [...rules.values()].sort((a, b) => a.priority - b.priority || a.id - b.id);
  const out = (r) => ({ ...r, counters: { ...(counters.get(r.id) ?? { packets: 0, bytes: 0, rate_dropped: 0, last_hit: null }) } });
  const store = (rule, actor, id = null) => {
    const now = iso(Date.now());
    const rid = id !== null && !rules.has(id) ? id : nextId;
    nextId = Math.max(nextId, rid + 1);
    const stored = { id: rid, ...rule, created_by: actor, created_at: now, updated_at: now };
    rules.set(rid, stored);
    counters.set(rid, { packets: 0, bytes: 0, rate_dropped: 0, last_hit: null });
    return stored;
  };
  const interfaces = INTERFACES.map((i) => i.ifname);

  // A few rules of every origin and kind, as a running daemon would have.
  const seed = () => {
    const now = Date.now();
    // Yesterday's history, enough for more than one audit page.
    const actors = ['cli', 'api:10.0.0.5', 'detector:ssh_bruteforce', 'system'];
    for (let i = 0; i < 70; i++) {
      const a = actors[i % actors.length];
      const action = a === 'system' ? 'rule.expire' : i % 3 === 0 ? 'rule.delete' : 'rule.add';
      audit.push({ id: ++auditId, time: iso(now - (70 - i) * 15 * 60_000), actor: a, action, object: `rule ${1000 + i}`, detail: { comment: 'earlier change' } });
    }
    const add = (j, actor) => {
      const r = store(validateRule(j, { now, interfaces }).rule, actor);
      record(actor, 'rule.add', `rule ${r.id}`, j);
      return r;
    };
    add({ priority: 10, action: 'pass', match: { src: '10.0.0.0/8', protocol: 'tcp', dport: 22 }, comment: 'admins may always ssh' }, 'cli');
    add({ priority: 100, action: 'drop', match: { src: '198.51.100.0/24', protocol: 'tcp', dport: 22, tcp_flags: 'SYN,!ACK' }, origin: 'detector', comment: 'ssh brute force from 198.51.100.0/24' }, 'detector:ssh_bruteforce');
    add({ priority: 200, action: 'rate-limit', match: { protocol: 'icmp', icmp: { type: 8 } }, rate: { pps: 50, burst: 100 }, comment: 'ping flood guard' }, 'api:127.0.0.1');
    add({ priority: 300, action: 'drop', match: { src: '2001:db8:bad::/48' }, origin: 'analyst', comment: 'analyst: scanner range', ttl_s: 4 * 3600 }, 'analyst');
    add({ priority: 400, action: 'log', match: { protocol: 'udp', dport: 53 }, log: { every: 100 }, origin: 'llm', comment: 'sample DNS for review' }, 'llm');
    add({ priority: 500, action: 'drop', shadow: true, match: { protocol: 'icmp', inner: { protocol: 'udp', dport: '33434-33534' } }, comment: 'traceroute replies (shadow)' }, 'api:127.0.0.1');
    add({ priority: 600, enabled: false, action: 'drop', match: { protocol: 'tcp', dport: '6000-6063', iface: 'eth1' }, comment: 'X11 (disabled)' }, 'cli');
    add({ priority: 700, action: 'drop', match: { src: '192.0.2.200/32' }, origin: 'detector', comment: 'temporary block', ttl_s: 9 * 60 + 30 }, 'detector:icmp_flood');
    record('system', 'guard.start', 'guarder', `${rules.size} rules, attached to eth1 (native), veth-lab0 (generic)`);
  };

  /** One second of traffic: flows advance; the rules they match count it; expired rules go. */
  const tick = () => {
    const now = Date.now();
    for (const r of ordered()) {
      if (r.expires_at && Date.parse(r.expires_at) <= now) {
        rules.delete(r.id);
        counters.delete(r.id);
        record('system', 'rule.expire', `rule ${r.id}`, { comment: r.comment, expires_at: r.expires_at });
        applied();
      }
    }
    const live = ordered().filter((r) => r.enabled);
    for (const f of flows) {
      const n = Math.max(0, Math.round(f.pps * (0.6 + 0.8 * rand())));
      if (n === 0) continue;
      const size = f.protocol === 'tcp' ? 120 + Math.floor(rand() * 1300) : 90;
      let dropped = 0;
      for (const r of live) {
        if (!matchesFlow(r.match, f)) continue;
        const c = counters.get(r.id);
        const over = r.action === 'rate-limit' && !r.shadow ? Math.max(0, n - (r.rate.pps ?? n)) : 0;
        c.packets += n;
        c.bytes += n * size;
        c.rate_dropped += over;
        c.last_hit = iso(now);
        if (r.shadow) continue;
        if (r.action === 'drop') dropped = n;
        else if (r.action === 'rate-limit') dropped = over;
        else if (r.action === 'log') {
          stats.log_sent += 1;
          logSamples.unshift({ time: iso(now), rule_id: r.id, ifindex: f.ifindex, length: size, dropped: false, summary: `${f.protocol} ${f.src}:${f.sport} -> ${f.dst}:${f.dport}`, bytes_hex: '4500' });
          logSamples.length = Math.min(logSamples.length, 1000);
        }
        if (r.action === 'drop' || r.action === 'pass') break;
      }
      f.packets += n;
      f.bytes += n * size;
      f.dropped += dropped;
      f.last_seen = iso(now);
      stats.packets += n;
      stats.bytes += n * size;
      stats.dropped += dropped;
      stats.passed += n - dropped;
    }
    stats.non_ip += 1;
    if (rand() < 0.1) stats.malformed += 1;
    stats.rate_dropped = [...counters.values()].reduce((s, c) => s + c.rate_dropped, 0);
    const items = Object.fromEntries([...rules.keys()].map((id) => [String(id), { ...counters.get(id) }]));
    return { ts: iso(now), items, stats: statsBody() };
  };

  const statsBody = () => ({ ...stats, live_rules: [...rules.values()].filter((r) => r.enabled).length, generation, attachments, last_apply: lastApply });
  const validate = (j, opts) => validateRule(j, { now: Date.now(), interfaces, ...opts });

  seed();
  const state = { rules, counters, audit, logSamples, attachments, interfaces, flows: () => flows, ordered, out, store, record, applied, statsBody, validate, matchesFlow };
  return {
    enabled,
    tick: () => (enabled ? tick() : null),
    /** Answers /api/v1/guard/...; see handleGuard. */
    handle: (ctx) => (enabled ? handleGuard(state, ctx) : ctx.fail(503, 'guard_unavailable', 'the guarder is disabled in the configuration (guard_enabled = false)')),
    module: enabled
      ? { name: 'guarder', state: 'running', detail: 'mock: XDP on eth1 (native), veth-lab0 (generic)' }
      : { name: 'guarder', state: 'disabled', detail: 'guard_enabled = false' },
  };
}
