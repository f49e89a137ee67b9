// Client-side validation of the rule editor's form, building the Rule JSON at the same time.
// Errors are named by JSON path ("match.src"), like the daemon's fields[], so both kinds land
// next to the same input. The daemon stays the judge: this only says things sooner.
import type { GuardMatch, InnerMatch, RuleInput } from '../../api/guarder';
import { parseCidr, type Cidr } from './addr';
import { hasPorts, isIcmp, MAX_TTL_S, parseDuration, parseInteger, parseProtocol, parseRange, parseTcpFlags, rangeJson, utf8Length } from './fields';
import type { FieldProblem, RuleForm } from './form';

export interface CheckResult {
  /** the rule to send; null while any error remains */
  rule: RuleInput | null;
  errors: FieldProblem[];
}

const MAX_RATE = 1_000_000_000;

class Checker {
  readonly errors: FieldProblem[] = [];

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  cidr(field: string, value: string): Cidr | null {
    if (value.trim() === '') return null;
    const r = parseCidr(value);
    if (!r.ok) this.fail(field, r.error);
    return r.ok ? r.value : null;
  }

  range(field: string, value: string, max: number, what: string): number | string | undefined {
    if (value.trim() === '') return undefined;
    const r = parseRange(value, max, what);
    if (!r.ok) this.fail(field, r.error);
    return r.ok ? rangeJson(r.value) : undefined;
  }

  int(field: string, value: string, min: number, max: number, what: string): number | undefined {
    if (value.trim() === '') return undefined;
    const r = parseInteger(value, min, max, what);
    if (!r.ok) this.fail(field, r.error);
    return r.ok ? r.value : undefined;
  }

  protocol(field: string, value: string): number | null {
    if (value.trim() === '') return null;
    const r = parseProtocol(value);
    if (!r.ok) this.fail(field, r.error);
    return r.ok ? r.value : null;
  }

  sameFamily(field: string, a: Cidr | null, b: Cidr | null, names: string): void {
    if (a && b && a.family !== b.family) this.fail(field, `${names} must be the same family (one is IPv${a.family}, the other IPv${b.family})`);
  }

  ports(prefix: string, proto: number | null, sport: string, dport: string, out: { sport?: number | string; dport?: number | string }): void {
    out.sport = this.range(`${prefix}.sport`, sport, 65535, 'a port');
    out.dport = this.range(`${prefix}.dport`, dport, 65535, 'a port');
    for (const k of ['sport', 'dport'] as const) {
      if (out[k] !== undefined && !hasPorts(proto)) this.fail(`${prefix}.${k}`, 'ports need the protocol to be tcp, udp or sctp');
    }
  }
}

function protoText(p: string): string {
  return p.trim().toLowerCase();
}

function checkInner(c: Checker, f: RuleForm, outerProto: number | null): InnerMatch | undefined {
  const any = [f.inner_src, f.inner_dst, f.inner_protocol, f.inner_sport, f.inner_dport].some((v) => v.trim() !== '');
  if (!any) return undefined;
  if (!isIcmp(outerProto)) c.fail('match.inner', 'the quoted (inner) header needs protocol icmp or icmpv6');
  const inner: InnerMatch = {};
  const src = c.cidr('match.inner.src', f.inner_src);
  const dst = c.cidr('match.inner.dst', f.inner_dst);
  c.sameFamily('match.inner.dst', src, dst, 'inner src and dst');
  if (src) inner.src = f.inner_src.trim();
  if (dst) inner.dst = f.inner_dst.trim();
  const proto = c.protocol('match.inner.protocol', f.inner_protocol);
  if (proto !== null) inner.protocol = protoText(f.inner_protocol);
  const ports: { sport?: number | string; dport?: number | string } = {};
  c.ports('match.inner', proto, f.inner_sport, f.inner_dport, ports);
  if (ports.sport !== undefined) inner.sport = ports.sport;
  if (ports.dport !== undefined) inner.dport = ports.dport;
  return inner;
}

