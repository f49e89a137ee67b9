// The signed-in application: top bar, side navigation and the routed page,
// with the API client, health and live stats shared through contexts.
import { useMemo } from 'preact/hooks';
import { ApiClient } from '../api/client';
import { StreamBus } from '../lib/streamBus';
import type { Theme } from '../lib/theme';
import type { RouteId } from '../lib/routes';
import { AnalyzerPage } from '../pages/analyzer/AnalyzerPage';
import { GuarderPage } from '../pages/guarder/GuarderPage';
import { LocatorPage } from '../pages/locator/LocatorPage';
import { MonitorPage } from '../pages/monitor/MonitorPage';
import { SettingsPage } from '../pages/settings/SettingsPage';
import { ApiContext, HealthContext, LiveContext, StreamContext } from '../state/contexts';
import { useHashRoute } from '../state/useHashRoute';
import { useLiveStats } from '../state/useLiveStats';
import { usePoll } from '../state/usePoll';
import { SideNav } from './SideNav';
import { TopBar } from './TopBar';

const HEALTH_REFRESH_MS = 5000;

interface Props {
  token: string;
  theme: Theme;
  onToggleTheme: () => void;
  onLogout: () => void;
  onUnauthorized: () => void;
}

export function Shell({ token, theme, onToggleTheme, onLogout, onUnauthorized }: Props) {
  const api = useMemo(() => new ApiClient({ token, onUnauthorized }), [token, onUnauthorized]);
  const health = usePoll(() => api.health(), HEALTH_REFRESH_MS, [api]);
  const bus = useMemo(() => new StreamBus(), [token]);
  const live = useLiveStats(api, token, bus);
  const route = useHashRoute();

  return (
    <ApiContext.Provider value={api}>
      <HealthContext.Provider value={health}>
        <LiveContext.Provider value={live}>
          <StreamContext.Provider value={bus}>
            <div class="shell" data-testid="shell">
              <TopBar
                status={live.status}
                version={health.data?.version ?? live.serverVersion}
                theme={theme}
                onToggleTheme={onToggleTheme}
                onLogout={onLogout}
              />
              <SideNav current={route} />
              <main class="main" id="main">
                <Page route={route} theme={theme} onToggleTheme={onToggleTheme} onLogout={onLogout} />
              </main>
            </div>
          </StreamContext.Provider>
        </LiveContext.Provider>
      </HealthContext.Provider>
    </ApiContext.Provider>
  );
}

function Page({ route, theme, onToggleTheme, onLogout }: { route: RouteId } & Pick<Props, 'theme' | 'onToggleTheme' | 'onLogout'>) {
  switch (route) {
    case 'analyzer':
      return <AnalyzerPage />;
    case 'locator':
      return <LocatorPage />;
    case 'guarder':
      return <GuarderPage />;
    case 'settings':
      return <SettingsPage theme={theme} onToggleTheme={onToggleTheme} onLogout={onLogout} />;
    case 'monitor':
    default:
      return <MonitorPage />;
  }
}
