import type { ConnectionStatus } from '../lib/connection';

const TITLES: Record<ConnectionStatus, string> = {
  live: 'Live stream connected; data arrived in the last 5 seconds',
  reconnecting: 'Live stream not delivering data; reconnecting',
  offline: 'Cannot reach the live stream; still retrying',
};

export function ConnectionIndicator({ status }: { status: ConnectionStatus }) {
  return (
    <div
      class={`conn conn--${status}`}
      data-testid="connection-status"
      data-state={status}
      role="status"
      aria-live="polite"
      title={TITLES[status]}
    >
      <span class="conn__dot" aria-hidden="true" />
      <span class="conn__label">{status}</span>
    </div>
  );
}
