// The rule list: GET /guard/rules every 5 s, at once after `reloadKey` changes, shortly after a
// rule's expiry passes (the daemon deletes it within a second), and when the live counters name
// a different set of rules than the list holds (someone else added or removed one).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { GuardApi, GuardRule } from '../../api/guarder';
import { msUntil } from '../../lib/guarder/countdown';
import type { GuardLive } from '../../state/useGuardLive';
import { usePoll, type PollState } from '../../state/usePoll';

const REFRESH_MS = 5000;
/** A big rule set is a big answer: refresh it less often (changes made here still reload it). */
const BIG_LIST = 5000;
const BIG_REFRESH_MS = 30_000;
const AFTER_EXPIRY_MS = 1200;
const MISMATCH_RELOAD_MS = 2000;

export function useRules(guard: GuardApi, live: GuardLive, reloadKey: number): { poll: PollState<{ items: GuardRule[] }>; reload: () => void } {
  const [bump, setBump] = useState(0);
  const [big, setBig] = useState(false);
  const poll = usePoll(() => guard.rules(), big ? BIG_REFRESH_MS : REFRESH_MS, [guard, reloadKey, bump]);
  const items = useMemo(() => (Array.isArray(poll.data?.items) ? poll.data!.items : []), [poll.data]);
  useEffect(() => setBig(items.length > BIG_LIST), [items.length]);

  // The next expiry: reload just after it.
  useEffect(() => {
    const now = Date.now();
    let soonest = Infinity;
    for (const r of items) {
      const ms = msUntil(r.expires_at, now);
      if (ms !== null && ms > -AFTER_EXPIRY_MS) soonest = Math.min(soonest, ms);
    }
    if (!Number.isFinite(soonest)) return undefined;
    const t = setTimeout(() => setBump((n) => n + 1), Math.max(0, soonest) + AFTER_EXPIRY_MS);
    return () => clearTimeout(t);
  }, [items]);

  // Live counters for a rule the list lacks (or the other way round): the list is stale.
  const lastMismatch = useRef(0);
  useEffect(() => {
    if (!poll.data || live.version === 0) return;
    const ids = new Set(items.map((r) => String(r.id)));
    const liveIds = live.history.ids();
    const differs = liveIds.length !== ids.size || liveIds.some((id) => !ids.has(id));
    if (differs && Date.now() - lastMismatch.current > MISMATCH_RELOAD_MS) {
      lastMismatch.current = Date.now();
      setBump((n) => n + 1);
    }
  }, [live.version]);

  return { poll, reload: () => setBump((n) => n + 1) };
}
