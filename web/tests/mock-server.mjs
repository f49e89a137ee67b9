#!/usr/bin/env node
// Development stand-in for the PacketScope daemon: implements the v1 web API
// contract (REST + WebSocket stream) with a fixed token and serves web/dist.
//
//   node tests/mock-server.mjs [--port 9470] [--token HEX] [--web-root dist] [--ready-file F] [--no-analyzer] [--no-guarder]
//
// --ready-file writes the same JSON the daemon writes ({"url","port","token","pid"}).
//
// Also importable: `const srv = await startMockServer({ port: 0 })`.
import { createReadStream, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { FilterError, compileFilter } from './mock-filter.mjs';
import { makeAnalyzer } from './mock-analyzer.mjs';
import { makeGuarder } from './mock-guarder.mjs';
import { jitterSockets, makePacketStore, makeSockets, packetOfSocket, summaryOf } from './mock-tracer.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const MOCK_TOKEN = '0123456789abcdef0123456789abcdef';
const VERSION = '0.1.0';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const REASONS = [
  ['NO_SOCKET', '__udp4_lib_rcv+0x5a1', 'udp'],
  ['TCP_INVALID_SEQUENCE', 'tcp_validate_incoming+0x13e', 'tcp'],
  ['NETFILTER_DROP', 'nf_hook_slow+0xa4', 'tcp'],
  ['SOCKET_RCVBUFF', 'sock_queue_rcv_skb_reason+0x2c', 'udp'],
  ['IP_NOPROTO', 'ip_protocol_deliver_rcu+0x1b7', 'icmp'],
];

// A connection to the mock nginx (10.0.0.1:443) goes through these server-side changes, as
// the daemon's "sockets.state" frames report them (sock:inet_sock_set_state).
const SERVER_LIFECYCLE = [
  ['LISTEN', 'SYN_RECV'],
  ['SYN_RECV', 'ESTABLISHED'],
  ['ESTABLISHED', 'CLOSE_WAIT'],
  ['CLOSE_WAIT', 'LAST_ACK'],
  ['LAST_ACK', 'CLOSE'],
];
const STATE_LOG_MAX = 1000;

// The same security headers the daemon sends, so CSP violations show up in development too.
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

// nlohmann::json objects keep their keys sorted, so the daemon's JSON always comes that way.
function sortedKeys(_key, value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body, sortedKeys);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res, status, code, message, fields) {
  sendJson(res, status, { error: fields ? { code, message, fields } : { code, message } });
}

const MAX_BODY = 1 << 20;

/** The request body as JSON: {body} or {error: [status, code, message]}. */
function readJsonBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return resolve({ error: [413, 'too_large', 'the body is over 1 MiB'] });
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve({ body: undefined });
      try {
        return resolve({ body: JSON.parse(text) });
      } catch (e) {
        return resolve({ error: [400, 'bad_json', `the body is not JSON: ${e.message}`] });
      }
    });
  });
}

