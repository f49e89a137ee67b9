// One packet in detail: summary, the path diagram, decoded headers and the
// captured bytes. Escape (anywhere on the page) or the close button closes it.
import { useEffect, useRef } from 'preact/hooks';
import type { PacketDetail } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { formatClockPrecise, formatCount, formatDateTime, formatNs } from '../../lib/format';
import { parseHex } from '../../lib/hexdump';
import { packetFlow } from '../../lib/packets';
import { useApi } from '../../state/contexts';
import { usePoll } from '../../state/usePoll';
import { HeaderFields } from './HeaderFields';
import { HexView } from './HexView';
import { PathDiagram } from './PathDiagram';

interface Props {
  id: number;
  onClose: () => void;
}

function latencyOf(p: PacketDetail): number | null {
  if (typeof p.latency_ns === 'number') return p.latency_ns;
  if (!Array.isArray(p.hops) || p.hops.length === 0) return null;
  const ts = p.hops.map((h) => h.t_ns);
  return Math.max(...ts) - Math.min(...ts);
}

function Summary({ p }: { p: PacketDetail }) {
  const captured = parseHex(p.bytes_hex ?? '').length;
  // "dropped" already shows as the verdict.
  const flags = Array.isArray(p.flags) ? p.flags.filter((f) => f !== 'dropped') : [];
  return (
    <dl class="pktsum" data-testid="packet-summary">
      <div>
        <dt>Time</dt>
        <dd class="mono" title={formatDateTime(p.time)}>
          {formatClockPrecise(p.time)}
        </dd>
      </div>
      <div>
        <dt>Dir</dt>
        <dd class={`mono dir dir--${p.direction}`}>{p.direction}</dd>
      </div>
      <div>
        <dt>Proto</dt>
        <dd class="mono">{p.protocol || '—'}</dd>
      </div>
      <div class="pktsum__wide">
        <dt>Flow</dt>
        <dd class="mono">{packetFlow(p)}</dd>
      </div>
      <div>
        <dt>Length</dt>
        <dd class="mono">
          {formatCount(p.length)} B{captured > 0 && captured !== p.length && <span class="muted"> ({captured} captured)</span>}
        </dd>
      </div>
      <div>
        <dt>Hops</dt>
        <dd class="mono">{Array.isArray(p.hops) ? p.hops.length : 0}</dd>
      </div>
      <div>
        <dt>Latency</dt>
        <dd class="mono">{formatNs(latencyOf(p))}</dd>
      </div>
      <div class="pktsum__wide">
        <dt>Verdict</dt>
        <dd class="mono" data-testid="packet-verdict">
          {p.dropped ? (
            <span class="verdict verdict--drop">
              dropped: {p.reason ?? 'unknown'}
              {p.location && <span class="muted"> at {p.location}</span>}
            </span>
          ) : (
            <span class="verdict">delivered</span>
          )}
        </dd>
      </div>
      {p.comm && (
        <div>
          <dt>Task</dt>
          <dd class="mono">
            {p.comm}/{p.tgid}
          </dd>
        </div>
      )}
      {flags.length > 0 && (
        <div>
          <dt>Flags</dt>
          <dd class="mono">{flags.join(', ')}</dd>
        </div>
      )}
    </dl>
  );
}

export function PathView({ id, onClose }: Props) {
  const api = useApi();
  const ref = useRef<HTMLElement>(null);
  const poll = usePoll(async () => ({ id, p: await api.tracerPacket(id) }), null, [api, id]);
  const p = poll.data && poll.data.id === id ? poll.data.p : null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  // Bring the view into sight when it opens or shows another packet.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [id, p !== null]);

  return (
    <section class="panel pathview" ref={ref} data-testid="path-view" aria-label={`Packet ${id} path`}>
      <header class="panel__head">
        <h2>
          Packet path <span class="mono muted pathview__id">#{id}</span>
        </h2>
        <div class="panel__aside">
          <span class="muted small">Esc closes</span>
          <button type="button" class="btn btn--small" data-testid="path-close" onClick={onClose} aria-label="Close the path view">
            Close
          </button>
        </div>
      </header>
      <div class="panel__body">
        {poll.error && !p && <ErrorNote context={`Packet ${id}`} message={poll.error} />}
        {!p && !poll.error && <p class="empty">Loading…</p>}
        {p && (
          <>
            <Summary p={p} />
            {Array.isArray(p.hops) && p.hops.length > 0 ? (
              <PathDiagram hops={p.hops} drop={p.dropped ? { reason: p.reason, location: p.location } : null} packetId={id} />
            ) : (
              <p class="empty">No hops recorded for this packet.</p>
            )}
            <div class="pathview__detail">
              <div>
                <h3 class="subhead">Headers</h3>
                <HeaderFields headers={p.headers} />
              </div>
              <div class="pathview__bytes">
                <h3 class="subhead">
                  Bytes <span class="muted small">{formatCount(parseHex(p.bytes_hex ?? '').length)} captured</span>
                </h3>
                <HexView hex={p.bytes_hex ?? ''} />
              </div>
            </div>
          </>
        )}
      </div>
    </section>
  );
}
