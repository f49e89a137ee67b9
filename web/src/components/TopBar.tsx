import type { ConnectionStatus } from '../lib/connection';
import type { Theme } from '../lib/theme';
import { ConnectionIndicator } from './ConnectionIndicator';
import { Icon } from './Icon';
import { ThemeToggle } from './ThemeToggle';

interface Props {
  status: ConnectionStatus;
  version: string | null;
  theme: Theme;
  onToggleTheme: () => void;
  onLogout: () => void;
}

export function TopBar({ status, version, theme, onToggleTheme, onLogout }: Props) {
  return (
    <header class="topbar">
      <div class="brand">
        <span class="brand__mark">
          <Icon name="logo" size={18} />
        </span>
        <span class="brand__name">PacketScope</span>
        {version && <span class="brand__version">v{version}</span>}
      </div>
      <div class="topbar__right">
        <ConnectionIndicator status={status} />
        <ThemeToggle theme={theme} onToggle={onToggleTheme} />
        <button type="button" class="btn btn--ghost" data-testid="logout" onClick={onLogout} title="Sign out and forget the token">
          <Icon name="logout" />
          <span>Log out</span>
        </button>
      </div>
    </header>
  );
}
