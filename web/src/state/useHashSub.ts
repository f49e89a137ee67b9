// The sub-view part of the hash route ("#/guarder/audit" -> "audit"), kept in step with the URL.
import { useEffect, useState } from 'preact/hooks';
import { subrouteFromHash } from '../lib/routes';

export function useHashSub(): string | null {
  const [sub, setSub] = useState<string | null>(() => subrouteFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setSub(subrouteFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return sub;
}
