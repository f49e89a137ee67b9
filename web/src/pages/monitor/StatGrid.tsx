import { StatCard } from '../../components/StatCard';
import type { TracerCounter, TracerStats } from '../../api/types';
import type { Rates } from '../../lib/rates';

const CARDS: { id: TracerCounter; label: string; hint: string; tone?: 'warn' | 'danger' }[] = [
  { id: 'packets_rx', label: 'Packets received', hint: 'Packets seen on the receive path' },
  { id: 'packets_tx', label: 'Packets transmitted', hint: 'Packets seen on the transmit path' },
  { id: 'drops', label: 'Dropped', hint: 'Packets the kernel dropped (kfree_skb with a drop reason)', tone: 'danger' },
  { id: 'consumed', label: 'Consumed', hint: 'Packets freed normally after delivery (consume_skb)' },
  { id: 'ringbuf_lost', label: 'Ring-buffer losses', hint: 'Events lost because the BPF ring buffer was full', tone: 'warn' },
];

export function StatGrid({ stats, rates }: { stats: TracerStats | null; rates: Rates | null }) {
  return (
    <div class="stats" data-testid="tracer-stats">
      {CARDS.map((c) => (
        <StatCard
          key={c.id}
          id={c.id}
          label={c.label}
          hint={c.hint}
          value={stats ? stats[c.id] : null}
          rate={rates ? rates[c.id] : null}
          tone={c.tone ?? 'neutral'}
        />
      ))}
    </div>
  );
}
