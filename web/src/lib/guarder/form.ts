// The rule editor's form model: every Rule JSON field as the text the inputs hold, conversion
// from a stored rule, and which JSON paths (the daemon's fields[] names) each input answers for.
import type { GuardAction, GuardOrigin, GuardRule, RangeValue, TcpFlagsValue } from '../../api/guarder';
import { parseCidr } from './addr';
import { formatTcpFlags } from './fields';

export type ExpiryMode = 'none' | 'ttl' | 'at';

export interface RuleForm {
  priority: string;
  enabled: boolean;
  action: GuardAction;
  shadow: boolean;
  src: string;
  dst: string;
  family: '' | 'ipv4' | 'ipv6';
  protocol: string;
  sport: string;
  dport: string;
  tcp_flags: string;
  icmp_type: string;
  icmp_code: string;
  inner_src: string;
  inner_dst: string;
  inner_protocol: string;
  inner_sport: string;
  inner_dport: string;
  ttl: string;
  length: string;
  iface: string;
  vlan: string;
  malformed: boolean;
  rate_unit: 'pps' | 'bps';
  rate: string;
  burst: string;
  log_every: string;
  origin: GuardOrigin;
  comment: string;
  expiry: ExpiryMode;
  /** a duration ("10m") when expiry is "ttl" */
  ttl_s: string;
  /** local "YYYY-MM-DDTHH:MM[:SS]" (a datetime-local input) when expiry is "at" */
  expires_at: string;
}

export type FormKey = keyof RuleForm;

export function emptyForm(): RuleForm {
  return {
    priority: '1000',
    enabled: true,
    action: 'drop',
    shadow: false,
    src: '',
    dst: '',
    family: '',
    protocol: '',
    sport: '',
    dport: '',
    tcp_flags: '',
    icmp_type: '',
    icmp_code: '',
    inner_src: '',
    inner_dst: '',
    inner_protocol: '',
    inner_sport: '',
    inner_dport: '',
    ttl: '',
    length: '',
    iface: '',
    vlan: '',
    malformed: false,
    rate_unit: 'pps',
    rate: '',
    burst: '',
    log_every: '1',
    origin: 'user',
    comment: '',
    expiry: 'none',
    ttl_s: '10m',
    expires_at: '',
  };
}

const text = (v: RangeValue | number | string | undefined | null): string => (v === undefined || v === null ? '' : String(v));

function flagsText(f: TcpFlagsValue | undefined): string {
  if (f === undefined) return '';
  return typeof f === 'string' ? f : formatTcpFlags(f);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An RFC 3339 time as a datetime-local value in this browser's zone (to the second). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The family to show: the daemon answers the family an address implies as if it had been given;
 * shown, it would have to be changed by hand with the address. Only a family that says more than
 * the addresses is kept.
 */
function explicitFamily(m: GuardRule['match']): RuleForm['family'] {
  if (!m.family) return '';
  const addr = [m.src, m.dst].find((a) => a !== undefined);
  const c = addr !== undefined ? parseCidr(addr) : null;
  if (c && c.ok && (c.value.family === 4 ? 'ipv4' : 'ipv6') === m.family) return '';
  return m.family;
}

/** The form showing a stored rule. */
export function ruleToForm(r: GuardRule): RuleForm {
  const m = r.match ?? {};
  const f = emptyForm();
  return {
    ...f,
    priority: String(r.priority),
    enabled: r.enabled,
    action: r.action,
    shadow: r.shadow,
    src: text(m.src),
    dst: text(m.dst),
    family: explicitFamily(m),
    protocol: text(m.protocol),
    sport: text(m.sport),
    dport: text(m.dport),
    tcp_flags: flagsText(m.tcp_flags),
    icmp_type: text(m.icmp?.type),
    icmp_code: text(m.icmp?.code),
    inner_src: text(m.inner?.src),
    inner_dst: text(m.inner?.dst),
    inner_protocol: text(m.inner?.protocol),
    inner_sport: text(m.inner?.sport),
    inner_dport: text(m.inner?.dport),
    ttl: text(m.ttl),
    length: text(m.length),
    iface: text(m.iface),
    vlan: text(m.vlan),
    malformed: m.malformed === true,
    rate_unit: r.rate?.bps !== undefined ? 'bps' : 'pps',
    rate: text(r.rate?.bps ?? r.rate?.pps),
    burst: text(r.rate?.burst),
    log_every: text(r.log?.every ?? 1),
    origin: r.origin,
    comment: r.comment ?? '',
    expiry: r.expires_at ? 'at' : 'none',
    expires_at: r.expires_at ? toLocalInput(r.expires_at) : '',
  };
}

/**
 * Which error paths each input shows. A path not listed here (or a parent like "match") is shown
 * above the form, so no error from the daemon is ever hidden.
 */
export const FIELD_PATHS: Partial<Record<FormKey, string[]>> = {
  priority: ['priority'],
  enabled: ['enabled'],
  action: ['action'],
  shadow: ['shadow'],
  src: ['match.src'],
  dst: ['match.dst'],
  family: ['match.family'],
  protocol: ['match.protocol'],
  sport: ['match.sport'],
  dport: ['match.dport'],
  tcp_flags: ['match.tcp_flags', 'match.tcp_flags.bits', 'match.tcp_flags.mask'],
  icmp_type: ['match.icmp', 'match.icmp.type'],
  icmp_code: ['match.icmp.code'],
  inner_src: ['match.inner', 'match.inner.src'],
  inner_dst: ['match.inner.dst'],
  inner_protocol: ['match.inner.protocol'],
  inner_sport: ['match.inner.sport'],
  inner_dport: ['match.inner.dport'],
  ttl: ['match.ttl'],
  length: ['match.length'],
  iface: ['match.iface'],
  vlan: ['match.vlan'],
  malformed: ['match.malformed'],
  rate: ['rate', 'rate.pps', 'rate.bps'],
  burst: ['rate.burst'],
  log_every: ['log', 'log.every'],
  origin: ['origin'],
  comment: ['comment'],
  ttl_s: ['ttl_s'],
  expires_at: ['expires_at'],
};

export interface FieldProblem {
  field: string;
  message: string;
}

/** Messages for one input, from a list of path-named problems. */
export function errorsFor(problems: readonly FieldProblem[], key: FormKey): string[] {
  const paths = FIELD_PATHS[key] ?? [];
  return problems.filter((p) => paths.includes(p.field)).map((p) => p.message);
}

/** Problems no shown input answers for (listed at the top of the form with their path). */
export function unplacedErrors(problems: readonly FieldProblem[], shown: readonly FormKey[]): FieldProblem[] {
  const placed = new Set(shown.flatMap((k) => FIELD_PATHS[k] ?? []));
  return problems.filter((p) => !placed.has(p.field));
}
