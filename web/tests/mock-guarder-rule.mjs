// The mock daemon's Guarder rule checks (docs/guarder.md "Rule JSON"): validation with every
// problem named by its JSON path, and the safety refusals. Written independently of the UI's
// own checks (src/lib/guarder/validate.ts), so the browser test sees the daemon's word too.
import net from 'node:net';

export const ACTIONS = ['drop', 'pass', 'rate-limit', 'log'];
export const ORIGINS = ['user', 'detector', 'analyst', 'llm'];
const PROTOCOLS = { icmp: 1, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, sctp: 132 };
const FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
const TOP_KEYS = ['priority', 'enabled', 'action', 'shadow', 'match', 'rate', 'log', 'origin', 'comment', 'ttl_s', 'expires_at'];
const OUTPUT_KEYS = ['id', 'created_by', 'created_at', 'updated_at', 'counters'];
const MATCH_KEYS = ['src', 'dst', 'family', 'protocol', 'sport', 'dport', 'tcp_flags', 'icmp', 'inner', 'ttl', 'length', 'iface', 'vlan', 'malformed'];
const INNER_KEYS = ['src', 'dst', 'protocol', 'sport', 'dport'];
const TEN_YEARS_MS = 10 * 365 * 86400 * 1000;

/** An address's bits as a BigInt and its width, or null. */
function addrBits(a) {
  const kind = net.isIP(a);
  if (kind === 4) return { family: 4, width: 32, bits: a.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n) };
  if (kind !== 6) return null;
  let [head, tail] = a.includes('::') ? a.split('::') : [a, null];
  const groups = (s) => (s ? s.split(':') : []).flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const v = g.split('.').map(Number);
    return [(v[0] << 8) | v[1], (v[2] << 8) | v[3]];
  });
  const h = groups(head);
  const t = tail === null ? [] : groups(tail);
  const all = tail === null ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return { family: 6, width: 128, bits: all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
}

/** {family, prefix, net} or an error sentence. */
export function parseCidr(text) {
  if (typeof text !== 'string') return 'must be a string: an address or a CIDR';
  const [a, p, extra] = text.split('/');
  const ab = addrBits(a);
  if (!ab || extra !== undefined) return `"${text}" is not an IPv4 or IPv6 address or CIDR`;
  const prefix = p === undefined ? ab.width : /^\d{1,3}$/.test(p) ? Number(p) : -1;
  if (prefix < 0 || prefix > ab.width) return `prefix length must be 0-${ab.width}`;
  const hostMask = (1n << BigInt(ab.width - prefix)) - 1n;
  if ((ab.bits & hostMask) !== 0n) return `host bits set in ${text} (the network is /${prefix}; clear the bits after it)`;
  return { family: ab.family, prefix, net: ab.bits, width: ab.width };
}

export function cidrContains(c, addr) {
  const ab = addrBits(addr);
  if (!ab || ab.family !== c.family) return false;
  const shift = BigInt(c.width - c.prefix);
  return ab.bits >> shift === c.net >> shift;
}

function protoNumber(p) {
  if (typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 255) return p;
  if (typeof p === 'string' && p in PROTOCOLS) return PROTOCOLS[p];
  return null;
}

function parseRange(v, max) {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return [v, v];
  const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : null;
  if (m && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= max) return [Number(m[1]), Number(m[2])];
  return null;
}

const isInt = (v, lo, hi) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function checkKeys(obj, allowed, path, errors) {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) errors.push({ field: path ? `${path}.${k}` : k, message: `unknown key "${k}"` });
}

function checkEnds(m, path, errors) {
  const cidrs = {};
  for (const k of ['src', 'dst']) {
    if (m[k] === undefined) continue;
    const c = parseCidr(m[k]);
    if (typeof c === 'string') errors.push({ field: `${path}.${k}`, message: c });
    else cidrs[k] = c;
  }
  if (cidrs.src && cidrs.dst && cidrs.src.family !== cidrs.dst.family) errors.push({ field: `${path}.dst`, message: 'src and dst must be the same family' });
  let proto = null;
  if (m.protocol !== undefined) {
    proto = protoNumber(m.protocol);
    if (proto === null) errors.push({ field: `${path}.protocol`, message: 'unknown protocol: use tcp, udp, icmp, icmpv6, sctp, gre, esp, ah or 0-255' });
  }
  for (const k of ['sport', 'dport']) {
    if (m[k] === undefined) continue;
    if (!parseRange(m[k], 65535)) errors.push({ field: `${path}.${k}`, message: 'a port is N or "A-B" with A <= B, 0-65535' });
    else if (![6, 17, 132].includes(proto)) errors.push({ field: `${path}.${k}`, message: 'ports need protocol tcp, udp or sctp' });
  }
  return { cidrs, proto };
}

