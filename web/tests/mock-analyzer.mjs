// The mock daemon's Analyzer (docs/analyzer.md): snapshots, stored series, metric names, top
// flows and one flow's detail. Every rate is a deterministic function of the metric and the
// time, so the history /series answers and the live snapshots published on the stream agree,
// and no storage is needed. Counters since start accumulate as the snapshots are taken.
const LAYERS = ['link', 'network', 'transport', 'socket'];
const DIRS = ['rx', 'tx'];
const NETNS = 4026531840;
const OTHER_NETNS = 4026532301;
const WINDOW_S = 3600; // analyzer_history_s: 1 s resolution inside this window
const HISTORY_S = 3 * 3600; // the mock "daemon" has been collecting this long before it started

// Packets per second and mean frame size per layer (receive; transmit is a fraction of it).
const BASE = {
  link: { pps: 1400, size: 820 },
  network: { pps: 1330, size: 800 },
  transport: { pps: 1290, size: 780 },
  socket: { pps: 610, size: 1500 },
};
const TX_SHARE = 0.78;

// The pairs the real kernel side measures (bpf/analyzer.bpf.c), with a typical p50 in ns.
const PAIRS = [
  { dir: 'rx', from: 'link', to: 'network', p50: 2600, rate: 'link' },
  { dir: 'rx', from: 'network', to: 'transport', p50: 4100, rate: 'network' },
  { dir: 'rx', from: 'transport', to: 'socket', p50: 38000, rate: 'socket' },
  { dir: 'tx', from: 'transport', to: 'link', p50: 14000, rate: 'transport' },
  { dir: 'tx', from: 'link', to: 'link', p50: 1800, rate: 'link' },
];

const REASONS = [
  { reason: 'NETFILTER_DROP', layer: 'network', rate: 0.8 },
  { reason: 'NO_SOCKET', layer: 'transport', rate: 0.35 },
  { reason: 'TCP_INVALID_SEQUENCE', layer: 'transport', rate: 0.12 },
  { reason: 'SOCKET_RCVBUFF', layer: 'socket', rate: 0.25, bursty: true },
];