export async function startMockServer({ port = 9470, host = '127.0.0.1', token = MOCK_TOKEN, webRoot = path.join(HERE, '..', 'dist'), quiet = true, analyzer: analyzerOn = true, guarder: guarderOn = true } = {}) {
  const analyzer = makeAnalyzer({ enabled: analyzerOn });
  const guarder = makeGuarder({ enabled: guarderOn });
  const startedAt = new Date();
  const stats = { packets_rx: 0, packets_tx: 0, drops: 0, consumed: 0, ringbuf_lost: 0 };
  const drops = [];
  const sockets = makeSockets();
  const packets = makePacketStore();
  let seq = 0;

  const pathClients = new Set();
  const streamClients = new Set();
  // The daemon's in-memory list of recent socket state changes, oldest first.
  const stateLog = [];
  let stateId = 0;
  const emitStateChanges = (n) => {
    const port = 40000 + ((n * 7919) % 20000);
    const cookie = 2 ** 41 + n;
    const t0 = BigInt(Date.now()) * 1_000_000n;
    SERVER_LIFECYCLE.forEach(([from, to], i) => {
      const ts = t0 + BigInt(i * 37_000);
      const change = {
        id: ++stateId,
        time: new Date(Number(ts / 1_000_000n)).toISOString(),
        ts_ns: Number(ts),
        cookie,
        cookie_hex: `0x${cookie.toString(16)}`,
        netns: 4026531840,
        family: 4,
        proto: 'tcp',
        old_state: from,
        new_state: to,
        local_addr: '10.0.0.1',
        local_port: 443,
        remote_addr: '10.0.0.2',
        remote_port: port,
        pid: i === 0 || i === 3 ? 1234 : 0,
        comm: i === 0 || i === 3 ? 'nginx' : '',
      };
      stateLog.push(change);
      if (stateLog.length > STATE_LOG_MAX) stateLog.shift();
      const frame = JSON.stringify({ type: 'sockets.state', ts: change.time, data: change }, sortedKeys);
      for (const ws of streamClients) ws.send(frame);
    });
  };

  const advance = () => {
    seq += 1;
    const rx = 900 + Math.floor(Math.random() * 300);
    stats.packets_rx += rx;
    stats.packets_tx += Math.floor(rx * 0.8);
    stats.consumed += Math.floor(rx * 0.95);
    const nDrops = seq % 3 === 0 ? 1 + (seq % 4) : 0;
    stats.drops += nDrops;
    if (seq % 20 === 0) stats.ringbuf_lost += 2;
    for (let i = 0; i < nDrops; i++) {
      const [reason, location, protocol] = REASONS[(seq + i) % REASONS.length];
      drops.unshift({
        time: new Date().toISOString(),
        reason,
        location,
        ifindex: 1 + ((seq + i) % 3),
        netns: 4026531840,
        protocol,
        src: `10.0.0.${1 + (i % 5)}`,
        dst: '10.0.0.2',
      });
    }
    drops.length = Math.min(drops.length, 500);
    const p = packets.tick(seq);
    // As the daemon's StreamHub::publish_path: the summary, to the clients whose filter matches.
    const frame = JSON.stringify({ type: 'tracer.path', ts: new Date().toISOString(), data: summaryOf(p) }, sortedKeys);
    for (const c of pathClients) if (c.match && c.match(p)) c.ws.send(frame);
    if (seq % 3 === 0) emitStateChanges(seq / 3);
    // As the daemon: every client gets "analyzer.snapshot" once a second.
    const snap = analyzer.tick();
    if (snap) {
      const af = JSON.stringify({ type: 'analyzer.snapshot', ts: new Date().toISOString(), data: snap }, sortedKeys);
      for (const ws of streamClients) ws.send(af);
    }
    // And "guard.counters": the /guard/counters body plus the stats.
    const gc = guarder.tick();
    if (gc) {
      const gf = JSON.stringify({ type: 'guard.counters', ts: gc.ts, data: gc }, sortedKeys);
      for (const ws of streamClients) ws.send(gf);
    }
  };
  const ticker = setInterval(advance, 1000);

  const authorized = (req) => req.headers.authorization === `Bearer ${token}`;

  const guardApi = async (req, res, url) => {
    const read = req.method === 'GET' || req.method === 'DELETE' ? { body: undefined } : await readJsonBody(req);
    if (read.error) return sendError(res, ...read.error);
    return guarder.handle({
      method: req.method,
      url,
      body: read.body,
      caller: String(req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      apiPort: server.address().port,
      send: (status, body) => {
        if (status !== 204) return sendJson(res, status, body);
        res.writeHead(204, SECURITY_HEADERS);
        return res.end();
      },
      fail: (status, code, message, fields) => sendError(res, status, code, message, fields),
    });
  };

  const api = (req, res, url) => {
    if (!authorized(req)) return sendError(res, 401, 'unauthorized', 'missing or invalid bearer token');
    if (url.pathname.startsWith('/api/v1/guard/')) return void guardApi(req, res, url);
    if (req.method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'only GET is supported');
    switch (url.pathname) {
      case '/api/v1/health':
        return sendJson(res, 200, {
          status: 'ok',
          version: VERSION,
          uptime_s: (Date.now() - startedAt.getTime()) / 1000,
          started_at: startedAt.toISOString(),
          features: [
            { name: 'btf', available: true, detail: '/sys/kernel/btf/vmlinux present' },
            { name: 'bpffs', available: true, detail: 'mounted at /sys/fs/bpf' },
            { name: 'tp_btf', available: true, detail: 'BTF-enabled tracepoints supported' },
            { name: 'raw_tp', available: true, detail: '' },
            { name: 'ringbuf', available: true, detail: 'BPF_MAP_TYPE_RINGBUF supported' },
            { name: 'xdp', available: true, detail: '' },
            { name: 'tc', available: true, detail: 'tcx not available, using clsact' },
            { name: 'kprobe', available: true, detail: '' },
            { name: 'fentry', available: false, detail: 'mock: trampolines disabled' },
          ],
          modules: [
            { name: 'tracer', state: 'running', detail: 'tp_btf/kfree_skb, tp_btf/consume_skb' },
            analyzer.module,
            { name: 'locator', state: 'not_implemented', detail: 'planned for a later milestone' },
            guarder.module,
          ],
        });
      case '/api/v1/config':
        return sendJson(res, 200, {
          listen: `${host}:${server.address().port}`,
          data_dir: '/var/lib/packetscope',
          web_root: webRoot,
          tracer: { ringbuf_bytes: 4194304, sample_rate: 1, interfaces: [] },
          retention: { drops: 10000 },
        });
      case '/api/v1/tracer/stats':
        return sendJson(res, 200, stats);
      case '/api/v1/tracer/drops': {
        const raw = url.searchParams.get('limit') ?? '50';
        const limit = Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return sendError(res, 400, 'bad_request', `limit must be an integer in [1, 1000], got "${raw}"`);
        }
        return sendJson(res, 200, { items: drops.slice(0, limit) });
      }
      case '/api/v1/sockets': {
        const proto = url.searchParams.get('proto') ?? '';
        if (proto !== '' && !['tcp', 'udp', 'raw'].includes(proto)) {
          return sendError(res, 400, 'bad_request', "query parameter 'proto' must be tcp, udp or raw");
        }
        jitterSockets(sockets, seq * 7919 + 1);
        const items = proto ? sockets.filter((s) => s.proto === proto) : sockets;
        return sendJson(res, 200, { items, total: items.length });
      }
      case '/api/v1/sockets/events': {
        const raw = url.searchParams.get('limit') ?? '100';
        const limit = Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return sendError(res, 400, 'bad_request', `query parameter 'limit' must be a whole number from 1 to 1000`);
        }
        return sendJson(res, 200, { items: stateLog.slice(-limit).reverse() });
      }
      case '/api/v1/tracer/packets': {
        const raw = url.searchParams.get('limit') ?? '50';
        const limit = Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return sendError(res, 400, 'bad_request', `limit must be an integer in [1, 1000], got "${raw}"`);
        }
        const before = url.searchParams.get('before_id');
        const cookie = url.searchParams.get('socket');
        let match;
        try {
          match = compileFilter(url.searchParams.get('filter') ?? '');
        } catch (e) {
          if (e instanceof FilterError) return sendError(res, 400, 'bad_filter', e.message);
          throw e;
        }
        let sock = null;
        if (cookie !== null) {
          if (!/^\d+$/.test(cookie)) return sendError(res, 400, 'bad_request', "query parameter 'socket' must be a socket cookie (a number)");
          sock = sockets.find((s) => BigInt(`0x${s.cookie_hex}`).toString() === cookie) ?? null;
          if (!sock) return sendError(res, 400, 'bad_request', `no socket with cookie ${cookie} (it may have closed)`);
        }
        const out = [];
        for (const p of packets.items) {
          if (before !== null && p.id >= Number(before)) continue;
          if (sock && !packetOfSocket(p, sock)) continue;
          if (!match(p)) continue;
          out.push(summaryOf(p));
          if (out.length === limit) break;
        }
        const body = { items: out };
        if (out.length === limit) body.next_before_id = out[out.length - 1].id;
        return sendJson(res, 200, body);
      }
      default: {
        if (url.pathname.startsWith('/api/v1/analyzer/')) {
          return analyzer.handle(url, (status, body) => sendJson(res, status, body), (status, code, msg) => sendError(res, status, code, msg));
        }
        const m = /^\/api\/v1\/tracer\/packets\/([^/]+)$/.exec(url.pathname);
        if (m) {
          if (!/^[1-9]\d*$/.test(m[1])) return sendError(res, 400, 'bad_request', 'packet id must be a positive whole number');
          const p = packets.get(Number(m[1]));
          if (!p) return sendError(res, 404, 'not_found', `no packet ${m[1]} (retention may have removed it)`);
          return sendJson(res, 200, p);
        }
        return sendError(res, 404, 'not_found', `no route for ${url.pathname}`);
      }
    }
  };

  const serveStatic = (req, res, url) => {
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.normalize(path.join(webRoot, rel));
    if (!file.startsWith(path.normalize(webRoot) + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      return sendError(res, 404, 'not_found', `no file ${url.pathname}`);
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!quiet) console.log(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname.startsWith('/api/')) return api(req, res, url);
    return serveStatic(req, res, url);
  });

  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'packetscope.v1' });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const ok = url.pathname === '/api/v1/stream' && offered.includes('packetscope.v1') && offered.includes(`bearer.${token}`);
    if (!ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: 'hello', data: { version: VERSION } }));
      const send = () => ws.send(JSON.stringify({ type: 'tracer.stats', ts: new Date().toISOString(), data: stats }));
      send();
      const t = setInterval(send, 1000);
      const client = { ws, match: null }; // null: not subscribed to tracer.path (as the daemon)
      pathClients.add(client);
      streamClients.add(ws); // "sockets.state" frames go to every client
      const bye = () => {
        clearInterval(t);
        pathClients.delete(client);
        streamClients.delete(ws);
      };
      ws.on('close', bye);
      ws.on('error', bye);
      ws.on('message', (raw) => onStreamRequest(client, String(raw)));
    });
  });

  // Client requests, as the daemon's WsSession::on_message: {"type":"filter","topic":"tracer.path","expr":...}.
  const onStreamRequest = (client, text) => {
    const reply = (type, data) => client.ws.send(JSON.stringify({ type, data }));
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = null;
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string')
      return reply('error', { code: 'bad_request', message: 'stream messages are JSON objects with a string "type"' });
    if (msg.type !== 'filter' && msg.type !== 'unsubscribe')
      return reply('error', { code: 'bad_request', message: 'unknown stream message type; known: filter, unsubscribe' });
    if (msg.topic !== 'tracer.path')
      return reply('error', { code: 'bad_request', message: `${msg.type}: "topic" must be "tracer.path"` });
    if (msg.type === 'unsubscribe') {
      client.match = null;
      return reply('unsubscribed', { topic: 'tracer.path' });
    }
    if (typeof msg.expr !== 'string')
      return reply('error', { code: 'bad_request', message: 'filter: "expr" must be a string ("" clears the filter)' });
    try {
      client.match = compileFilter(msg.expr);
    } catch (e) {
      if (e instanceof FilterError) return reply('error', { code: 'bad_filter', message: e.message });
      throw e;
    }
    return reply('filter', { topic: 'tracer.path', expr: msg.expr.trim() });
  };

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://${host}:${actualPort}/`,
    port: actualPort,
    token,
    close: () =>
      new Promise((resolve) => {
        clearInterval(ticker);
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srv = await startMockServer({
    port: Number(arg('port', process.env.PORT ?? '9470')),
    token: arg('token', process.env.PS_MOCK_TOKEN ?? MOCK_TOKEN),
    webRoot: path.resolve(arg('web-root', path.join(HERE, '..', 'dist'))),
    quiet: !process.argv.includes('--verbose'),
    analyzer: !process.argv.includes('--no-analyzer'),
    guarder: !process.argv.includes('--no-guarder'),
  });
  console.log(`mock PacketScope daemon at ${srv.url}#token=${srv.token}`);
  const readyFile = arg('ready-file', null);
  if (readyFile) {
    const body = JSON.stringify({ url: srv.url, port: srv.port, token: srv.token, pid: process.pid });
    writeFileSync(`${readyFile}.tmp`, body);
    renameSync(`${readyFile}.tmp`, readyFile);
  }
  const stop = async () => {
    await srv.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