function checkMatch(m, errors, interfaces) {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return errors.push({ field: 'match', message: 'must be an object' });
  checkKeys(m, MATCH_KEYS, 'match', errors);
  const { cidrs, proto } = checkEnds(m, 'match', errors);
  if (m.family !== undefined) {
    if (m.family !== 'ipv4' && m.family !== 'ipv6') errors.push({ field: 'match.family', message: 'must be ipv4 or ipv6' });
    else for (const c of Object.values(cidrs)) if (c.family !== (m.family === 'ipv4' ? 4 : 6)) errors.push({ field: 'match.family', message: `an IPv${c.family} address with family ${m.family}` });
  }
  if (m.tcp_flags !== undefined) {
    const ok = typeof m.tcp_flags === 'string'
      ? m.tcp_flags.split(',').every((f) => FLAGS.includes(f.trim().replace(/^!/, '').toUpperCase()))
      : isInt(m.tcp_flags?.bits, 0, 255) && isInt(m.tcp_flags?.mask, 0, 255);
    if (!ok) errors.push({ field: 'match.tcp_flags', message: `a comma list of ${FLAGS.join(' ')} ("!" = must be clear), or {bits, mask}` });
    else if (proto !== 6) errors.push({ field: 'match.tcp_flags', message: 'TCP flags need protocol tcp' });
  }
  if (m.icmp !== undefined) {
    if (!isInt(m.icmp?.type, 0, 255) || (m.icmp.code !== undefined && !isInt(m.icmp.code, 0, 255))) errors.push({ field: 'match.icmp', message: 'type and code are 0-255' });
    else if (proto !== 1 && proto !== 58) errors.push({ field: 'match.icmp', message: 'needs protocol icmp or icmpv6' });
  }
  if (m.inner !== undefined) {
    if (proto !== 1 && proto !== 58) errors.push({ field: 'match.inner', message: 'the quoted header needs protocol icmp or icmpv6' });
    if (typeof m.inner === 'object' && m.inner !== null) {
      checkKeys(m.inner, INNER_KEYS, 'match.inner', errors);
      checkEnds(m.inner, 'match.inner', errors);
    }
  }
  if (m.ttl !== undefined && !parseRange(m.ttl, 255)) errors.push({ field: 'match.ttl', message: 'N or "A-B", 0-255' });
  if (m.length !== undefined && !parseRange(m.length, 65535)) errors.push({ field: 'match.length', message: 'N or "A-B", 0-65535' });
  if (m.iface !== undefined && !interfaces.includes(m.iface)) errors.push({ field: 'match.iface', message: `no interface "${m.iface}" on this host (have: ${interfaces.join(', ')})` });
  if (m.vlan !== undefined && !isInt(m.vlan, 0, 4095)) errors.push({ field: 'match.vlan', message: 'a VLAN id is 0-4095' });
  if (m.malformed !== undefined && typeof m.malformed !== 'boolean') errors.push({ field: 'match.malformed', message: 'must be true or false' });
  return undefined;
}

/**
 * Validates one rule object. Returns {errors, rule} where rule is the normalised input fields
 * (defaults filled, ttl_s turned into expires_at). `output` accepts the answer-only fields.
 */
