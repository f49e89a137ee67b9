// Access-token handling: the fragment the daemon prints (#token=<hex>) and localStorage.

export const TOKEN_STORAGE_KEY = 'packetscope.token';

// Tokens travel in a WebSocket subprotocol ("bearer.<token>"), so only RFC 7230
// token characters are accepted; the daemon issues hex.
const TOKEN_RE = /^[A-Za-z0-9._~-]+$/;

export function isPlausibleToken(token: string): boolean {
  return token.length > 0 && token.length <= 512 && TOKEN_RE.test(token);
}

/**
 * Reads a token from a location hash such as "#token=abc" or "#/monitor&token=abc".
 * Returns null when there is none or it is malformed.
 */
export function tokenFromFragment(hash: string): string | null {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (raw.length === 0) return null;
  for (const part of raw.split(/[&?]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq) !== 'token') continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1)).trim();
    } catch {
      return null;
    }
    return isPlausibleToken(value) ? value : null;
  }
  return null;
}

/** True when the hash carries a token parameter at all (even a malformed one). */
export function fragmentHasToken(hash: string): boolean {
  return /(^#?|[&?])token=/.test(hash);
}

export function loadToken(storage: Storage | undefined = safeStorage()): string | null {
  try {
    const t = storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
    return t !== null && isPlausibleToken(t) ? t : null;
  } catch {
    return null;
  }
}

export function saveToken(token: string, storage: Storage | undefined = safeStorage()): void {
  try {
    storage?.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage can be disabled (private mode); the session then lasts for this tab only.
  }
}

export function clearToken(storage: Storage | undefined = safeStorage()): void {
  try {
    storage?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // ignore
  }
}

export function safeStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
