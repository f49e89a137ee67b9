// Mock data for the Monitor page: a socket table (a few realistic sockets plus
// ~10 000 generated ones, to exercise the virtualised table), packet paths
// (one dropped path that crosses two network namespaces, delivered rx/tx
// paths, a UDP receive-buffer drop, an ICMP error) in the daemon's JSON shapes,
// and the daemon's socket matching. Used by tests/mock-server.mjs.

export const SOCKET_COUNT = 10_000;
const HOST_NS = 4026531840;
const CONTAINER_NS = 4026532000;

// ---- deterministic pseudo-random numbers (the same table on every start) ----

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

// ---- sockets ----

const COMMS = ['nginx', 'envoy', 'postgres', 'redis-server', 'node', 'java', 'python3', 'curl', 'sshd', 'haproxy'];
const TCP_STATES = [
  ['ESTABLISHED', 60],
  ['TIME_WAIT', 14],
  ['LISTEN', 6],
  ['CLOSE_WAIT', 5],
  ['SYN_SENT', 3],
  ['FIN_WAIT2', 4],
  ['SYN_RECV', 2],
  ['LAST_ACK', 2],
  ['FIN_WAIT1', 4],
];

function pick(r, weighted) {
  const total = weighted.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of weighted) {
    x -= w;
    if (x < 0) return v;
  }
  return weighted[weighted.length - 1][0];
}

function tcpInfo(r, state) {
  if (state === 'LISTEN' || state === 'TIME_WAIT' || state === 'SYN_RECV') return null;
  const srtt = Math.round(40 + r() * (r() < 0.8 ? 2000 : 90000));
  const retrans = r() < 0.9 ? 0 : Math.floor(r() * 40);
  const acked = Math.floor(r() * 5e8);
  return {
    srtt_us: srtt,
    rttvar_us: Math.round(srtt / 4 + r() * 50),
    snd_cwnd: 10 + Math.floor(r() * 180),
    retransmits: retrans > 0 && r() < 0.3 ? 1 : 0,
    total_retrans: retrans,
    lost: retrans > 0 && r() < 0.2 ? 1 : 0,
    unacked: Math.floor(r() * 8),
    rto_us: 200000 + srtt,
    delivery_rate: Math.floor(r() * (r() < 0.5 ? 2e6 : 1.25e8)),
    bytes_acked: acked,
    bytes_received: Math.floor(r() * 5e8),
    pacing_rate: Math.floor(r() * 2.5e8),
    snd_mss: 1448,
    rcv_space: 14480 + Math.floor(r() * 60000),
  };
}

// The daemon's JSON: cookie as a number (exact below 2^53) and as hex (always exact).
function socket(cookie, fields) {
  return {
    cookie: Number(cookie),
    cookie_hex: cookie.toString(16),
    proto: 'tcp',
    family: 4,
    state: 'ESTABLISHED',
    local_addr: '0.0.0.0',
    local_port: 0,
    remote_addr: '0.0.0.0',
    remote_port: 0,
    rx_queue: 0,
    tx_queue: 0,
    inode: 0,
    uid: 0,
    ifindex: 0,
    owners: [],
    congestion: '',
    tcp: null,
    ...fields,
  };
}

