// RFC 7396 merge patches: the difference between two JSON objects as the patch that turns the
// first into the second. The editor sends only what changed, so a concurrent change to another
// field is not overwritten.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
  }
  return false;
}

/**
 * The merge patch from `before` to `after`: changed and added keys with their new value, removed
 * keys as null, nested objects recursively; arrays are replaced whole. Keys whose value is
 * undefined count as absent. Empty object: nothing changed.
 */
export function mergePatch(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined) continue;
    const old = before[k];
    if (old === undefined || old === null) {
      if (v !== null) out[k] = v;
      continue;
    }
    if (isObject(old) && isObject(v)) {
      const sub = mergePatch(old, v);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!same(old, v)) {
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(before)) {
    if (v !== undefined && v !== null && (after[k] === undefined || after[k] === null)) out[k] = null;
  }
  return out;
}

/** Applies a merge patch (RFC 7396 section 2); used by tests and the mock daemon's twin. */
export function applyMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return patch as Json;
  const result: Record<string, Json> = isObject(target) ? { ...(target as Record<string, Json>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = applyMergePatch(result[k], v);
  }
  return result;
}
