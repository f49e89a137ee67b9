// IPv4/IPv6 address and CIDR parsing for the rule editor's client-side checks. The daemon checks
// again (docs/guarder.md); these say the same things earlier, next to the input.

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** network-order bytes: 4 for IPv4, 16 for IPv6 */
  bytes: number[];
  prefix: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Dotted quad, decimal, no leading zeros (inet_pton refuses them: "010" could mean octal). */
export function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return null;
    const v = Number(p);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

/** RFC 4291 text: eight groups, one "::", an IPv4 tail allowed. No zone ids. */
export function parseIPv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length < 2) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  // An IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return null;
  let all: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    all = head;
  }
  const bytes: number[] = [];
  for (const g of all) bytes.push(g >> 8, g & 0xff);
  return bytes;
}

export function formatIPv4(b: readonly number[]): string {
  return b.slice(0, 4).join('.');
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (>= 2) of zero groups as "::". */
export function formatIPv6(b: readonly number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

export function formatCidr(c: Cidr): string {
  const addr = c.family === 4 ? formatIPv4(c.bytes) : formatIPv6(c.bytes);
  return `${addr}/${c.prefix}`;
}

/** The address with every bit past `prefix` cleared. */
export function networkOf(c: Cidr): Cidr {
  const bytes = c.bytes.map((v, i) => {
    const keep = Math.max(0, Math.min(8, c.prefix - i * 8));
    return v & ((0xff << (8 - keep)) & 0xff);
  });
  return { ...c, bytes };
}

/** An address or CIDR with host bits zero ("10.0.0.1/8" is refused, with the fix). */
export function parseCidr(input: string): Parsed<Cidr> {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'an address or CIDR is required' };
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  let family: Family;
  let bytes: number[] | null;
  if (addrText.includes(':')) {
    family = 6;
    bytes = parseIPv6(addrText);
  } else {
    family = 4;
    bytes = parseIPv4(addrText);
  }
  if (!bytes) {
    return { ok: false, error: `"${addrText}" is not an IPv${family} address (e.g. ${family === 4 ? '203.0.113.0/24' : '2001:db8::/32'})` };
  }
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== null) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      return { ok: false, error: `the prefix length must be a whole number from 0 to ${max}` };
    }
    prefix = Number(prefixText);
  }
  const c: Cidr = { family, bytes, prefix };
  const net = networkOf(c);
  if (net.bytes.some((v, i) => v !== bytes![i])) {
    return { ok: false, error: `host bits are set after /${prefix}: did you mean ${formatCidr(net)}?` };
  }
  return { ok: true, value: c };
}

/** The single-address prefix of an address: "/32" for IPv4, "/128" for IPv6; null when unparsable. */
export function hostPrefix(addr: string): string | null {
  const v4 = parseIPv4(addr.trim());
  if (v4) return `${formatIPv4(v4)}/32`;
  const v6 = parseIPv6(addr.trim());
  if (v6) return `${formatIPv6(v6)}/128`;
  return null;
}
