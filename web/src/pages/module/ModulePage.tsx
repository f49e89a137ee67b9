// Shared page for modules that report only their state so far (Analyzer,
// Locator, Guarder): what /health says about them, nothing invented.
import { ErrorNote } from '../../components/ErrorNote';
import { Panel } from '../../components/Panel';
import { StateBadge } from '../../components/StateBadge';
import { useHealth } from '../../state/contexts';

interface Props {
  title: string;
  module: string;
}

function explain(state: string): string | null {
  switch (state) {
    case 'not_implemented':
      return 'This module is not part of this build yet.';
    case 'disabled':
      return 'This module is disabled in the daemon configuration.';
    case 'failed':
      return 'This module failed to start; the detail below says why.';
    case 'stopped':
      return 'This module is stopped.';
    case 'starting':
      return 'This module is starting.';
    default:
      return null;
  }
}

export function ModulePage({ title, module }: Props) {
  const health = useHealth();
  const status = health.data?.modules?.find((m) => m.name === module) ?? null;

  return (
    <div class="page">
      <header class="page__head">
        <h1>{title}</h1>
        <p class="page__sub">
          Module <code>{module}</code>
        </p>
      </header>
      {health.error && <ErrorNote context="Health" message={health.error} />}
      <Panel title="Module status" testid="module-panel">
        {health.loading && !health.data ? (
          <p class="empty">Loading…</p>
        ) : status ? (
          <div class="module">
            <dl class="module__grid">
              <dt>Name</dt>
              <dd class="mono">{status.name}</dd>
              <dt>State</dt>
              <dd>
                <StateBadge state={status.state} />
              </dd>
              <dt>Detail</dt>
              <dd>{status.detail ? status.detail : <span class="muted">none</span>}</dd>
            </dl>
            {explain(status.state) && (
              <p class="module__explain" data-testid="module-explain">
                {explain(status.state)}
              </p>
            )}
          </div>
        ) : health.data ? (
          <p class="empty">The daemon does not report a module named “{module}”.</p>
        ) : null}
      </Panel>
    </div>
  );
}
