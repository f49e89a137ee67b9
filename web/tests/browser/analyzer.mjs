// Analyzer page steps of the smoke test: live per-layer figures while traffic runs, charts with
// points, the time range selector, the flows table and a flow's drill-down.
// Against the real daemon this pings 127.0.0.1 (loopback only) while it waits for figures, on
// top of run_browser_tests.sh's traffic; the UI's own requests are loopback TCP flows too.
import { spawn } from 'node:child_process';
import { assert, screenshot } from './harness.mjs';

const LIVE_TIMEOUT_MS = 20_000;

/** `ping -c 50 -i 0.05 127.0.0.1` in the background; returns a stop function. */
function pingLoopback() {
  const child = spawn('ping', ['-c', '50', '-i', '0.05', '-W', '1', '127.0.0.1'], { stdio: 'ignore' });
  child.on('error', () => {}); // no ping: the harness's own traffic has to do
  return () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
}

async function numberAttr(locator, name) {
  const v = await locator.getAttribute(name);
  return v === null || v === '' ? Number.NaN : Number(v);
}

async function theme(page) {
  return page.evaluate(() => document.documentElement.dataset.theme ?? '');
}

/** Waits until `testid`'s data-value is a number > 0. */
async function waitPositive(page, testid, timeout = LIVE_TIMEOUT_MS) {
  await page.waitForFunction((id) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value')) > 0, testid, { timeout });
}

/** `real`: the page talks to the real daemon (make traffic), not the mock. */
export async function analyzerSteps({ page, steps, real }) {
  await steps.run('Analyzer: layer cards show non-zero live figures while traffic runs', async () => {
    await page.getByTestId('nav-analyzer').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Analyzer');
    const unavailable = page.getByTestId('analyzer-unavailable');
    const stop = real ? pingLoopback() : () => {};
    try {
      await page.locator('[data-testid="layer-cards"], [data-testid="analyzer-unavailable"]').first().waitFor({ timeout: LIVE_TIMEOUT_MS });
      if (await unavailable.count()) throw new Error(`the analyzer is unavailable: ${(await unavailable.innerText()).trim()}`);
      await waitPositive(page, 'layer-link-rx-pps');
      await waitPositive(page, 'layer-network-rx-pps');
      // Live from the stream: the snapshot time advances and the source says "stream".
      const source = page.getByTestId('analyzer-source');
      const t0 = await numberAttr(source, 'data-time');
      await page.waitForFunction(
        (t) => {
          const el = document.querySelector('[data-testid="analyzer-source"]');
          return el?.getAttribute('data-source') === 'stream' && Number(el.getAttribute('data-time')) > t;
        },
        t0,
        { timeout: LIVE_TIMEOUT_MS },
      );
      const figures = [];
      for (const layer of ['link', 'network', 'transport', 'socket'])
        figures.push(`${layer} ${(await page.getByTestId(`layer-${layer}-rx-pps`).innerText()).replace(/\s+/g, ' ').trim()}`);
      console.log(`     rx: ${figures.join(', ')}`);
    } finally {
      stop();
    }
  });

  await steps.run('Analyzer: throughput chart has points; the layer diagram draws the measured pairs', async () => {
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-throughput-rx"]')?.getAttribute('data-points')) > 0, null, {
      timeout: LIVE_TIMEOUT_MS,
    });
    const line = page.locator('[data-testid="chart-throughput-rx"] path.chart__line[data-series="link"]');
    assert(((await line.getAttribute('d')) ?? '').length > 0, 'the link line of the throughput chart has no path');
    const arrows = page.getByTestId('diagram-arrow');
    assert((await arrows.count()) >= 1, 'the layer diagram has no arrow');
    const legend = await page.locator('.diagram__legend').innerText();
    assert(/µs/.test(legend) && /ms/.test(legend), `latency legend reads "${legend}"`);
    await screenshot(page, `analyzer-live-${await theme(page)}`);
  });

  await steps.run('Analyzer: the 1 h range reloads the stored history', async () => {
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/analyzer/series?') && r.status() === 200, { timeout: LIVE_TIMEOUT_MS });
    await page.getByTestId('range-1h').click();
    assert((await page.getByTestId('range-1h').getAttribute('aria-pressed')) === 'true', '1 h button not pressed');
    await answered;
    await page.getByTestId('history-loading').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-throughput-rx"]')?.getAttribute('data-points')) > 0);
    await page.getByTestId('range-5m').click();
  });

  await steps.run('Analyzer: flows table sorts and filters; a flow opens its live drill-down', async () => {
    const rows = page.getByTestId('flow-row');
    await rows.first().waitFor({ timeout: LIVE_TIMEOUT_MS });
    await page.getByTestId('flows-sort-loss').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="flows-sort-loss"]')?.closest('th')?.getAttribute('aria-sort') === 'descending');
    await page.getByTestId('flows-sort-bytes').click();
    const proto = (await rows.first().locator('td').first().innerText()).trim();
    await page.getByTestId('flows-filter').fill(proto);
    await page.waitForFunction(
      (p) => {
        const r = [...document.querySelectorAll('[data-testid="flow-row"]')];
        return r.length > 0 && r.every((x) => x.querySelector('td')?.textContent === p);
      },
      proto,
    );
    const key = await rows.first().getAttribute('data-key');
    await rows.first().click();
    const detail = page.getByTestId('flow-detail');
    await detail.waitFor();
    await page.waitForFunction(() => /pps/.test(document.querySelector('[data-testid="flow-rx"]')?.textContent ?? ''), null, { timeout: LIVE_TIMEOUT_MS });
    assert((await page.locator('.flows__row.is-selected').getAttribute('data-key')) === key, 'the clicked flow is not marked selected');
    await page.getByTestId('chart-flow-throughput').waitFor();
    await page.getByTestId('flows-filter').fill('');
    await page.getByTestId('flow-close').click();
    await detail.waitFor({ state: 'detached' });

    // The same flow, picked by typing its key.
    await page.getByTestId('flow-pick').fill(key ?? '');
    await page.getByTestId('flow-pick-go').click();
    await detail.waitFor();
    const title = (await page.getByTestId('flow-title').innerText()).trim();
    assert(title.length > 0 && title.startsWith(proto), `flow title "${title}" for ${key}`);
    await screenshot(page, `analyzer-flow-${await theme(page)}`);
    await page.getByTestId('flow-close').click();
  });
}