export function validateRule(j, { now, output = false, interfaces }) {
  const errors = [];
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return { errors: [{ field: '', message: 'a rule is a JSON object' }], rule: null };
  checkKeys(j, output ? [...TOP_KEYS, ...OUTPUT_KEYS] : TOP_KEYS, '', errors);
  if (j.priority !== undefined && !isInt(j.priority, 0, 1_000_000)) errors.push({ field: 'priority', message: 'must be a whole number 0-1000000' });
  for (const k of ['enabled', 'shadow']) if (j[k] !== undefined && typeof j[k] !== 'boolean') errors.push({ field: k, message: 'must be true or false' });
  if (!ACTIONS.includes(j.action)) errors.push({ field: 'action', message: `required: one of ${ACTIONS.join(', ')}` });
  checkMatch(j.match ?? {}, errors, interfaces);
  if (j.action === 'rate-limit') {
    const r = j.rate;
    const unit = r && (r.pps !== undefined ? 'pps' : r.bps !== undefined ? 'bps' : null);
    if (!r || !unit) errors.push({ field: 'rate', message: 'a rate-limit rule needs {"pps": N} or {"bps": N}' });
    else if (!isInt(r[unit], 1, 1e9)) errors.push({ field: `rate.${unit}`, message: 'the rate is 1-1000000000 per second' });
    else if (r.burst !== undefined && !isInt(r.burst, 1, 2 ** 53)) errors.push({ field: 'rate.burst', message: 'the burst is a whole number >= 1' });
  } else if (j.rate !== undefined && j.rate !== null) errors.push({ field: 'rate', message: 'only rate-limit rules have a rate' });
  if (j.action === 'log' && j.log !== undefined && j.log !== null && !isInt(j.log.every, 1, 1e6)) errors.push({ field: 'log.every', message: '1-1000000' });
  if (j.action !== 'log' && j.log !== undefined && j.log !== null) errors.push({ field: 'log', message: 'only log rules have "log"' });
  if (j.origin !== undefined && !ORIGINS.includes(j.origin)) errors.push({ field: 'origin', message: `one of ${ORIGINS.join(', ')}` });
  if (j.comment !== undefined && (typeof j.comment !== 'string' || Buffer.byteLength(j.comment) > 512)) errors.push({ field: 'comment', message: 'text of at most 512 bytes' });
  let expires = null;
  if (j.ttl_s !== undefined) {
    if (!isInt(j.ttl_s, 1, TEN_YEARS_MS / 1000)) errors.push({ field: 'ttl_s', message: '1 second to 10 years' });
    else expires = now + j.ttl_s * 1000;
  } else if (j.expires_at !== undefined && j.expires_at !== null) {
    const t = Date.parse(j.expires_at);
    if (Number.isNaN(t)) errors.push({ field: 'expires_at', message: 'an RFC 3339 time' });
    else if (t <= now && !output) errors.push({ field: 'expires_at', message: 'is in the past' });
    else expires = t;
  }
  if (errors.length > 0) return { errors, rule: null };
  // As the daemon: the family an address implies is stored (and answered) as if it were given.
  const match = { ...(j.match ?? {}) };
  const addr = match.src ?? match.dst;
  if (addr !== undefined && match.family === undefined) match.family = addr.includes(':') ? 'ipv6' : 'ipv4';
  const rule = {
    priority: j.priority ?? 1000,
    enabled: j.enabled ?? true,
    action: j.action,
    shadow: j.shadow ?? false,
    match,
    origin: j.origin ?? 'user',
    comment: j.comment ?? '',
    expires_at: expires === null ? null : new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  if (j.action === 'rate-limit') rule.rate = j.rate;
  if (j.action === 'log') rule.log = j.log ?? { every: 1 };
  return { errors: [], rule };
}

/** Safety refusals (409 unsafe_rule unless forced): drop-everything and lock-yourself-out rules. */
export function safetyCheck(rule, caller, apiPort) {
  if (rule.shadow || !rule.enabled || (rule.action !== 'drop' && rule.action !== 'rate-limit')) return [];
  const m = rule.match;
  const narrowing = Object.keys(m).filter((k) => k !== 'family' && !(k === 'malformed' && m.malformed === false));
  if (narrowing.length === 0) return [{ field: 'match', message: `this ${rule.action} rule matches every packet: it would ${rule.action === 'drop' ? 'drop' : 'rate-limit'} all traffic` }];
  const out = [];
  for (const side of ['src', 'dst']) {
    const c = m[side] ? parseCidr(m[side]) : null;
    if (!c || typeof c === 'string' || !cidrContains(c, caller)) continue;
    const proto = m.protocol !== undefined ? protoNumber(m.protocol) : null;
    if (proto !== null && proto !== 6) continue;
    // The caller's requests go to the API port; its own source port is unknown, so any sport may hit.
    const d = m.dport === undefined ? null : parseRange(m.dport, 65535);
    if (d && !(apiPort >= d[0] && apiPort <= d[1])) continue;
    out.push({ field: `match.${side}`, message: `covers ${caller}, the address this API request came from: you would lock yourself out` });
  }
  return out;
}
