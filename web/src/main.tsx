import { render } from 'preact';
import { App } from './App';
import { applyTheme } from './lib/theme';
import { initialTheme } from './state/useTheme';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/table.css';
import './styles/monitor.css';
import './styles/analyzer.css';
import './styles/guarder.css';

// Set the theme before the first render so the page never flashes the wrong one.
applyTheme(initialTheme());

const root = document.getElementById('app');
if (root) render(<App />, root);
