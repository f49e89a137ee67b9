// Flattens a JSON object into dotted key/value rows for generic display.
import type { ConfigValue } from '../api/types';

export interface KeyValueRow {
  key: string;
  value: string;
  kind: 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
}

function kindOf(v: ConfigValue): KeyValueRow['kind'] {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as KeyValueRow['kind'];
}

export function flattenObject(obj: { [k: string]: ConfigValue }, prefix = ''): KeyValueRow[] {
  const rows: KeyValueRow[] = [];
  for (const key of Object.keys(obj)) {
    const v = obj[key] as ConfigValue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const nested = flattenObject(v, path);
      if (nested.length === 0) rows.push({ key: path, value: '{}', kind: 'object' });
      else rows.push(...nested);
    } else if (Array.isArray(v)) {
      rows.push({ key: path, value: JSON.stringify(v), kind: 'array' });
    } else if (typeof v === 'string') {
      rows.push({ key: path, value: v, kind: 'string' });
    } else {
      rows.push({ key: path, value: String(v), kind: kindOf(v) });
    }
  }
  return rows;
}
