import { useCallback, useEffect, useState } from 'preact/hooks';
import { applyTheme, otherTheme, persistTheme, storedTheme, systemTheme, type Theme } from '../lib/theme';
import { safeStorage } from '../lib/token';

function matchMediaFn(): ((q: string) => MediaQueryList) | undefined {
  return typeof window.matchMedia === 'function' ? (q) => window.matchMedia(q) : undefined;
}

export function initialTheme(): Theme {
  return storedTheme(safeStorage()) ?? systemTheme(matchMediaFn());
}

export function useTheme(): { theme: Theme; toggle: () => void } {
  const [theme, setTheme] = useState<Theme>(initialTheme);

  useEffect(() => applyTheme(theme), [theme]);

  // Follow the system setting until the user picks a theme explicitly.
  useEffect(() => {
    const mm = matchMediaFn();
    if (!mm) return undefined;
    const mq = mm('(prefers-color-scheme: light)');
    const onChange = () => {
      if (storedTheme(safeStorage()) === null) setTheme(mq.matches ? 'light' : 'dark');
    };
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);

  const toggle = useCallback(() => {
    setTheme((t) => {
      const next = otherTheme(t);
      persistTheme(next, safeStorage());
      return next;
    });
  }, []);

  return { theme, toggle };
}
