// Global Guarder counters (from the stream's stats, or /guard/stats) and where XDP is attached.
import type { GuardStats } from '../../api/guarder';
import { formatCount } from '../../lib/format';

const FIGURES: { id: keyof GuardStats; label: string; hint: string; tone?: 'danger' | 'warn' }[] = [
  { id: 'packets', label: 'Packets', hint: 'Packets seen by the XDP program on every attached interface' },
  { id: 'passed', label: 'Passed', hint: 'Packets passed (by a pass rule, or no terminal rule matched)' },
  { id: 'dropped', label: 'Dropped', hint: 'Packets dropped by drop rules and rate limits', tone: 'danger' },
  { id: 'rate_dropped', label: 'Rate-dropped', hint: 'Packets over a rate-limit rule’s rate', tone: 'warn' },
  { id: 'malformed', label: 'Malformed', hint: 'Packets with impossible lengths or cut-short headers', tone: 'warn' },
  { id: 'non_ip', label: 'Non-IP', hint: 'ARP, LLDP and other non-IP frames (always passed)' },
  { id: 'live_rules', label: 'Live rules', hint: 'Enabled rules compiled into the kernel' },
];

export function StatsStrip({ stats, source }: { stats: GuardStats | null; source: 'stream' | 'poll' | null }) {
  const attachments = Array.isArray(stats?.attachments) ? stats!.attachments : [];
  return (
    <section class="gr-stats" aria-label="Guarder counters" data-testid="guard-stats" data-source={source ?? ''}>
      {FIGURES.map((f) => {
        const v = stats ? (stats[f.id] as number) : null;
        const hot = f.tone && typeof v === 'number' && v > 0;
        return (
          <div key={f.id} class={`gr-stat${hot ? ` gr-stat--${f.tone}` : ''}`} title={f.hint}>
            <div class="stat__label">{f.label}</div>
            <div class="gr-stat__value mono" data-testid={`gstat-${f.id}`}>
              {formatCount(v)}
            </div>
          </div>
        );
      })}
      <div class="gr-stat gr-stat--wide" title="Interfaces the XDP program is attached to, and how">
        <div class="stat__label">Attached to</div>
        <div class="gr-attach" data-testid="guard-attachments">
          {stats === null ? (
            <span class="muted">…</span>
          ) : attachments.length === 0 ? (
            <span class="muted">no interface (rules are kept but enforce nothing)</span>
          ) : (
            attachments.map((a) => (
              <span key={a.ifname} class="gr-attach__item" data-testid="guard-attachment">
                <span class="mono">{a.ifname}</span>
                <span class={`badge badge--${a.mode === 'native' ? 'ok' : 'warn'}`} title={a.mode === 'native' ? 'in the driver' : 'generic (skb) mode: slower, after the driver'}>
                  {a.mode}
                </span>
              </span>
            ))
          )}
        </div>
      </div>
    </section>
  );
}