export function makeSockets(count = SOCKET_COUNT) {
  const r = rng(20261123);
  const base = 2n ** 40n;
  let n = 0;
  const next = () => base + BigInt(n++ * 7 + 13);
  const est = {
    srtt_us: 118, rttvar_us: 31, snd_cwnd: 10, retransmits: 0, total_retrans: 2, lost: 0, unacked: 1, rto_us: 201000,
    delivery_rate: 1250000, bytes_acked: 48213, bytes_received: 2210, pacing_rate: 2500000, snd_mss: 1448, rcv_space: 14480,
  };
  const fixed = [
    // The socket the mock packets belong to: first in the table.
    socket(next(), { local_addr: '10.0.0.1', local_port: 443, remote_addr: '10.0.0.2', remote_port: 51000, inode: 40211, uid: 33, owners: [{ pid: 1234, comm: 'nginx' }, { pid: 1235, comm: 'nginx' }], congestion: 'cubic', tcp: est }),
    socket(next(), { state: 'LISTEN', local_port: 443, tx_queue: 511, inode: 40200, uid: 0, owners: [{ pid: 1234, comm: 'nginx' }] }),
    socket(next(), { state: 'LISTEN', family: 6, local_addr: '::', local_port: 22, remote_addr: '::', tx_queue: 128, inode: 30110, owners: [{ pid: 812, comm: 'sshd' }] }),
    socket(next(), { family: 6, local_addr: '2001:db8::1', local_port: 22, remote_addr: '2001:db8:85a3::8a2e:370:7334', remote_port: 60122, inode: 51022, owners: [{ pid: 4410, comm: 'sshd' }], congestion: 'bbr', tcp: { ...est, srtt_us: 23450, rttvar_us: 4100, snd_cwnd: 48, total_retrans: 0, delivery_rate: 6400000 } }),
    socket(next(), { proto: 'udp', state: 'UNCONN', local_addr: '127.0.0.53', local_port: 53, inode: 20133, uid: 991, owners: [{ pid: 640, comm: 'systemd-resolve' }] }),
    socket(next(), { proto: 'udp', state: 'UNCONN', local_addr: '10.0.0.1', local_port: 5353, rx_queue: 212992, inode: 20190, owners: [{ pid: 700, comm: 'avahi-daemon' }] }),
    socket(next(), { proto: 'raw', state: 'UNCONN', local_port: 1, inode: 61001, owners: [{ pid: 9001, comm: 'ping' }] }),
    socket(next(), { family: 6, proto: 'udp', state: 'ESTABLISHED', local_addr: 'fe80::1c2a:3bff:fe4d:5e6f', local_port: 546, remote_addr: 'fe80::1', remote_port: 547, inode: 20555, owners: [{ pid: 690, comm: 'dhclient' }] }),
  ];
  const out = [...fixed];
  while (out.length < count) {
    const i = out.length;
    const x = r();
    const proto = x < 0.86 ? 'tcp' : x < 0.985 ? 'udp' : 'raw';
    const v6 = r() < 0.12;
    const state = proto === 'tcp' ? pick(r, TCP_STATES) : r() < 0.7 ? 'UNCONN' : 'ESTABLISHED';
    const listening = state === 'LISTEN' || state === 'UNCONN';
    const lport = state === 'LISTEN' ? [80, 443, 5432, 6379, 8080, 9090][i % 6] : proto === 'raw' ? [1, 58, 255][i % 3] : 32768 + Math.floor(r() * 28000);
    const laddr = v6 ? `2001:db8::${(i % 4096).toString(16)}` : `10.0.${(i >> 8) & 255}.${1 + (i % 254)}`;
    const raddr = listening ? (v6 ? '::' : '0.0.0.0') : v6 ? `2001:db8:${(i % 97).toString(16)}::${(i % 65535).toString(16)}` : `172.16.${(i * 7) % 256}.${1 + ((i * 13) % 254)}`;
    const rport = listening ? 0 : [443, 80, 5432, 6379, 53, 8443][i % 6];
    const owned = state !== 'TIME_WAIT' && r() < 0.9;
    const comm = COMMS[Math.floor(r() * COMMS.length)];
    out.push(
      socket(next(), {
        proto,
        family: v6 ? 6 : 4,
        state,
        local_addr: laddr,
        local_port: lport,
        remote_addr: raddr,
        remote_port: rport,
        rx_queue: r() < 0.05 ? Math.floor(r() * 65536) : 0,
        tx_queue: state === 'LISTEN' ? 4096 : r() < 0.08 ? Math.floor(r() * 200000) : 0,
        inode: state === 'TIME_WAIT' ? 0 : 100000 + i,
        uid: owned ? 1000 : 0,
        owners: owned ? [{ pid: 2000 + (i % 3000), comm }] : [],
        congestion: proto === 'tcp' && state !== 'TIME_WAIT' ? (r() < 0.8 ? 'cubic' : 'bbr') : '',
        tcp: proto === 'tcp' ? tcpInfo(r, state) : null,
      }),
    );
  }
  return out;
}

