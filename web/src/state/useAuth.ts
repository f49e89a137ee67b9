// Authentication state: the stored token, login validation against /health,
// and the "session expired" path taken on any later 401.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiClient, describeError, isUnauthorized } from '../api/client';
import { clearToken, fragmentHasToken, loadToken, saveToken, tokenFromFragment } from '../lib/token';

export const MSG_INVALID = 'Invalid token';
export const MSG_EXPIRED = 'Session expired or token changed';

export type AuthPhase = 'checking' | 'login' | 'authed';

export interface AuthState {
  phase: AuthPhase;
  token: string | null;
  /** Shown as an alert in the login form (bad token, unreachable daemon). */
  error: string | null;
  /** Shown above the login form (session expired, signed out). */
  notice: string | null;
}

export interface Auth extends AuthState {
  signIn: (token: string) => Promise<void>;
  logout: () => void;
  expire: () => void;
}

/** Takes a #token=... fragment out of the URL (so it is not bookmarked or shared) and returns it. */
function consumeFragmentToken(): string | null {
  const hash = window.location.hash;
  if (!fragmentHasToken(hash)) return null;
  const token = tokenFromFragment(hash);
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}

function initialState(): { state: AuthState; pending: string | null } {
  const fromFragment = consumeFragmentToken();
  if (fromFragment) {
    saveToken(fromFragment);
    return { state: { phase: 'checking', token: fromFragment, error: null, notice: null }, pending: fromFragment };
  }
  const stored = loadToken();
  if (stored) return { state: { phase: 'checking', token: stored, error: null, notice: null }, pending: stored };
  return { state: { phase: 'login', token: null, error: null, notice: null }, pending: null };
}

export function useAuth(): Auth {
  const [init] = useState(initialState);
  const [state, setState] = useState<AuthState>(init.state);

  const validate = useCallback(async (token: string): Promise<AuthState> => {
    try {
      await new ApiClient({ token }).health();
      saveToken(token);
      return { phase: 'authed', token, error: null, notice: null };
    } catch (e) {
      if (isUnauthorized(e)) {
        clearToken();
        return { phase: 'login', token: null, error: MSG_INVALID, notice: null };
      }
      return { phase: 'login', token: null, error: describeError(e), notice: null };
    }
  }, []);

  useEffect(() => {
    const token = init.pending;
    if (!token) return;
    let alive = true;
    void (async () => {
      let next = await validate(token);
      // The daemon being briefly unreachable must not log out a stored session:
      // the shell shows it as offline and recovers by itself.
      if (next.phase === 'login' && next.error !== MSG_INVALID) next = { phase: 'authed', token, error: null, notice: null };
      if (alive) setState(next);
    })();
    return () => {
      alive = false;
    };
  }, [init, validate]);

  const signIn = useCallback(
    async (token: string) => {
      const t = token.trim();
      if (!t) {
        setState({ phase: 'login', token: null, error: 'Enter the access token printed by the daemon', notice: null });
        return;
      }
      setState((s) => ({ ...s, error: null, notice: null }));
      setState(await validate(t));
    },
    [validate],
  );

  const logout = useCallback(() => {
    clearToken();
    setState({ phase: 'login', token: null, error: null, notice: null });
  }, []);

  const expire = useCallback(() => {
    clearToken();
    setState({ phase: 'login', token: null, error: null, notice: MSG_EXPIRED });
  }, []);

  return { ...state, signIn, logout, expire };
}
