// Small pieces of the rules table: action, origin and expiry badges, the enabled switch and
// the per-rule sparkline.
import type { GuardAction, GuardOrigin } from '../../api/guarder';
import { countdown } from '../../lib/guarder/countdown';
import { sparkPath } from '../../lib/guarder/sparkline';
import { formatRate } from '../../lib/format';

const ACTION_TONE: Record<GuardAction, string> = { drop: 'danger', pass: 'ok', 'rate-limit': 'warn', log: 'info' };
const ORIGIN_TONE: Record<GuardOrigin, string> = { user: 'muted', detector: 'warn', analyst: 'info', llm: 'danger' };

export function ActionBadge({ action, shadow }: { action: GuardAction; shadow: boolean }) {
  return (
    <span class="gr-action">
      <span class={`badge badge--${ACTION_TONE[action] ?? 'muted'}`} data-testid="rule-action">
        {action}
      </span>
      {shadow && (
        <span class="badge badge--muted gr-shadow" title="Shadow: counts only, never changes a verdict" data-testid="rule-shadow">
          shadow
        </span>
      )}
    </span>
  );
}

export function OriginBadge({ origin }: { origin: GuardOrigin }) {
  return (
    <span class={`badge badge--${ORIGIN_TONE[origin] ?? 'muted'} gr-origin`} data-origin={origin} data-testid="rule-origin">
      {origin}
    </span>
  );
}

interface SwitchProps {
  on: boolean;
  busy?: boolean;
  label: string;
  onToggle: () => void;
  testid?: string;
}

/** An on/off switch (role="switch", so screen readers and tests read its state). */
export function Switch({ on, busy = false, label, onToggle, testid }: SwitchProps) {
  return (
    <button
      type="button"
      role="switch"
      class={`switch${on ? ' is-on' : ''}`}
      aria-checked={on}
      aria-label={label}
      disabled={busy}
      onClick={onToggle}
      data-testid={testid}
    >
      <span class="switch__knob" aria-hidden="true" />
    </button>
  );
}

export function ExpiryCell({ expiresAt, now }: { expiresAt: string | null; now: number }) {
  const c = countdown(expiresAt, now);
  if (!c) return <span class="muted">never</span>;
  return (
    <span class={c.urgent ? 'gr-expiry is-urgent' : 'gr-expiry'} title={expiresAt ?? undefined} data-testid="rule-expiry">
      {c.text}
    </span>
  );
}

const SPARK_W = 72;
const SPARK_H = 18;

/** Packets per second over the last minute; the title gives the latest value. */
export function Sparkline({ values }: { values: readonly number[] }) {
  const d = sparkPath(values, SPARK_W, SPARK_H);
  const last = values.length > 0 ? values[values.length - 1]! : null;
  return (
    <svg
      class="spark"
      width={SPARK_W}
      height={SPARK_H}
      viewBox={`0 0 ${SPARK_W} ${SPARK_H}`}
      role="img"
      aria-label={last === null ? 'no rate yet' : `${formatRate(last)} packets/s`}
      data-testid="rule-spark"
      data-points={values.length}
    >
      <title>{last === null ? 'collecting…' : `${formatRate(last)} packets/s now (last ${values.length} s)`}</title>
      <line class="spark__base" x1="0" x2={SPARK_W} y1={SPARK_H - 0.5} y2={SPARK_H - 0.5} />
      {d && <path class="spark__line" d={d} />}
    </svg>
  );
}