/** A deterministic value in [0, 1) from a string and an integer. */
function noise(name, n) {
  let h = 2166136261 ^ n;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** A rate around `base` at second `s`: a slow wave, a faster wobble and per-second noise. */
function wave(name, base, s, depth = 0.35) {
  const phase = noise(name, 7) * Math.PI * 2;
  const slow = Math.sin((2 * Math.PI * s) / 900 + phase);
  const fast = Math.sin((2 * Math.PI * s) / 47 + phase * 2);
  const n = noise(name, s) - 0.5;
  return Math.max(0, base * (1 + depth * (0.6 * slow + 0.25 * fast + 0.5 * n)));
}

function volumeAt(layer, dir, s) {
  const b = BASE[layer];
  const pps = wave(`${layer}.${dir}`, b.pps * (dir === 'tx' ? TX_SHARE : 1), s);
  return { pps, bps: pps * b.size * 8 * (0.9 + 0.2 * noise(`${layer}.${dir}.size`, s)) };
}

function latencyAt(pair, q, s) {
  const p50 = wave(`lat.${pair.dir}.${pair.from}.${pair.to}`, pair.p50, s, 0.5);
  const mult = { p50: 1, p90: 2.3, p99: 6.5 + 4 * noise(`${pair.from}.p99`, s), max: 14 }[q];
  return p50 * mult;
}

function reasonAt(r, s) {
  if (r.bursty) return Math.floor(s / 20) % 6 === 0 ? wave(r.reason, r.rate * 12, s, 0.6) : 0;
  const v = wave(r.reason, r.rate, s, 0.9);
  return noise(`${r.reason}.on`, s) < 0.5 ? Math.round(v * 2) : 0;
}

function makeFlows() {
  const procs = [
    ['iperf3', 4242],
    ['nginx', 1234],
    ['curl', 5120],
    ['sshd', 811],
    ['postgres', 2301],
    ['dnsmasq', 640],
    ['', 0],
  ];
  const flows = [];
  for (let i = 0; i < 40; i++) {
    const protocol = i % 5 === 3 ? 'udp' : i === 7 ? 'icmp' : 'tcp';
    const v6 = i % 9 === 4;
    const [comm, pid] = procs[i % procs.length];
    const local = v6 ? 'fd00::1' : '10.0.0.1';
    const remote = v6 ? `fd00::${(i % 200) + 2}` : `10.0.${1 + (i % 3)}.${(i * 37) % 250 + 2}`;
    const lport = protocol === 'icmp' ? 0 : [5201, 443, 22, 5432, 53][i % 5];
    const rport = protocol === 'icmp' ? 0 : 40000 + ((i * 7919) % 20000);
    const netns = i % 11 === 10 ? OTHER_NETNS : NETNS;
    const fmt = (a, p) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
    flows.push({
      key: `${netns}/${protocol}/${fmt(local, lport)}-${fmt(remote, rport)}`,
      netns,
      family: v6 ? 6 : 4,
      protocol,
      local,
      lport,
      remote,
      rport,
      comm,
      pid,
      cookie: protocol === 'icmp' ? 0 : 4097 + i,
      // Zipf-like: the first flows carry most of the bytes.
      base: 900 / (i + 1) ** 1.1,
      srtt: 40 + Math.round(noise('srtt', i) * 3000),
      totals: { rxp: 0, rxb: 0, txp: 0, txb: 0, drops: 0, retrans: 0, rst_sent: 0, rst_received: 0 },
      first_seen_ns: 0,
    });
  }
  return flows;
}

function flowRates(f, s) {
  const rxpps = wave(`${f.key}.rx`, f.base, s, 0.6);
  const txpps = wave(`${f.key}.tx`, f.base * 0.6, s, 0.6);
  const srtt = f.protocol === 'tcp' ? wave(`${f.key}.srtt`, f.srtt, s, 0.4) : 0;
  return {
    rx: { pps: rxpps, bps: rxpps * 1200 * 8 },
    tx: { pps: txpps, bps: txpps * 180 * 8 },
    srtt_us: Math.round(srtt),
    cwnd: f.protocol === 'tcp' ? 10 + Math.round(wave(`${f.key}.cwnd`, 40, s, 0.8)) : 0,
    drops: noise(`${f.key}.drop`, s) < 0.03 ? 1 : 0,
    retrans: f.protocol === 'tcp' && noise(`${f.key}.re`, s) < 0.06 ? 1 + Math.floor(noise(f.key, s) * 3) : 0,
  };
}

function flowJson(f, s, rates = flowRates(f, s)) {
  const t = f.totals;
  return {
    key: f.key, netns: f.netns, family: f.family, protocol: f.protocol, local: f.local, lport: f.lport, remote: f.remote, rport: f.rport,
    rx: { packets: Math.round(t.rxp), bytes: Math.round(t.rxb), pps: rates.rx.pps, bps: rates.rx.bps },
    tx: { packets: Math.round(t.txp), bytes: Math.round(t.txb), pps: rates.tx.pps, bps: rates.tx.bps },
    drops: t.drops, retransmits: t.retrans, rst_sent: t.rst_sent, rst_received: t.rst_received,
    srtt_us: rates.srtt_us, cwnd: rates.cwnd,
    latency_avg_ns: Math.round(wave(`${f.key}.lat`, 45000, s, 0.5)), latency_max_ns: Math.round(wave(`${f.key}.latmax`, 240000, s, 0.5)),
    pid: f.pid, comm: f.comm, cookie: f.cookie, first_seen_ns: f.first_seen_ns, last_seen_ns: s * 1e9,
  };
}

const FLOW_METRICS = ['flow.rx.pps', 'flow.rx.bps', 'flow.tx.pps', 'flow.tx.bps', 'flow.srtt_us', 'flow.cwnd'];

/** Every stored series name, as GET /analyzer/metrics lists them. */
function metricNames() {
  const out = [];
  for (const l of LAYERS) for (const d of DIRS) out.push(`volume.${l}.${d}.pps`, `volume.${l}.${d}.bps`);
  for (const p of PAIRS) {
    for (const q of ['p50', 'p90', 'p99', 'max']) out.push(`latency.${p.dir}.${p.from}.${p.to}.${q}`);
    out.push(`transitions.${p.dir}.${p.from}.${p.to}`);
  }
  out.push('loss.drops_per_s', 'loss.drop_ratio');
  for (const r of REASONS) out.push(`loss.reason.${r.reason}.per_s`);
  out.push('tcp.retransmits_per_s', 'tcp.rst_sent_per_s', 'tcp.rst_received_per_s');
  return out.sort();
}

function dropsAt(s) {
  return REASONS.reduce((n, r) => n + reasonAt(r, s), 0);
}

/** A global metric's value at second s; undefined for a name the daemon does not store. */
function metricAt(metric, s) {
  const parts = metric.split('.');
  if (parts[0] === 'volume' && parts.length === 4 && LAYERS.includes(parts[1]) && DIRS.includes(parts[2])) {
    const v = volumeAt(parts[1], parts[2], s);
    return parts[3] === 'pps' ? v.pps : parts[3] === 'bps' ? v.bps : undefined;
  }
  if (parts[0] === 'latency' || parts[0] === 'transitions') {
    const p = PAIRS.find((x) => x.dir === parts[1] && x.from === parts[2] && x.to === parts[3]);
    if (!p) return undefined;
    if (parts[0] === 'transitions') return parts.length === 4 ? volumeAt(p.rate, p.dir, s).pps : undefined;
    return parts.length === 5 && ['p50', 'p90', 'p99', 'max'].includes(parts[4]) ? latencyAt(p, parts[4], s) : undefined;
  }
  if (metric === 'loss.drops_per_s') return dropsAt(s);
  if (metric === 'loss.drop_ratio') return dropsAt(s) / (volumeAt('link', 'rx', s).pps + volumeAt('link', 'tx', s).pps);
  const reason = /^loss\.reason\.(.+)\.per_s$/.exec(metric)?.[1];
  if (reason) {
    const r = REASONS.find((x) => x.reason === reason);
    return r ? reasonAt(r, s) : undefined;
  }
  if (metric === 'tcp.retransmits_per_s') return Math.round(wave('retrans', 1.2, s, 1));
  if (metric === 'tcp.rst_sent_per_s') return noise('rst', s) < 0.1 ? 1 : 0;
  if (metric === 'tcp.rst_received_per_s') return noise('rstr', s) < 0.05 ? 1 : 0;
  return undefined;
}

function flowMetricAt(f, metric, s) {
  const r = flowRates(f, s);
  switch (metric) {
    case 'flow.rx.pps': return r.rx.pps;
    case 'flow.rx.bps': return r.rx.bps;
    case 'flow.tx.pps': return r.tx.pps;
    case 'flow.tx.bps': return r.tx.bps;
    case 'flow.srtt_us': return f.protocol === 'tcp' ? r.srtt_us : undefined;
    case 'flow.cwnd': return f.protocol === 'tcp' ? r.cwnd : undefined;
    default: return undefined;
  }
}

function intParam(url, name, def, lo, hi) {
  const raw = url.searchParams.get(name);
  if (raw === null) return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < lo || n > hi) throw new RangeError(`query parameter '${name}' must be a whole number from ${lo} to ${hi}, got "${raw}"`);
  return n;
}

