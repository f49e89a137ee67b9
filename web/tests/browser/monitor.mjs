// Monitor page steps of the smoke test: the socket table, one socket's packets, the
// packet filter and the path view, against whatever traffic the daemon traced.
// Against the real daemon run_browser_tests.sh pings 127.0.0.1 and makes loopback TCP
// connections while this runs; the UI's own requests to the daemon are traffic too.
import path from 'node:path';
import { artifactsDir, assert, screenshot } from './harness.mjs';

// The sockets table is 420 px high: 14 rows of 28 px are visible, plus 6 overscan either side.
const MAX_DOM_ROWS = 30;
const PACKETS_TIMEOUT_MS = 20_000;

async function theme(page) {
  return page.evaluate(() => document.documentElement.dataset.theme ?? '');
}

async function shot(locator, name) {
  const dir = artifactsDir();
  if (dir) await locator.screenshot({ path: path.join(dir, `${name}.png`) });
}

async function rowTexts(table) {
  return table.locator('[data-testid="vt-row"]').allInnerTexts();
}

/** Waits for rows in a VirtualTable and returns how many the DOM holds. */
async function waitRows(table, timeout = 10_000) {
  await table.locator('[data-testid="vt-row"]').first().waitFor({ timeout });
  return table.locator('[data-testid="vt-row"]').count();
}