/** Moves some numbers between refreshes so the table visibly updates. */
export function jitterSockets(sockets, seed) {
  const r = rng(seed);
  for (let k = 0; k < 60; k++) {
    const s = sockets[Math.floor(r() * sockets.length)];
    if (s.tcp) {
      s.tcp.srtt_us = Math.max(30, Math.round(s.tcp.srtt_us * (0.8 + r() * 0.4)));
      s.tcp.bytes_acked += Math.floor(r() * 100000);
      s.tcp.delivery_rate = Math.floor(s.tcp.delivery_rate * (0.7 + r() * 0.6));
    }
    if (s.state === 'ESTABLISHED') s.rx_queue = r() < 0.2 ? Math.floor(r() * 9000) : 0;
  }
}

// ---- packets ----

function hex2(n, bytes) {
  return n.toString(16).padStart(bytes * 2, '0').slice(-bytes * 2);
}

function ip4(addr) {
  return addr.split('.').map((o) => hex2(Number(o), 1)).join('');
}

const TCP_FLAG_BITS = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };

function l4Bytes(p) {
  const payload = Buffer.from(p.payload ?? '', 'latin1').toString('hex');
  if (p.protocol === 'tcp') {
    const flags = p.flags.split(',').reduce((a, f) => a | (TCP_FLAG_BITS[f] ?? 0), 0);
    return hex2(p.sport, 2) + hex2(p.dport, 2) + hex2(p.seq, 4) + hex2(p.ack, 4) + '50' + hex2(flags, 1) + 'faf0' + '0000' + '0000' + payload;
  }
  if (p.protocol === 'udp') {
    return hex2(p.sport, 2) + hex2(p.dport, 2) + hex2(8 + payload.length / 2, 2) + '0000' + payload;
  }
  // ICMP port unreachable carrying the start of the offending datagram.
  return '0303' + '0000' + '00000000' + payload;
}

const PROTO_NUM = { tcp: 6, udp: 17, icmp: 1 };

function packetBytes(p) {
  const l4 = l4Bytes(p);
  const total = 20 + l4.length / 2;
  return '4500' + hex2(total, 2) + hex2(p.ipid ?? 0x1c46, 2) + '4000' + hex2(p.ttl ?? 64, 1) + hex2(PROTO_NUM[p.protocol], 1) + '0000' + ip4(p.src) + ip4(p.dst) + l4;
}

function hop(hook, layer, ifindex, netns, cpu, t_ns, aux = 0) {
  return { hook, layer, ifindex, netns, cpu, t_ns, dt_ns: 0, aux };
}

