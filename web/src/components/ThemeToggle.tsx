import type { Theme } from '../lib/theme';
import { Icon } from './Icon';

export function ThemeToggle({ theme, onToggle, withLabel = false }: { theme: Theme; onToggle: () => void; withLabel?: boolean }) {
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      class={withLabel ? 'btn' : 'btn btn--icon'}
      data-testid="theme-toggle"
      onClick={onToggle}
      title={`Switch to ${next} theme`}
      aria-label={`Switch to ${next} theme`}
    >
      <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
      {withLabel && <span>{next === 'light' ? 'Light theme' : 'Dark theme'}</span>}
    </button>
  );
}