async function checkPathView(page, label) {
  const view = page.getByTestId('path-view');
  await view.getByTestId('path-diagram').waitFor();
  const svg = view.locator('svg.pathsvg[role="img"]');
  await svg.waitFor();
  const hops = await view.getByTestId('hop-node').count();
  assert(hops >= 2, `${label}: the path diagram has ${hops} hop node(s), expected at least 2`);
  const lanes = await view.getByTestId('lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
  assert(lanes.join(',') === 'socket,transport,network,link', `${label}: lanes are ${lanes.join(',')}`);
  const edges = await view.getByTestId('hop-edge').count();
  assert(edges === hops - 1, `${label}: ${edges} edges for ${hops} hops`);
  const dt = await view.locator('.edge__label').first().textContent();
  assert(/^\d+(\.\d+)? (µs|ms|s)$/.test(dt ?? ''), `${label}: edge label "${dt}" is not a duration`);
  const verdict = (await view.getByTestId('packet-verdict').innerText()).trim();
  if (verdict.startsWith('dropped')) {
    assert((await view.locator('[data-testid="hop-node"][data-drop="true"]').count()) === 1, `${label}: no drop node`);
    await view.getByTestId('drop-callout').waitFor();
  }
  const hex = view.getByTestId('hex-view');
  await hex.waitFor();
  const rows = await hex.locator('.hexview__row').count();
  assert(rows >= 1, `${label}: the hex view has no rows`);
  const first = (await hex.locator('.hexview__hex').first().textContent()) ?? '';
  assert(/^[0-9a-f]{2}( [0-9a-f]{2})*/.test(first), `${label}: hex row "${first}"`);
  const off = await hex.locator('.hexview__off').nth(1).textContent();
  assert(off === '0000', `${label}: first offset is "${off}"`);
  await view.getByTestId('packet-headers').waitFor();
  return hops;
}

/**
 * `target` picks the socket to open: { text, state } typed into the socket filter and the
 * state menu. With the real daemon it is the daemon's own listening socket.
 */
export async function monitorSteps({ page, steps, target }) {
  const sockets = page.getByTestId('sockets-table');
  const packets = page.getByTestId('packets-table');

  await steps.run('Monitor: socket table shows rows, only the visible ones in the DOM', async () => {
    await page.getByTestId('nav-monitor').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Monitor');
    const dom = await waitRows(sockets);
    const total = Number(await sockets.getAttribute('data-total'));
    assert(total >= 1 && dom >= 1, `socket table: ${total} sockets, ${dom} rows in the DOM`);
    assert(dom <= Math.min(total, MAX_DOM_ROWS), `socket table: ${dom} rows in the DOM for ${total} sockets`);
    if (total > MAX_DOM_ROWS) {
      await sockets.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="sockets-table"]')?.getAttribute('data-start')) > 0);
      assert((await sockets.locator('[data-testid="vt-row"]').count()) <= MAX_DOM_ROWS, 'scrolled: too many rows in the DOM');
      await sockets.evaluate((el) => {
        el.scrollTop = 0;
      });
    }
  });

  await steps.run('Monitor: socket table sorts by column and filters by text', async () => {
    const header = sockets.locator('[role="columnheader"]', { has: page.getByTestId('sort-local') });
    await page.getByTestId('sort-local').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="sort-local"]')?.closest('[role="columnheader"]')?.getAttribute('aria-sort') === 'ascending');
    await page.getByTestId('sort-local').click();
    assert((await header.getAttribute('aria-sort')) === 'descending', 'second click does not sort descending');
    await page.getByTestId('sort-local').click();
    assert((await header.getAttribute('aria-sort')) === null, 'third click does not return to the daemon order');
    await page.getByTestId('sockets-filter').fill(target.text);
    await page.getByTestId('sockets-state').selectOption(target.state);
    const want = target.text.split(/\s+/)[0];
    await page.waitForFunction(
      ([w, st]) => {
        const rows = [...document.querySelectorAll('[data-testid="sockets-table"] [data-testid="vt-row"]')];
        return rows.length > 0 && rows.every((r) => r.textContent.includes(w) && r.querySelector('[data-col="state"]')?.textContent === st);
      },
      [want, target.state],
    );
  });

  await steps.run('Monitor: clicking a socket lists its packets', async () => {
    await sockets.locator('[data-testid="vt-row"]').first().click();
    await page.locator('[data-testid="packets-scope"][data-scope="socket"]').waitFor();
    assert((await sockets.locator('.vt__row.is-selected').count()) === 1, 'the clicked socket is not marked selected');
    await waitRows(packets, PACKETS_TIMEOUT_MS);
  });

  await steps.run('Monitor: a packet opens its path diagram, headers and bytes', async () => {
    // Freeze the list so the row does not move under the pointer.
    await page.getByTestId('packets-live').uncheck();
    await page.getByTestId('packets-mode').filter({ hasText: 'paused' }).waitFor();
    await packets.locator('[data-testid="vt-row"]').first().click();
    await checkPathView(page, 'socket packet');
    const t = await theme(page);
    await shot(page.getByTestId('path-view'), `monitor-path-${t}`);
    await screenshot(page, `monitor-packets-${t}`);
    await page.keyboard.press('Escape');
    await page.getByTestId('path-view').waitFor({ state: 'detached' });
    await page.getByTestId('packets-live').check();
  });

  await steps.run(
    'Monitor: a bad packet filter shows the daemon\'s message inline',
    async () => {
      await page.getByTestId('packets-all').click();
      await page.locator('[data-testid="packets-scope"][data-scope="all"]').waitFor();
      await page.getByTestId('packets-filter').fill('icmp port 80');
      await page.getByTestId('packets-filter-apply').click();
      const err = page.getByTestId('packets-filter-error');
      await err.waitFor();
      const text = (await err.innerText()).trim();
      assert(/column \d+/.test(text) && /and|or/.test(text), `filter error says "${text}"`);
      assert((await page.getByTestId('packets-filter').getAttribute('aria-invalid')) === 'true', 'filter box not marked invalid');
    },
    { allow400: true },
  );

  await steps.run('Monitor: filter "icmp" lists ping packets; their path renders', async () => {
    await page.getByTestId('packets-filter').fill('icmp');
    await page.getByTestId('packets-filter-apply').click();
    await page.getByTestId('packets-filter-applied').waitFor();
    assert((await page.getByTestId('packets-filter-error').count()) === 0, 'error still shown after a good filter');
    await page.waitForFunction(
      () => {
        const cells = [...document.querySelectorAll('[data-testid="packets-table"] [data-testid="vt-row"] [data-col="proto"]')];
        return cells.length > 0 && cells.every((c) => c.textContent?.startsWith('icmp'));
      },
      null,
      { timeout: PACKETS_TIMEOUT_MS },
    );
    await page.getByTestId('packets-live').uncheck();
    await packets.locator('[data-testid="vt-row"]').first().click();
    await checkPathView(page, 'icmp packet');
    for (let i = 0; i < 2; i++) {
      const before = await theme(page);
      await page.getByTestId('theme-toggle').first().click();
      await page.waitForFunction((b) => document.documentElement.dataset.theme !== b, before);
      await shot(page.getByTestId('path-view'), `monitor-path-icmp-${await theme(page)}`);
    }
    await page.getByTestId('path-close').click();
    await page.getByTestId('path-view').waitFor({ state: 'detached' });
    await page.getByTestId('packets-live').check();
    assert((await rowTexts(packets)).length > 0, 'packets list emptied after closing the path');
  });

  await steps.run('Monitor: packets page to older ones and back to the newest', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByTestId('packets-filter-applied').waitFor({ state: 'detached' });
    const older = page.getByTestId('packets-older');
    // The daemon keeps every packet the UI's own requests make; a full first page comes quickly.
    await page.waitForFunction(() => !document.querySelector('[data-testid="packets-older"]')?.disabled, null, {
      timeout: PACKETS_TIMEOUT_MS,
    });
    // Pausing fetches the newest page once more; the range is read after that answer.
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/tracer/packets?'));
    await page.getByTestId('packets-live').uncheck();
    await answered;
    const range = page.getByTestId('packets-range');
    await page.waitForFunction(() => document.querySelector('[data-testid="packets-range"]')?.hasAttribute('data-last'));
    const last = Number(await range.getAttribute('data-last'));
    await older.click();
    await page.getByTestId('packets-mode').filter({ hasText: 'page 2' }).waitFor();
    await page.waitForFunction((l) => {
      const first = document.querySelector('[data-testid="packets-range"]')?.getAttribute('data-first');
      return first !== null && first !== undefined && Number(first) < l;
    }, last);
    const keys = await packets.locator('[data-testid="vt-row"]').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-key'))));
    assert(keys.length > 0 && Math.max(...keys) < last, `older page shows ids ${keys.join(',')} not below ${last}`);
    await page.getByTestId('packets-newer').click();
    await page.getByTestId('packets-mode').filter({ hasText: 'paused' }).waitFor();
    assert(await page.getByTestId('packets-newer').isDisabled(), '"Newer" enabled on the newest page');
    // The newest page is fetched after the mode switches: wait for its answer's rows.
    const back = await packets
      .locator('[data-testid="vt-row"]')
      .first()
      .waitFor({ timeout: PACKETS_TIMEOUT_MS })
      .then(() => true, () => false);
    assert(back, 'no rows back on the newest page');
    await page.getByTestId('packets-live').check();
    await page.getByTestId('packets-mode').filter({ hasText: 'following new packets' }).waitFor();
  });
}
