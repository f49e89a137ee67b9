import { ROUTES, hrefFor, type RouteId } from '../lib/routes';
import { Icon } from './Icon';

export function SideNav({ current }: { current: RouteId }) {
  return (
    <nav class="sidenav" aria-label="Main">
      <ul>
        {ROUTES.map((r) => (
          <li key={r.id}>
            <a
              href={hrefFor(r.id)}
              class={r.id === current ? 'sidenav__link is-active' : 'sidenav__link'}
              aria-current={r.id === current ? 'page' : undefined}
              data-testid={`nav-${r.id}`}
            >
              <Icon name={r.id} />
              <span class="sidenav__label">{r.label}</span>
              {r.sub && <span class="sidenav__sub">{r.sub}</span>}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