/** `enabled: false` answers every route with the 503 a daemon without the analyzer sends. */
export function makeAnalyzer({ enabled = true } = {}) {
  const startedS = Math.floor(Date.now() / 1000);
  const historyFromS = startedS - HISTORY_S;
  const flows = makeFlows();
  for (const f of flows) f.first_seen_ns = (historyFromS + Math.floor(noise(f.key, 1) * HISTORY_S)) * 1e9;
  const totals = { volume: {}, pairs: PAIRS.map(() => 0), drops: 0, byLayer: { link: 0, network: 0, transport: 0, socket: 0 }, reasons: {}, tcp: { retransmits: 0, rst_sent: 0, rst_received: 0 } };
  for (const l of LAYERS) totals.volume[l] = { rx: { packets: 0, bytes: 0 }, tx: { packets: 0, bytes: 0 } };
  let latest = null;

  const take = () => {
    const s = Math.floor(Date.now() / 1000);
    const volume = {};
    for (const l of LAYERS) {
      volume[l] = {};
      for (const d of DIRS) {
        const v = volumeAt(l, d, s);
        const t = totals.volume[l][d];
        t.packets += Math.round(v.pps);
        t.bytes += Math.round(v.bps / 8);
        volume[l][d] = { packets: t.packets, bytes: t.bytes, pps: v.pps, bps: v.bps };
      }
    }
    const pairs = PAIRS.map((p, i) => {
      const per = volumeAt(p.rate, p.dir, s).pps;
      totals.pairs[i] += Math.round(per);
      const count = Math.max(1, Math.round(per / 4));
      const lat = (q) => Math.round(latencyAt(p, q, s));
      return { dir: p.dir, from: p.from, to: p.to, transitions: totals.pairs[i], transitions_per_s: per,
        latency: { count, total_count: totals.pairs[i], p50_ns: lat('p50'), p90_ns: lat('p90'), p99_ns: lat('p99'), max_ns: lat('max') } };
    });
    const byReason = [];
    let perS = 0;
    for (const r of REASONS) {
      const v = reasonAt(r, s);
      perS += v;
      totals.reasons[r.reason] = (totals.reasons[r.reason] ?? 0) + Math.round(v);
      totals.byLayer[r.layer] += Math.round(v);
      if (totals.reasons[r.reason] > 0) byReason.push({ reason: r.reason, layer: r.layer, count: totals.reasons[r.reason], per_s: v });
    }
    byReason.sort((a, b) => b.count - a.count);
    totals.drops += Math.round(perS);
    const ratioByLayer = {};
    for (const l of LAYERS) {
      const here = REASONS.filter((r) => r.layer === l).reduce((n, r) => n + reasonAt(r, s), 0);
      ratioByLayer[l] = here / (volume[l].rx.pps + volume[l].tx.pps || 1);
    }
    const tcp = { retransmits_per_s: metricAt('tcp.retransmits_per_s', s), rst_sent_per_s: metricAt('tcp.rst_sent_per_s', s), rst_received_per_s: metricAt('tcp.rst_received_per_s', s) };
    totals.tcp.retransmits += tcp.retransmits_per_s;
    totals.tcp.rst_sent += tcp.rst_sent_per_s;
    totals.tcp.rst_received += tcp.rst_received_per_s;
    for (const f of flows) {
      const r = flowRates(f, s);
      const t = f.totals;
      t.rxp += r.rx.pps; t.rxb += r.rx.bps / 8; t.txp += r.tx.pps; t.txb += r.tx.bps / 8;
      t.drops += r.drops; t.retrans += r.retrans;
    }
    latest = {
      wall_ns: Date.now() * 1e6, interval_s: 1, latency_sample: 1, volume, pairs,
      loss: { drops: totals.drops, drops_per_s: perS, drop_ratio: metricAt('loss.drop_ratio', s), by_layer: { ...totals.byLayer }, ratio_by_layer: ratioByLayer, by_reason: byReason },
      tcp: { ...totals.tcp, bad_csum: 0, ...tcp },
      flowsAt: s,
      interfaces: [{ ifindex: 1, netns: NETNS, name: 'lo', rx: volume.link.rx, tx: volume.link.tx, drops: 0 }],
      namespaces: [{ netns: NETNS, rx: volume.link.rx, tx: volume.link.tx, drops: totals.drops }],
      processes: [],
      maps: [{ map: 'flows', entries: flows.length, capacity: 65536, evictions_or_failures: 0 }],
    };
    return latest;
  };

  const topFlows = (sort, n) => {
    const s = latest?.flowsAt ?? Math.floor(Date.now() / 1000);
    const items = flows.map((f) => flowJson(f, s));
    const key = { bytes: (f) => f.rx.bps + f.tx.bps, loss: (f) => f.drops + f.retransmits, latency: (f) => f.latency_avg_ns }[sort];
    return items.sort((a, b) => key(b) - key(a)).slice(0, n);
  };

  /** The snapshot as the API and the stream send it: the top N flows, no internal fields. */
  const publicSnapshot = (top = 20) => {
    const { flowsAt: _unused, ...rest } = latest ?? take();
    return { ...rest, flows: topFlows('bytes', top) };
  };

  const series = (metric, fromMs, toMs, flow) => {
    const nowS = Math.floor(Date.now() / 1000);
    const fromS = Math.max(Math.ceil(fromMs / 1000), historyFromS);
    const toS = Math.min(Math.floor(toMs / 1000), nowS - 1);
    const rollup = fromS < nowS - WINDOW_S;
    const step = rollup ? 60 : 1;
    const points = [];
    for (let s = Math.ceil(fromS / step) * step; s <= toS; s += step) {
      const v = flow ? flowMetricAt(flow, metric, s) : metricAt(metric, s);
      if (v !== undefined) points.push([s * 1000, v]);
    }
    return { metric, resolution_s: step, points };
  };

  /** Answers /api/v1/analyzer/...; `send(status, body)`, `fail(status, code, message)`. */
  const handle = (url, send, fail) => {
    if (!enabled) return fail(503, 'analyzer_unavailable', 'the analyzer is disabled in the configuration (analyzer.enabled = false)');
    const route = url.pathname.slice('/api/v1/analyzer'.length);
    try {
      if (route === '/snapshot') return send(200, publicSnapshot(intParam(url, 'top', 20, 1, 200)));
      if (route === '/metrics') return send(200, { items: metricNames() });
      if (route === '/series') {
        const metric = url.searchParams.get('metric');
        if (!metric) return fail(400, 'bad_request', "query parameter 'metric' is required");
        const now = Date.now();
        const to = intParam(url, 'to', now, 0, 2 ** 53);
        const from = intParam(url, 'from', now - 300_000, 0, 2 ** 53);
        if (from > to) return fail(400, 'bad_request', "'from' is after 'to'");
        const key = url.searchParams.get('flow');
        if (key !== null) {
          const f = flows.find((x) => x.key === key);
          if (!f) return fail(404, 'not_found', `no flow ${key}`);
          if (!FLOW_METRICS.includes(metric)) return fail(400, 'bad_request', `unknown flow metric '${metric}'`);
          return send(200, series(metric, from, to, f));
        }
        if (metricAt(metric, 0) === undefined) return fail(400, 'bad_request', `unknown metric '${metric}' (see /api/v1/analyzer/metrics)`);
        return send(200, series(metric, from, to, null));
      }
      if (route === '/flows') {
        const sort = url.searchParams.get('sort') ?? 'bytes';
        if (!['bytes', 'loss', 'latency'].includes(sort)) return fail(400, 'bad_request', "query parameter 'sort' must be bytes, loss or latency");
        return send(200, { items: topFlows(sort, intParam(url, 'limit', 20, 1, 200)) });
      }
      const m = /^\/flows\/(.+)$/.exec(route);
      if (m) {
        const key = decodeURIComponent(m[1]);
        const f = flows.find((x) => x.key === key);
        if (!f) return fail(404, 'not_found', `no flow ${key} (it may have ended)`);
        const now = Date.now();
        const pts = (metric) => series(metric, now - 300_000, now, f).points;
        const s = latest?.flowsAt ?? Math.floor(now / 1000);
        return send(200, { flow: flowJson(f, s), series: { rx_bps: pts('flow.rx.bps'), tx_bps: pts('flow.tx.bps'), srtt_us: pts('flow.srtt_us') } });
      }
    } catch (e) {
      if (e instanceof RangeError) return fail(400, 'bad_request', e.message);
      throw e;
    }
    return fail(404, 'not_found', `no route for ${url.pathname}`);
  };

  return {
    enabled,
    /** Takes the next snapshot (once a second) and returns what the stream publishes, or null. */
    tick: () => {
      if (!enabled) return null;
      take();
      return publicSnapshot(20);
    },
    handle,
    module: enabled
      ? { name: 'analyzer', state: 'running', detail: 'mock: per-layer counters, 5 layer pairs' }
      : { name: 'analyzer', state: 'disabled', detail: 'analyzer.enabled = false' },
  };
}
