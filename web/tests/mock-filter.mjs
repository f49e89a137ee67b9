// The mock daemon's packet filter: the grammar of src/tracer/filter.h and its error style
// ("filter: column N: ..."), evaluated on the mock's packet records. Not a full copy of the
// daemon's parser, only close enough that the UI meets the same answers.
//
//   expr     := and_expr { ("or" | "||") and_expr }
//   and_expr := unary { ("and" | "&&") unary }
//   unary    := ("not" | "!") unary | "(" expr ")" | primitive
//   primitive:= tcp | udp | icmp | icmp6 | arp | ip | ip6 | drop | (tcp|udp) [src|dst] port...
//             | [src|dst] host ADDR | [src|dst] net ADDR[/LEN] | (src|dst) ADDR[/LEN]
//             | [src|dst] port N | [src|dst] portrange A-B | dev IF | netns INODE

export class FilterError extends Error {}

// Interface names the mock's hops use.
const IFACES = { lo: 1, eth0: 2, veth0: 7, eth1: 3 };
const PROTOS = ['tcp', 'udp', 'icmp', 'icmp6', 'arp', 'ip', 'ip6'];
const V4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const V6 = /^[0-9a-f]*:[0-9a-f:.]*$/i;

function fail(col, msg) {
  throw new FilterError(`filter: column ${col}: ${msg}`);
}

function quote(t) {
  return t ? `'${t.v}'` : 'end of expression';
}

function tokenize(text) {
  const out = [];
  const re = /\s*(\(|\)|&&|\|\||!|[&|]|[^\s()&|!]+)/y;
  let m;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    const v = m[1];
    const col = m.index + m[0].length - v.length + 1;
    if (v === '&' || v === '|') fail(col, `'${v}' is not an operator; use '${v === '&' ? "and' or '&&'" : "or' or '||'"}`);
    out.push({ v, col, w: v.toLowerCase() });
  }
  return out;
}

function v4Number(a) {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function addrMatcher(tok, withLen) {
  const [addr, len] = tok.v.split('/');
  if (!V4.test(addr) && !V6.test(addr)) fail(tok.col, `expected an IPv4 or IPv6 address, got ${quote(tok)}`);
  if (len === undefined || !withLen) return (a) => a === addr;
  const bits = Number(len);
  const max = V4.test(addr) ? 32 : 128;
  if (!/^\d+$/.test(len) || bits > max) fail(tok.col, `prefix length must be 0-${max}, got '${len}'`);
  if (!V4.test(addr)) return (a) => a === addr; // the mock's packets are IPv4
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (v4Number(addr) & mask) >>> 0;
  return (a) => V4.test(a) && ((v4Number(a) & mask) >>> 0) === net;
}

function portNumber(tok) {
  if (!/^\d+$/.test(tok.v) || Number(tok.v) > 65535) fail(tok.col, `expected a port number 0-65535, got ${quote(tok)}`);
  return Number(tok.v);
}

/** Compiles an expression into a predicate over packet records; throws FilterError. */
export function compileFilter(text) {
  if (text.length > 1024) throw new FilterError('filter: longer than 1024 characters');
  const toks = tokenize(text);
  const end = text.length + 1;
  let i = 0;
  const peek = () => toks[i];
  const next = (what) => {
    const t = toks[i++];
    if (!t) fail(end, `expected ${what}, got end of expression`);
    return t;
  };
  const isPort = (k) => toks[k]?.w === 'port' || toks[k]?.w === 'portrange';
  const portFollows = () => isPort(i) || ((toks[i]?.w === 'src' || toks[i]?.w === 'dst') && isPort(i + 1));
  const sided = (dir, test) => (p) => (dir !== 'dst' && test(p.src, p.sport)) || (dir !== 'src' && test(p.dst, p.dport));

  const primitive = () => {
    const t = next('a primitive (tcp, host, port, ...)');
    if (PROTOS.includes(t.w)) {
      if (t.w === 'ip') return (p) => !p.src.includes(':') && p.protocol !== 'arp';
      if (t.w === 'ip6') return (p) => p.src.includes(':');
      // tcpdump's "tcp port 80": one primitive, "tcp and port 80"; only tcp/udp before a port term.
      if ((t.w === 'tcp' || t.w === 'udp') && portFollows()) {
        const port = primitive();
        return (p) => p.protocol === t.w && port(p);
      }
      return (p) => p.protocol === t.w;
    }
    if (t.w === 'drop') return (p) => p.dropped;
    if (t.w === 'dev') {
      const n = next('an interface name');
      const idx = IFACES[n.v];
      if (idx === undefined) fail(n.col, `no interface named ${quote(n)}`);
      return (p) => p.hops.some((h) => h.ifindex === idx);
    }
    if (t.w === 'netns') {
      const n = next('a network namespace inode');
      if (!/^\d+$/.test(n.v)) fail(n.col, `expected a network namespace inode number, got ${quote(n)}`);
      return (p) => p.hops.some((h) => h.netns === Number(n.v));
    }
    let dir = null;
    let kw = t;
    if (t.w === 'src' || t.w === 'dst') {
      dir = t.w;
      kw = next("'host', 'net', 'port', 'portrange' or an address");
      if (V4.test(kw.v.split('/')[0]) || V6.test(kw.v.split('/')[0])) {
        const m = addrMatcher(kw, true);
        return sided(dir, (a) => m(a));
      }
    }
    if (kw.w === 'host' || kw.w === 'net') {
      const m = addrMatcher(next('an address'), kw.w === 'net');
      return sided(dir, (a) => m(a));
    }
    if (kw.w === 'port') {
      const port = portNumber(next('a port number'));
      return sided(dir, (_a, pt) => pt === port);
    }
    if (kw.w === 'portrange') {
      const r = next('a port range A-B');
      const m = /^(\d+)-(\d+)$/.exec(r.v);
      if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) fail(r.col, `expected a port range A-B (0-65535, A <= B), got ${quote(r)}`);
      return sided(dir, (_a, pt) => pt >= Number(m[1]) && pt <= Number(m[2]));
    }
    return fail(kw.col, `unknown word ${quote(kw)} (primitives: tcp udp icmp icmp6 arp ip ip6 host net port portrange dev netns drop)`);
  };

  const unary = () => {
    const t = peek();
    if (t && (t.w === 'not' || t.v === '!')) {
      i++;
      const f = unary();
      return (p) => !f(p);
    }
    if (t && t.v === '(') {
      i++;
      const e = expr();
      const close = toks[i++];
      if (!close || close.v !== ')') fail(close ? close.col : end, `expected ')' to close the '(' at column ${t.col}, got ${quote(close)}`);
      return e;
    }
    return primitive();
  };

  const andExpr = () => {
    let left = unary();
    while (peek() && (peek().w === 'and' || peek().v === '&&')) {
      i++;
      const l = left;
      const r = unary();
      left = (p) => l(p) && r(p);
    }
    return left;
  };

  function expr() {
    let left = andExpr();
    while (peek() && (peek().w === 'or' || peek().v === '||')) {
      i++;
      const l = left;
      const r = andExpr();
      left = (p) => l(p) || r(p);
    }
    return left;
  }

  if (toks.length === 0) return () => true;
  const f = expr();
  const t = peek();
  if (t && t.v === ')') fail(t.col, "unmatched ')'");
  if (t) fail(t.col, `expected 'and' or 'or' before ${quote(t)}; primitives must be joined by an operator`);
  return f;
}
