import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon';
import { ThemeToggle } from '../../components/ThemeToggle';
import type { Theme } from '../../lib/theme';

interface Props {
  error: string | null;
  notice: string | null;
  busy: boolean;
  onSubmit: (token: string) => void;
  theme: Theme;
  onToggleTheme: () => void;
}

export function LoginPage({ error, notice, busy, onSubmit, theme, onToggleTheme }: Props) {
  const [token, setToken] = useState('');

  const submit = (e: Event) => {
    e.preventDefault();
    onSubmit(token);
  };

  return (
    <div class="login">
      <div class="login__theme">
        <ThemeToggle theme={theme} onToggle={onToggleTheme} />
      </div>
      <form class="login__card" onSubmit={submit} data-testid="login-form" novalidate>
        <div class="brand brand--large">
          <span class="brand__mark">
            <Icon name="logo" size={22} />
          </span>
          <span class="brand__name">PacketScope</span>
        </div>
        <p class="login__intro">
          Enter the access token the daemon printed at start-up, or open the link it printed, which signs you in
          directly.
        </p>
        {notice && (
          <div class="note note--warn" role="status" data-testid="login-notice">
            {notice}
          </div>
        )}
        <label class="field" for="token">
          <span class="field__label">Access token</span>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            spellcheck={false}
            autoFocus
            value={token}
            onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : undefined}
          />
        </label>
        {error && (
          <div id="login-error" class="note note--error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button type="submit" class="btn btn--primary btn--block" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
