import { useEffect, useState } from 'preact/hooks';
import { Shell } from './components/Shell';
import { LoginPage } from './pages/login/LoginPage';
import { useAuth } from './state/useAuth';
import { useTheme } from './state/useTheme';

export function App() {
  const auth = useAuth();
  const { theme, toggle } = useTheme();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = auth.phase === 'authed' ? 'PacketScope' : 'Sign in · PacketScope';
  }, [auth.phase]);

  if (auth.phase === 'checking') {
    return (
      <div class="splash" role="status">
        Checking access token…
      </div>
    );
  }

  if (auth.phase === 'login' || !auth.token) {
    const submit = async (token: string) => {
      setBusy(true);
      try {
        await auth.signIn(token);
      } finally {
        setBusy(false);
      }
    };
    return (
      <LoginPage
        error={auth.error}
        notice={auth.notice}
        busy={busy}
        onSubmit={(t) => void submit(t)}
        theme={theme}
        onToggleTheme={toggle}
      />
    );
  }

  return <Shell token={auth.token} theme={theme} onToggleTheme={toggle} onLogout={auth.logout} onUnauthorized={auth.expire} />;
}
