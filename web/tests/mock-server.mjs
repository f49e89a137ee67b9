#!/usr/bin/env node
// Development stand-in for the PacketScope daemon: implements the v1 web API
// contract (REST + WebSocket stream) with a fixed token and serves web/dist.
//
//   node tests/mock-server.mjs [--port 9470] [--token HEX] [--web-root dist] [--ready-file F]
//
// --ready-file writes the same JSON the daemon writes ({"url","port","token","pid"}).
//
// Also importable: `const srv = await startMockServer({ port: 0 })`.
import { createReadStream, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

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

// The same security headers the daemon sends, so CSP violations show up in development too.
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res, status, code, message) {
  sendJson(res, status, { error: { code, message } });
}

export async function startMockServer({ port = 9470, host = '127.0.0.1', token = MOCK_TOKEN, webRoot = path.join(HERE, '..', 'dist'), quiet = true } = {}) {
  const startedAt = new Date();
  const stats = { packets_rx: 0, packets_tx: 0, drops: 0, consumed: 0, ringbuf_lost: 0 };
  const drops = [];
  let seq = 0;

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
  };
  const ticker = setInterval(advance, 1000);

  const authorized = (req) => req.headers.authorization === `Bearer ${token}`;

  const api = (req, res, url) => {
    if (!authorized(req)) return sendError(res, 401, 'unauthorized', 'missing or invalid bearer token');
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
            { name: 'analyzer', state: 'not_implemented', detail: 'planned for a later milestone' },
            { name: 'locator', state: 'not_implemented', detail: 'planned for a later milestone' },
            { name: 'guarder', state: 'not_implemented', detail: 'planned for a later milestone' },
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
      default:
        return sendError(res, 404, 'not_found', `no route for ${url.pathname}`);
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
      ws.on('close', () => clearInterval(t));
      ws.on('error', () => clearInterval(t));
    });
  });

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
