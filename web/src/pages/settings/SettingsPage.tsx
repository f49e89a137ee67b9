import { ErrorNote } from '../../components/ErrorNote';
import { KeyValueTable } from '../../components/KeyValueTable';
import { Panel } from '../../components/Panel';
import { ThemeToggle } from '../../components/ThemeToggle';
import { flattenObject } from '../../lib/flatten';
import { formatDateTime, formatUptime } from '../../lib/format';
import type { Theme } from '../../lib/theme';
import { useApi, useHealth } from '../../state/contexts';
import { usePoll } from '../../state/usePoll';
import { FeaturesTable, ModulesTable } from './HealthTables';

interface Props {
  theme: Theme;
  onToggleTheme: () => void;
  onLogout: () => void;
}

export function SettingsPage({ theme, onToggleTheme, onLogout }: Props) {
  const api = useApi();
  const health = useHealth();
  const config = usePoll(() => api.config(), null, [api]);
  const h = health.data;

  return (
    <div class="page">
      <header class="page__head">
        <h1>Settings</h1>
        <p class="page__sub">Daemon status, kernel features and effective configuration</p>
      </header>
      {health.error && <ErrorNote context="Health" message={health.error} />}

      <div class="grid-2">
        <Panel title="Daemon" testid="daemon-panel">
          <dl class="facts">
            <dt>Version</dt>
            <dd class="mono" data-testid="daemon-version">{h?.version ?? '—'}</dd>
            <dt>Status</dt>
            <dd class="mono">{h?.status ?? '—'}</dd>
            <dt>Uptime</dt>
            <dd class="mono" data-testid="daemon-uptime">{formatUptime(h?.uptime_s)}</dd>
            <dt>Started</dt>
            <dd class="mono">{h?.started_at ? formatDateTime(h.started_at) : '—'}</dd>
          </dl>
        </Panel>
        <Panel title="This browser">
          <div class="actions">
            <ThemeToggle theme={theme} onToggle={onToggleTheme} withLabel />
            <button type="button" class="btn" onClick={onLogout}>
              Log out
            </button>
          </div>
          <p class="muted small">The access token is kept in this browser's local storage until you log out.</p>
        </Panel>
      </div>

      <Panel title="Kernel features" testid="features-panel">
        {h ? <FeaturesTable features={h.features ?? []} /> : !health.error && <p class="empty">Loading…</p>}
      </Panel>

      <Panel title="Modules" testid="modules-panel">
        {h ? <ModulesTable modules={h.modules ?? []} /> : !health.error && <p class="empty">Loading…</p>}
      </Panel>

      <Panel title="Effective configuration" testid="config-panel">
        {config.error && <ErrorNote context="Configuration" message={config.error} />}
        {config.data ? (
          <KeyValueTable rows={flattenObject(config.data)} testid="config-table" />
        ) : (
          !config.error && <p class="empty">Loading…</p>
        )}
      </Panel>
    </div>
  );
}
