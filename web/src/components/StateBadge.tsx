const TONES: Record<string, string> = {
  running: 'ok',
  starting: 'info',
  disabled: 'muted',
  stopped: 'muted',
  not_implemented: 'muted',
  failed: 'danger',
};

export function stateLabel(state: string): string {
  return state === 'not_implemented' ? 'not implemented' : state.replace(/_/g, ' ');
}

export function StateBadge({ state }: { state: string }) {
  const tone = TONES[state] ?? 'muted';
  return (
    <span class={`badge badge--${tone}`} data-state={state}>
      {stateLabel(state)}
    </span>
  );
}

export function YesNo({ value }: { value: boolean }) {
  return <span class={`badge badge--${value ? 'ok' : 'danger'}`}>{value ? 'yes' : 'no'}</span>;
}