// Each template is one kind of path; the mock stamps ids and times on copies.
const TEMPLATES = [
  {
    // Arrives on eth0 in the host namespace, is routed into a container over a
    // veth pair and dropped there by nftables.
    direction: 'rx',
    protocol: 'tcp',
    src: '10.0.0.2',
    dst: '10.0.0.1',
    sport: 51000,
    dport: 443,
    flags: 'PSH,ACK',
    seq: 3221225472,
    ack: 1048577,
    payload: 'GET /api/orders HTTP/1.1\r\nHost: shop.example\r\n\r\n',
    dropped: true,
    reason: 'NETFILTER_DROP',
    location: 'nft_do_chain+0x4c',
    comm: '',
    tgid: 0,
    hops: [
      hop('xdp', 'link', 2, HOST_NS, 1, 0),
      hop('napi_gro_receive', 'link', 2, HOST_NS, 1, 900),
      hop('netif_receive_skb', 'link', 2, HOST_NS, 1, 2100),
      hop('tc_ingress', 'link', 2, HOST_NS, 1, 3400),
      hop('fib_table_lookup', 'network', 2, HOST_NS, 1, 6200),
      hop('net_dev_queue', 'link', 7, HOST_NS, 1, 9800),
      hop('net_dev_start_xmit', 'link', 7, HOST_NS, 1, 11300),
      hop('netif_rx', 'link', 3, CONTAINER_NS, 1, 13900),
      hop('netif_receive_skb', 'link', 3, CONTAINER_NS, 3, 31200),
      hop('fib_table_lookup', 'network', 3, CONTAINER_NS, 3, 34000),
      hop('kfree_skb', 'network', 3, CONTAINER_NS, 3, 38400, 5),
    ],
  },
  {
    direction: 'rx',
    protocol: 'tcp',
    src: '10.0.0.2',
    dst: '10.0.0.1',
    sport: 51000,
    dport: 443,
    flags: 'ACK',
    seq: 3221225400,
    ack: 1048577,
    payload: '',
    dropped: false,
    comm: 'nginx',
    tgid: 1234,
    hops: [
      hop('napi_gro_receive', 'link', 2, HOST_NS, 0, 0),
      hop('netif_receive_skb', 'link', 2, HOST_NS, 0, 1500),
      hop('tc_ingress', 'link', 2, HOST_NS, 0, 2600),
      hop('fib_table_lookup', 'network', 2, HOST_NS, 0, 4300),
      hop('tcp_rcv', 'transport', 2, HOST_NS, 0, 7100),
      hop('skb_copy_datagram_iovec', 'socket', 0, HOST_NS, 2, 52300),
      hop('consume_skb', 'socket', 0, HOST_NS, 2, 53100),
    ],
  },
  {
    direction: 'tx',
    protocol: 'tcp',
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: 443,
    dport: 51000,
    flags: 'PSH,ACK',
    seq: 1048577,
    ack: 3221225472,
    payload: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}',
    dropped: false,
    comm: 'nginx',
    tgid: 1234,
    hops: [
      hop('tcp_retransmit_skb', 'transport', 0, HOST_NS, 2, 0),
      hop('tc_egress', 'link', 2, HOST_NS, 2, 3100),
      hop('net_dev_queue', 'link', 2, HOST_NS, 2, 4200),
      hop('qdisc_enqueue', 'link', 2, HOST_NS, 2, 5000),
      hop('qdisc_dequeue', 'link', 2, HOST_NS, 2, 1250000),
      hop('net_dev_start_xmit', 'link', 2, HOST_NS, 2, 1251200),
      hop('net_dev_xmit', 'link', 2, HOST_NS, 2, 1254000),
      hop('consume_skb', 'link', 2, HOST_NS, 0, 1391000),
    ],
  },
  {
    direction: 'rx',
    protocol: 'udp',
    src: '10.0.0.9',
    dst: '10.0.0.1',
    sport: 40001,
    dport: 5353,
    payload: '\u0000\u0000\u0084\u0000\u0000\u0001',
    dropped: true,
    reason: 'SOCKET_RCVBUFF',
    location: 'sock_queue_rcv_skb_reason+0x2c',
    comm: '',
    tgid: 0,
    hops: [
      hop('netif_receive_skb', 'link', 2, HOST_NS, 1, 0),
      hop('fib_table_lookup', 'network', 2, HOST_NS, 1, 2000),
      hop('udp_queue_fail', 'transport', 2, HOST_NS, 1, 4100),
      hop('sock_rcvqueue_full', 'socket', 2, HOST_NS, 1, 4600),
      hop('kfree_skb', 'socket', 2, HOST_NS, 1, 5200, 6),
    ],
  },
  {
    direction: 'tx',
    protocol: 'icmp',
    src: '10.0.0.1',
    dst: '10.0.0.7',
    sport: 0,
    dport: 0,
    payload: '\u0045\u0000\u0000\u001c',
    dropped: false,
    comm: '',
    tgid: 0,
    hops: [
      hop('netif_receive_skb', 'link', 2, HOST_NS, 0, 0),
      hop('fib_table_lookup', 'network', 2, HOST_NS, 0, 1800),
      hop('icmp_send', 'network', 2, HOST_NS, 0, 3900),
      hop('net_dev_queue', 'link', 2, HOST_NS, 0, 7000),
      hop('net_dev_xmit', 'link', 2, HOST_NS, 0, 9800),
    ],
  },
];

