import { useCallback, useState } from 'preact/hooks';
import type { SocketItem } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { StateBadge } from '../../components/StateBadge';
import { formatClock } from '../../lib/format';
import { socketCookie } from '../../lib/sockets';
import { useApi, useHealth, useLive, type LiveStats } from '../../state/contexts';
import { usePoll } from '../../state/usePoll';
import { DropsTable } from './DropsTable';
import { PacketsPanel } from './PacketsPanel';
import { PathView } from './PathView';
import { SocketsPanel } from './SocketsPanel';
import { StatGrid } from './StatGrid';

const DROPS_LIMIT = 50;

function sourceLabel(live: LiveStats): string {
  if (live.updatedAt === null) return 'waiting for data';
  if (live.status === 'live' && live.source === 'stream') return 'live stream';
  const at = formatClock(new Date(live.updatedAt).toISOString());
  if (live.source === 'poll') return `polling, stream unavailable · updated ${at}`;
  return `stream interrupted · last update ${at}`;
}
const DROPS_REFRESH_MS = 2000;

export function MonitorPage() {
  const api = useApi();
  const live = useLive();
  const health = useHealth();
  const drops = usePoll(() => api.tracerDrops(DROPS_LIMIT), DROPS_REFRESH_MS, [api]);
  const tracer = health.data?.modules?.find((m) => m.name === 'tracer');
  const [socket, setSocket] = useState<SocketItem | null>(null);
  const [packet, setPacket] = useState<number | null>(null);
  const closePath = useCallback(() => setPacket(null), []);
  // Another socket's packet list replaces the one the open path came from, so the path closes.
  const selectSocket = useCallback(
    (s: SocketItem) => {
      if (!socket || socketCookie(socket) !== socketCookie(s)) setPacket(null);
      setSocket(s);
    },
    [socket],
  );
  const clearSocket = useCallback(() => {
    setSocket(null);
    setPacket(null);
  }, []);

  return (
    <div class="page">
      <header class="page__head">
        <h1>Monitor</h1>
        <p class="page__sub">
          Tracer {tracer && <StateBadge state={tracer.state} />}
          {tracer?.detail && <span class="muted"> {tracer.detail}</span>}
        </p>
      </header>

      <Panel
        title="Tracer counters"
        aside={
          <span class="muted small" data-testid="stats-source">
            {sourceLabel(live)}
          </span>
        }
      >
        <StatGrid stats={live.stats} rates={live.rates} />
      </Panel>

      <SocketsPanel selected={socket ? socketCookie(socket) : null} onSelect={selectSocket} />

      <PacketsPanel socket={socket} onClearSocket={clearSocket} selected={packet} onSelect={setPacket} />

      {packet !== null && <PathView key={packet} id={packet} onClose={closePath} />}

      <Panel
        title="Recent drops"
        aside={<span class="muted small">last {DROPS_LIMIT}, refreshed every {DROPS_REFRESH_MS / 1000} s</span>}
        testid="drops-panel"
      >
        {drops.error && <ErrorNote context="Drops" message={drops.error} />}
        {drops.data ? (
          <DropsTable items={Array.isArray(drops.data.items) ? drops.data.items : []} />
        ) : (
          !drops.error && <p class="empty">Loading…</p>
        )}
      </Panel>
    </div>
  );
}
