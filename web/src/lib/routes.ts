// Hash routes (#/monitor ...). The daemon serves index.html as a static file, so
// all routing happens in the fragment.

export const ROUTES = [
  { id: 'monitor', label: 'Monitor', sub: 'Tracer' },
  { id: 'analyzer', label: 'Analyzer', sub: '' },
  { id: 'locator', label: 'Locator', sub: '' },
  { id: 'guarder', label: 'Guarder', sub: '' },
  { id: 'settings', label: 'Settings', sub: '' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];
export const DEFAULT_ROUTE: RouteId = 'monitor';

export function routeFromHash(hash: string): RouteId {
  const m = /^#\/([a-z]+)/.exec(hash);
  const id = m?.[1];
  return ROUTES.some((r) => r.id === id) ? (id as RouteId) : DEFAULT_ROUTE;
}

export function hrefFor(id: RouteId): string {
  return `#/${id}`;
}

/** The part after the page in "#/page/sub" ("rules" in "#/guarder/rules"), or null. */
export function subrouteFromHash(hash: string): string | null {
  const m = /^#\/[a-z]+\/([a-z-]+)/.exec(hash);
  return m?.[1] ?? null;
}

/** "#/page/sub": a page's own sub-view (the Guarder's Rules, Connections, Audit). */
export function hrefForSub(id: RouteId, sub: string): string {
  return `#/${id}/${sub}`;
}
