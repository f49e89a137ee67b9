import { formatCount, formatRate } from '../lib/format';

interface Props {
  id: string;
  label: string;
  hint: string;
  value: number | null;
  rate: number | null;
  tone?: 'neutral' | 'warn' | 'danger';
}

export function StatCard({ id, label, hint, value, rate, tone = 'neutral' }: Props) {
  const alarming = tone !== 'neutral' && typeof rate === 'number' && rate > 0;
  return (
    <div class={`stat${alarming ? ` stat--${tone}` : ''}`} title={hint}>
      <div class="stat__label">{label}</div>
      <div class="stat__value" data-testid={`stat-${id}`}>
        {formatCount(value)}
      </div>
      <div class="stat__rate" data-testid={`rate-${id}`}>
        {formatRate(rate)}
        {typeof rate === 'number' && <span class="stat__unit">/s</span>}
      </div>
    </div>
  );
}
