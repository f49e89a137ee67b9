// Parsers for the rule fields other than addresses: ranges (ports, TTL, length), protocols,
// TCP flags and expiry durations. Each answers a value or a sentence saying what is accepted.
import type { Parsed } from './addr';

export interface NumRange {
  lo: number;
  hi: number;
}

/** "N" or "A-B" with A <= B, within [0, max]. */
export function parseRange(input: string, max: number, what: string): Parsed<NumRange> {
  const text = input.trim();
  const m = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(text);
  if (!m) return { ok: false, error: `${what} must be a number or a range "A-B" (0–${max})` };
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > max || hi > max) return { ok: false, error: `${what} must be within 0–${max}` };
  if (lo > hi) return { ok: false, error: `${what} range "${text}" is backwards: write ${hi}-${lo}` };
  return { ok: true, value: { lo, hi } };
}

/** The JSON form of a range: a number when it is one value, else "A-B". */
export function rangeJson(r: NumRange): number | string {
  return r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`;
}

/** A whole number within [min, max]. */
export function parseInteger(input: string, min: number, max: number, what: string): Parsed<number> {
  const text = input.trim();
  if (!/^-?\d+$/.test(text)) return { ok: false, error: `${what} must be a whole number (${min}–${max.toLocaleString('en-US')})` };
  const v = Number(text);
  if (v < min || v > max) return { ok: false, error: `${what} must be within ${min}–${max.toLocaleString('en-US')}` };
  return { ok: true, value: v };
}

export const PROTOCOLS: Record<string, number> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  sctp: 132,
};

const PROTO_NAMES = new Map(Object.entries(PROTOCOLS).map(([k, v]) => [v, k]));

/** A protocol name or number 0-255, as its number. */
export function parseProtocol(input: string): Parsed<number> {
  const text = input.trim().toLowerCase();
  if (text in PROTOCOLS) return { ok: true, value: PROTOCOLS[text]! };
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return { ok: true, value: Number(text) };
  return { ok: false, error: `protocol must be one of ${Object.keys(PROTOCOLS).join(', ')} or a number 0–255` };
}

/** The name of a protocol number when it has one ("tcp"), else the number as text. */
export function protocolName(p: string | number | undefined): string {
  if (p === undefined) return '';
  if (typeof p === 'string') {
    const parsed = parseProtocol(p);
    return parsed.ok ? (PROTO_NAMES.get(parsed.value) ?? String(parsed.value)) : p;
  }
  return PROTO_NAMES.get(p) ?? String(p);
}

/** Protocols that have ports. */
export function hasPorts(proto: number | null): boolean {
  return proto === 6 || proto === 17 || proto === 132;
}

export function isIcmp(proto: number | null): boolean {
  return proto === 1 || proto === 58;
}

export const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

export interface FlagMatch {
  bits: number;
  mask: number;
}

/** "SYN,!ACK": named flags must be set, "!" ones clear, others ignored. */
export function parseTcpFlags(input: string): Parsed<FlagMatch> {
  const items = input
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return { ok: false, error: 'list TCP flags like "SYN,!ACK"' };
  let bits = 0;
  let mask = 0;
  for (const item of items) {
    const clear = item.startsWith('!');
    const name = (clear ? item.slice(1) : item).trim().toUpperCase();
    const i = TCP_FLAGS.indexOf(name as (typeof TCP_FLAGS)[number]);
    if (i < 0) return { ok: false, error: `unknown TCP flag "${name}": use ${TCP_FLAGS.join(' ')}, "!" for "must be clear"` };
    const bit = 1 << i;
    if (mask & bit) return { ok: false, error: `TCP flag ${name} is named twice` };
    mask |= bit;
    if (!clear) bits |= bit;
  }
  return { ok: true, value: { bits, mask } };
}

/** The text form of a flag match: set flags first, then the "!" ones, in bit order. */
export function formatTcpFlags(f: FlagMatch): string {
  const set: string[] = [];
  const clear: string[] = [];
  TCP_FLAGS.forEach((name, i) => {
    const bit = 1 << i;
    if (!(f.mask & bit)) return;
    if (f.bits & bit) set.push(name);
    else clear.push(`!${name}`);
  });
  return [...set, ...clear].join(',');
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
export const MAX_TTL_S = 10 * 365 * 86400;

/** "600", "90s", "10m", "1h30m", "2d": seconds from now, 1 s to 10 years. */
export function parseDuration(input: string): Parsed<number> {
  const text = input.trim().toLowerCase().replace(/\s+/g, '');
  const bad = { ok: false as const, error: 'write a duration such as 600, 90s, 10m, 1h30m or 2d' };
  if (text === '') return bad;
  let total = 0;
  if (/^\d+$/.test(text)) total = Number(text);
  else {
    const re = /(\d+)([smhdw])/g;
    let consumed = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m.index !== consumed) return bad;
      total += Number(m[1]) * UNIT_S[m[2]!]!;
      consumed = m.index + m[0].length;
    }
    if (consumed !== text.length) return bad;
  }
  if (total < 1 || total > MAX_TTL_S) return { ok: false, error: 'the expiry must be 1 second to 10 years from now' };
  return { ok: true, value: total };
}

/** Bytes of a string in UTF-8 (the comment limit is in bytes). */
export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}