function withDeltas(hops) {
  return hops.map((h, i) => ({ ...h, dt_ns: i === 0 ? 0 : h.t_ns - hops[i - 1].t_ns }));
}

// As src/tracer/path_json.cpp decode_headers_json: no "ethernet" without a captured L2 header.
function headersOf(t) {
  const ip = { version: 4, src: t.src, dst: t.dst, ttl: 64, length: 0 };
  const h = { ip };
  if (t.protocol === 'tcp') h.tcp = { sport: t.sport, dport: t.dport, flags: t.flags.replaceAll(',', '|'), seq: t.seq, ack: t.ack };
  else if (t.protocol === 'udp') h.udp = { sport: t.sport, dport: t.dport };
  else h.icmp = { type: 3, code: 3, id: 0 };
  return h;
}

/** A packet path record: the detail JSON; the summary is derived from it. */
export function makePacket(id, t, when = new Date()) {
  const bytes = packetBytes(t);
  const hops = withDeltas(t.hops);
  const headers = headersOf(t);
  headers.ip.length = bytes.length / 2;
  const micros = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  return {
    id,
    time: when.toISOString().replace('Z', `${micros}Z`),
    direction: t.direction,
    protocol: t.protocol,
    src: t.src,
    dst: t.dst,
    sport: t.sport,
    dport: t.dport,
    length: bytes.length / 2,
    latency_ns: hops[hops.length - 1].t_ns - hops[0].t_ns,
    dropped: t.dropped,
    reason: t.dropped ? t.reason : null,
    location: t.dropped ? t.location : '',
    comm: t.comm,
    tgid: t.tgid,
    flags: t.dropped ? ['dropped'] : t.direction === 'tx' ? ['local_origin'] : [],
    hops,
    headers,
    bytes_hex: bytes,
  };
}

export function summaryOf(p) {
  const { location: _l, flags: _f, headers: _h, bytes_hex: _b, hops, ...rest } = p;
  return { ...rest, hops: hops.length };
}

// Enough seeded packets for more than one page of the UI's list (100).
const SEED_ROUNDS = 30;

/** Seeds the store with rounds of one packet of each kind; the newest is the dropped, namespace-crossing one. */
export function makePacketStore() {
  const items = [];
  let nextId = 1;
  const now = Date.now();
  const add = (t, when) => {
    const p = makePacket(nextId++, t, when);
    items.unshift(p);
    if (items.length > 2000) items.length = 2000;
    return p;
  };
  for (let k = TEMPLATES.length * SEED_ROUNDS - 1; k >= 0; k--) add(TEMPLATES[k % TEMPLATES.length], new Date(now - 200 * (k + 1)));
  return {
    items,
    /** One new packet per tick, cycling through the kinds (the dropped one every fifth). */
    tick(seq) {
      return add(TEMPLATES[(TEMPLATES.length - (seq % TEMPLATES.length)) % TEMPLATES.length]);
    },
    get(id) {
      return items.find((p) => p.id === id) ?? null;
    },
  };
}

// ---- packets of a socket, as the daemon finds them: the socket's local address and port on
// either side of the packet; the remote ones too unless the socket has no peer (port 0).
// Addresses compare as text, so a wildcard listener (0.0.0.0, ::) matches nothing.

export function packetOfSocket(p, s) {
  const a = [s.local_addr, s.local_port];
  const b = s.remote_port !== 0 ? [s.remote_addr, s.remote_port] : [null, null];
  const side = (addr, port, [wa, wp]) => (wa === null || addr === wa) && (wp === null || port === wp);
  const fwd = side(p.src, p.sport, a) && side(p.dst, p.dport, b);
  const back = side(p.dst, p.dport, a) && side(p.src, p.sport, b);
  return fwd || back;
}