function checkMatch(c: Checker, f: RuleForm): GuardMatch {
  const m: GuardMatch = {};
  const src = c.cidr('match.src', f.src);
  const dst = c.cidr('match.dst', f.dst);
  c.sameFamily('match.dst', src, dst, 'src and dst');
  if (src) m.src = f.src.trim();
  if (dst) m.dst = f.dst.trim();
  if (f.family !== '') {
    m.family = f.family;
    const want = f.family === 'ipv4' ? 4 : 6;
    const other = [src, dst].find((a) => a && a.family !== want);
    if (other) c.fail('match.family', `family ${f.family} does not match the IPv${other.family} address`);
  }
  const proto = c.protocol('match.protocol', f.protocol);
  if (proto !== null) m.protocol = protoText(f.protocol);
  c.ports('match', proto, f.sport, f.dport, m);
  if (m.sport === undefined) delete m.sport;
  if (m.dport === undefined) delete m.dport;
  if (f.tcp_flags.trim() !== '') {
    const r = parseTcpFlags(f.tcp_flags);
    if (!r.ok) c.fail('match.tcp_flags', r.error);
    else if (proto !== 6) c.fail('match.tcp_flags', 'TCP flags need protocol tcp');
    else m.tcp_flags = f.tcp_flags.replace(/\s+/g, '').toUpperCase();
  }
  const type = c.int('match.icmp.type', f.icmp_type, 0, 255, 'the ICMP type');
  const code = c.int('match.icmp.code', f.icmp_code, 0, 255, 'the ICMP code');
  if (code !== undefined && type === undefined && f.icmp_type.trim() === '') c.fail('match.icmp.code', 'set the ICMP type too');
  if ((type !== undefined || code !== undefined) && !isIcmp(proto)) c.fail('match.icmp', 'ICMP type and code need protocol icmp or icmpv6');
  if (type !== undefined) m.icmp = code !== undefined ? { type, code } : { type };
  const inner = checkInner(c, f, proto);
  if (inner) m.inner = inner;
  const ttl = c.range('match.ttl', f.ttl, 255, 'the TTL');
  if (ttl !== undefined) m.ttl = ttl;
  const length = c.range('match.length', f.length, 65535, 'the length');
  if (length !== undefined) m.length = length;
  const iface = f.iface.trim();
  if (iface !== '') {
    if (utf8Length(iface) > 15 || /[\s/:]/.test(iface) || iface === '.' || iface === '..') {
      c.fail('match.iface', 'an interface name is up to 15 bytes, without spaces, "/" or ":"');
    } else m.iface = iface;
  }
  const vlan = c.int('match.vlan', f.vlan, 0, 4095, 'the VLAN id');
  if (vlan !== undefined) m.vlan = vlan;
  if (f.malformed) m.malformed = true;
  return m;
}

function checkExpiry(c: Checker, f: RuleForm, nowMs: number | null, rule: RuleInput): void {
  if (f.expiry === 'ttl') {
    const r = parseDuration(f.ttl_s);
    if (!r.ok) c.fail('ttl_s', r.error);
    else rule.ttl_s = r.value;
  } else if (f.expiry === 'at') {
    const t = new Date(f.expires_at).getTime();
    if (f.expires_at.trim() === '' || Number.isNaN(t)) c.fail('expires_at', 'pick the date and time the rule stops');
    else if (nowMs !== null && t <= nowMs) c.fail('expires_at', 'the expiry time is in the past');
    else if (nowMs !== null && t > nowMs + MAX_TTL_S * 1000) c.fail('expires_at', 'the expiry must be within 10 years');
    else rule.expires_at = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/**
 * Checks every field; the rule JSON is built only from an error-free form. `nowMs` null skips
 * the checks against the clock (to rebuild a stored rule's JSON as the baseline of an edit).
 */
export function checkForm(f: RuleForm, nowMs: number | null): CheckResult {
  const c = new Checker();
  const rule: RuleInput = { action: f.action, enabled: f.enabled, shadow: f.shadow, origin: f.origin };
  const priority = c.int('priority', f.priority, 0, 1_000_000, 'the priority');
  if (priority !== undefined) rule.priority = priority;
  rule.match = checkMatch(c, f);
  if (f.action === 'rate-limit') {
    if (f.rate.trim() === '') c.fail('rate', `a rate-limit rule needs a rate (${f.rate_unit === 'pps' ? 'packets' : 'bytes'} per second)`);
    const rate = c.int(`rate.${f.rate_unit}`, f.rate, 1, MAX_RATE, 'the rate');
    const burst = c.int('rate.burst', f.burst, 1, Number.MAX_SAFE_INTEGER, 'the burst');
    if (rate !== undefined) rule.rate = { [f.rate_unit]: rate, ...(burst !== undefined ? { burst } : {}) };
  }
  if (f.action === 'log') {
    const every = c.int('log.every', f.log_every, 1, 1_000_000, '"every"');
    if (every !== undefined) rule.log = { every };
  }
  if (utf8Length(f.comment) > 512) c.fail('comment', `the comment is ${utf8Length(f.comment)} bytes; at most 512`);
  if (f.comment !== '') rule.comment = f.comment;
  checkExpiry(c, f, nowMs, rule);
  return { rule: c.errors.length === 0 ? rule : null, errors: c.errors };
}
