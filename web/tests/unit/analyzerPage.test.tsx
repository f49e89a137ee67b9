import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/api/client';
import { StreamBus } from '../../src/lib/streamBus';
import { AnalyzerPage } from '../../src/pages/analyzer/AnalyzerPage';
import { ApiContext, StreamContext } from '../../src/state/contexts';
import { snapshot } from './analyzerFixture';

type Route = (path: string) => { status: number; body: unknown };

function client(route: Route) {
  const fetcher = vi.fn(async (url: string) => {
    const { status, body } = route(url);
    return new Response(JSON.stringify(body), { status });
  });
  return { api: new ApiClient({ token: 't', fetcher }), fetcher };
}

const settle = () => act(() => new Promise<void>((r) => setTimeout(r, 20)));

describe('AnalyzerPage', () => {
  let root: HTMLElement;
  beforeEach(() => {
    root = document.createElement('div');
    document.body.appendChild(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
  });

  function mount(api: ApiClient, bus: StreamBus) {
    render(
      <ApiContext.Provider value={api}>
        <StreamContext.Provider value={bus}>
          <AnalyzerPage />
        </StreamContext.Provider>
      </ApiContext.Provider>,
      root,
    );
  }

  it('shows the reason from a 503 body when the analyzer is disabled', async () => {
    const { api, fetcher } = client(() => ({ status: 503, body: { error: { code: 'analyzer_unavailable', message: 'analyzer.enabled = false' } } }));
    mount(api, new StreamBus());
    await settle();
    const box = root.querySelector('[data-testid="analyzer-unavailable"]');
    expect(box?.textContent).toContain('analyzer.enabled = false');
    expect(box?.textContent).toContain('Analyzer unavailable');
    // Nothing else is asked while the analyzer is unavailable.
    expect(fetcher.mock.calls.every(([u]) => String(u).startsWith('/api/v1/analyzer/snapshot'))).toBe(true);
  });

  it('fills the cards from stream snapshots and loads the stored history', async () => {
    const now = Date.now();
    const { api, fetcher } = client((url) => {
      if (url.startsWith('/api/v1/analyzer/snapshot')) return { status: 200, body: snapshot(now - 1000) };
      if (url.startsWith('/api/v1/analyzer/metrics')) return { status: 200, body: { items: ['volume.link.rx.bps', 'loss.drop_ratio'] } };
      if (url.startsWith('/api/v1/analyzer/series')) {
        const metric = new URL(url, 'http://x').searchParams.get('metric');
        return { status: 200, body: { metric, resolution_s: 1, points: [[now - 5000, 1000], [now - 4000, 2000]] } };
      }
      if (url.startsWith('/api/v1/analyzer/flows')) return { status: 200, body: { items: snapshot(now).flows } };
      return { status: 404, body: { error: { code: 'not_found', message: url } } };
    });
    const bus = new StreamBus();
    mount(api, bus);
    await settle();
    await settle();
    const pps = () => root.querySelector('[data-testid="layer-link-rx-pps"]')?.getAttribute('data-value');
    expect(pps()).toBe('100');
    const next = snapshot(now);
    next.volume.link.rx.pps = 321;
    await act(() => bus.emit({ type: 'analyzer.snapshot', data: next }, now));
    expect(pps()).toBe('321');
    expect(root.querySelector('[data-testid="analyzer-source"]')?.getAttribute('data-source')).toBe('stream');
    // Only stored metrics were asked for; the chart has the 2 history points and 2 live ones.
    const series = fetcher.mock.calls.map(([u]) => String(u)).filter((u) => u.includes('/series'));
    expect(series.length).toBe(2);
    const chart = root.querySelector('[data-testid="chart-throughput-rx"]');
    expect(Number(chart?.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
    expect(root.querySelectorAll('[data-testid="diagram-arrow"]').length).toBe(2);
    expect(root.querySelectorAll('[data-testid="flow-row"]').length).toBe(2);
    expect(root.querySelector('[data-testid="drop-reasons-table"]')?.textContent).toContain('NETFILTER_DROP');
  });
});
