// Dark/light theme: the user's choice is kept in localStorage; without one the
// system preference (prefers-color-scheme) is followed.

export type Theme = 'dark' | 'light';
export const THEME_STORAGE_KEY = 'packetscope.theme';

export function storedTheme(storage?: Storage): Theme | null {
  try {
    const v = storage?.getItem(THEME_STORAGE_KEY);
    return v === 'dark' || v === 'light' ? v : null;
  } catch {
    return null;
  }
}

export function systemTheme(mm?: (q: string) => MediaQueryList): Theme {
  try {
    return mm?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
}

export function persistTheme(theme: Theme, storage?: Storage): void {
  try {
    storage?.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // ignore: the choice then lasts for this page only
  }
}

export function otherTheme(t: Theme): Theme {
  return t === 'dark' ? 'light' : 'dark';
}
