// Guarder page steps of the smoke test: add a rule through the editor (a client-side error and
// a daemon error fixed first), its counter growing, a 409 unsafe_rule then "Save anyway", bulk
// disable, an expiry countdown running out, export and import, Connections -> Block source, the
// audit log; then the rules it made are deleted.
// Against the real daemon the rules are harmless: TEST-NET sources, a rate limit of 10^9 packets/s,
// and the Guarder is attached only to PS_GUARD_IFACE, the veth end run_browser_tests.sh makes, where
// SYNs to :22 from 198.51.100.9 and pings from 203.0.113.9 arrive. Without PS_GUARD_IFACE (the
// smoke test run by hand against a daemon) the rule names lo and the steps needing that traffic
// say they are skipped.
import { readFile } from 'node:fs/promises';
import { assert, screenshot } from './harness.mjs';

const WAIT_MS = 15_000;

const rulesTable = (page) => page.getByTestId('rules-table');
const ruleRows = (page) => rulesTable(page).getByTestId('vt-row');

/** The rule rows whose text contains `text` (the filter box narrows the table first). */
async function showRules(page, text) {
  await page.getByTestId('guarder-tab-rules').click();
  await page.getByTestId('rules-filter').fill(text);
}

async function cellNumber(row, col) {
  const t = (await row.locator(`[data-col="${col}"]`).innerText()).replace(/[^\d]/g, '');
  return t === '' ? Number.NaN : Number(t);
}

/** The id of the only row shown ("#12" in its id cell). */
async function onlyRowId(page) {
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="rules-table"] [data-testid="vt-row"]').length === 1, null, { timeout: WAIT_MS });
  return Number((await ruleRows(page).first().locator('[data-col="id"]').innerText()).replace('#', ''));
}

async function openEditor(page) {
  await page.getByTestId('rule-add').click();
  await page.getByTestId('rule-editor').waitFor();
}

async function saved(page) {
  await page.getByTestId('rule-editor').waitFor({ state: 'detached', timeout: WAIT_MS });
  const note = (await page.getByTestId('guarder-saved').innerText()).trim();
  const id = Number(/#(\d+)/.exec(note)?.[1]);
  assert(id > 0, `saved note reads "${note}"`);
  return id;
}

async function guarderState(page) {
  return page.evaluate(async () => {
    const token = localStorage.getItem('packetscope.token');
    const r = await fetch('/api/v1/health', { headers: { Authorization: `Bearer ${token}` } });
    const h = await r.json();
    return h.modules?.find((m) => m.name === 'guarder')?.state ?? 'absent';
  });
}

/** `real`: the page talks to the real daemon. Returns false when the Guarder is not running. */
export async function guarderSteps({ page, steps, real }) {
  const tag = `ui-test-${Date.now().toString(36)}`;
  const testIface = process.env.PS_GUARD_IFACE || '';
  const iface = real ? testIface || 'lo' : 'eth1';
  const noTraffic = real && !testIface;
  let running = true;

  await steps.run('Guarder: stats strip, attachments and the rules table', async () => {
    await page.getByTestId('nav-guarder').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Guarder');
    const state = await guarderState(page);
    if (state !== 'running') {
      running = false;
      console.log(`     skipped: the daemon reports the guarder as "${state}"`);
      return;
    }
    await rulesTable(page).waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(() => /^\d[\d,]*$/.test(document.querySelector('[data-testid="gstat-packets"]')?.textContent ?? ''), null, { timeout: WAIT_MS });
    const attached = (await page.getByTestId('guard-attachments').innerText()).trim();
    if (!real) assert(/eth1\s*native/.test(attached) && /veth-lab0\s*generic/.test(attached), `attachments read "${attached}"`);
    if (real && testIface) assert(attached.includes(testIface), `attachments read "${attached}", not ${testIface}`);
    console.log(`     attached to: ${attached.replace(/\s+/g, ' ')}`);
    assert(page.url().endsWith('#/guarder'), `URL is ${page.url()}`);
  });
  if (!running) return;

  let firstId = 0;
  await steps.run(
    'Guarder: add a rule in the editor (client error, then daemon error, fixed)',
    async () => {
      await openEditor(page);
      let posts = 0;
      const count = (req) => req.method() === 'POST' && req.url().endsWith('/api/v1/guard/rules') && (posts += 1);
      page.on('request', count);
      await page.getByTestId('rf-priority').fill('50');
      await page.getByTestId('rf-src').fill('198.51.100.7/24');
      await page.getByTestId('rf-src').blur();
      const srcErr = (await page.getByTestId('error-src').innerText()).trim();
      assert(srcErr.includes('did you mean 198.51.100.0/24'), `source error reads "${srcErr}"`);
      await page.getByTestId('editor-save').click();
      await page.waitForTimeout(300);
      assert(posts === 0, 'the editor sent a rule with a client-side error');
      await page.getByTestId('rf-src').fill('198.51.100.0/24');
      await page.getByTestId('error-src').waitFor({ state: 'detached' });
      await page.getByTestId('rf-protocol').fill('tcp');
      await page.getByTestId('rf-dport').fill('22');
      await page.getByTestId('rf-comment').fill(`${tag} ssh`);
      await page.locator('.gr-more summary').click();
      // An interface that does not exist: only the daemon can tell.
      await page.getByTestId('rf-iface').fill('nosuchif9');
      await page.getByTestId('editor-save').click();
      await page.getByTestId('error-iface').waitFor({ timeout: WAIT_MS });
      console.log(`     daemon: ${(await page.getByTestId('error-iface').innerText()).trim()}`);
      assert(posts === 1, `${posts} POSTs for one save`);
      await page.getByTestId('rf-iface').fill(iface);
      await page.getByTestId('dryrun-go').click();
      const dry = (await page.getByTestId('dryrun-result').innerText({ timeout: WAIT_MS })).trim();
      if (!noTraffic) assert(Number(await page.getByTestId('dryrun-flows').innerText()) >= 1, `dry run: "${dry}"`);
      console.log(`     dry run: ${dry.split('\n')[0]}`);
      await screenshot(page, 'guarder-editor');
      await page.getByTestId('editor-save').click();
      firstId = await saved(page);
      page.off('request', count);
      await showRules(page, tag);
      assert((await onlyRowId(page)) === firstId, 'the new rule is not the row shown');
      const match = (await ruleRows(page).first().locator('[data-col="match"]').innerText()).trim();
      assert(match === `tcp 198.51.100.0/24:* -> *:22 on ${iface}`, `match reads "${match}"`);
    },
    { allow400: true },
  );

  await steps.run('Guarder: the new rule counts packets live (counter and sparkline grow)', async () => {
    if (noTraffic) return console.log('     skipped against the real daemon: PS_GUARD_IFACE is not set, no traffic reaches XDP');
    const row = ruleRows(page).first();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rules-table"] .gr-packets')?.textContent?.replace(/,/g, '')) > 0, null, { timeout: WAIT_MS });
    const a = await cellNumber(row, 'packets');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="rules-table"] .gr-packets')?.textContent?.replace(/,/g, '')) > n, a, { timeout: WAIT_MS });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rule-spark"]')?.getAttribute('data-points')) >= 2, null, { timeout: WAIT_MS });
    console.log(`     packets ${a} -> ${await cellNumber(row, 'packets')}`);
  });

  await steps.run(
    'Guarder: a rule matching everything is refused (409), then saved with "Save anyway"',
    async () => {
      await openEditor(page);
      await page.getByTestId('rf-action').selectOption('rate-limit');
      await page.getByTestId('rf-rate').fill('1000000000');
      await page.getByTestId('rf-comment').fill(`${tag} everything`);
      await page.getByTestId('editor-save').click();
      const why = (await page.getByTestId('editor-unsafe').innerText({ timeout: WAIT_MS })).trim();
      console.log(`     refused: ${why.split('\n').slice(1, 2).join(' ')}`);
      await page.getByTestId('editor-force').click();
      await saved(page);
      await showRules(page, `${tag} everything`);
      const action = (await ruleRows(page).first().getByTestId('rule-action').innerText()).trim();
      assert(action === 'rate-limit', `action reads "${action}"`);
    },
    { allow: [409] },
  );

  await steps.run('Guarder: bulk disable, then one switch back on', async () => {
    await showRules(page, tag);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="rules-table"] [data-testid="vt-row"]').length === 2);
    await page.getByTestId('rules-select-all').check();
    await page.getByTestId('bulk-disable').click();
    const note = (await page.getByTestId('rules-notice').innerText()).trim();
    assert(note.startsWith('Disabled 2 of 2'), `notice reads "${note}"`);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="rule-enabled"]')].every((s) => s.getAttribute('aria-checked') === 'false'));
    await page.getByTestId('rules-enabled').selectOption('false');
    assert((await ruleRows(page).count()) === 2, 'the "disabled only" filter does not show both');
    await page.getByTestId('rules-enabled').selectOption('');
    await showRules(page, `${tag} ssh`);
    await ruleRows(page).first().getByTestId('rule-enabled').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="rule-enabled"]')?.getAttribute('aria-checked') === 'true', null, { timeout: WAIT_MS });
    await page.getByTestId('rules-select-all').uncheck();
  });

  await steps.run('Guarder: an expiry counts down every second and the rule goes at zero', async () => {
    await openEditor(page);
    await page.getByTestId('rf-src').fill('192.0.2.0/24');
    await page.getByTestId('rf-comment').fill(`${tag} short`);
    await page.getByTestId('rf-expiry-ttl').click();
    await page.getByTestId('rf-ttl_s').fill('8s');
    await page.getByTestId('editor-save').click();
    await saved(page);
    await showRules(page, `${tag} short`);
    const expiry = ruleRows(page).first().getByTestId('rule-expiry');
    const first = (await expiry.innerText()).trim();
    assert(/^expires in \d+s$/.test(first), `expiry reads "${first}"`);
    await page.waitForFunction((t) => {
      const now = document.querySelector('[data-testid="rule-expiry"]')?.textContent ?? '';
      return /^expires in \d+s$/.test(now) && now !== t;
    }, first, { timeout: 3000 });
    const later = (await expiry.innerText()).trim();
    assert(Number(/\d+/.exec(later)) < Number(/\d+/.exec(first)), `"${first}" then "${later}"`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="rules-table"] [data-testid="vt-row"]').length === 0, null, { timeout: WAIT_MS });
    console.log(`     "${first}" -> "${later}" -> gone`);
  });

  await steps.run('Guarder: export downloads the rules as JSON', async () => {
    await showRules(page, tag);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.getByTestId('rules-export').click()]);
    const name = download.suggestedFilename();
    assert(/^packetscope-guard-rules-\d{8}-\d{6}\.json$/.test(name), `file name "${name}"`);
    const doc = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert(doc.version === 1 && Array.isArray(doc.rules), 'not an export document');
    const ours = doc.rules.filter((r) => String(r.comment).startsWith(tag));
    assert(ours.length === 2, `${ours.length} of our rules in the export`);
  });

  await steps.run(
    'Guarder: import shows the daemon errors per rule, then imports a good file',
    async () => {
      const file = (rules) => ({ name: 'rules.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ version: 1, rules })) });
      await page.getByTestId('import-file').setInputFiles(file([{ action: 'log', match: { protocol: 'udp', dport: 5353 }, comment: `${tag} ok` }, { action: 'log', match: { src: '10.9.0.1/16' }, comment: `${tag} bad` }]));
      await page.getByTestId('import-go').click();
      const err = (await page.getByTestId('import-error').first().innerText({ timeout: WAIT_MS })).trim();
      assert(err.startsWith('Rule 2') && err.includes('match.src'), `import error reads "${err}"`);
      await page.getByTestId('import-file').setInputFiles(file([{ action: 'log', match: { protocol: 'udp', dport: 5353 }, comment: `${tag} imported` }]));
      await page.getByTestId('import-go').click();
      const ok = (await page.getByTestId('import-outcome').innerText({ timeout: WAIT_MS })).trim();
      assert(ok.startsWith('Imported 1 rule'), `import outcome reads "${ok}"`);
      await showRules(page, `${tag} imported`);
      await onlyRowId(page);
    },
    { allow400: true },
  );

  await steps.run('Guarder: Connections -> Block source adds a drop rule for that address', async () => {
    await page.getByTestId('guarder-tab-connections').click();
    await page.locator('[data-testid="conn-table"], [data-testid="conn-empty"]').first().waitFor({ timeout: WAIT_MS });
    if (noTraffic) return console.log('     skipped against the real daemon: PS_GUARD_IFACE is not set, no flows at XDP');
    await page.getByTestId('sort-packets').click();
    await page.getByTestId('sort-packets').click();
    assert((await page.locator('[data-testid="conn-table"] [aria-sort="descending"]').count()) === 1, 'packets column not sorted descending');
    await page.getByTestId('conn-filter').fill('203.0.113.9');
    const row = page.getByTestId('conn-table').getByTestId('vt-row').first();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="conn-table"] [data-testid="vt-row"]').length === 1);
    const seen = (await row.locator('[data-col="last"]').innerText()).trim();
    assert(/^\d\d:\d\d:\d\d\.\d{3}$/.test(seen), `last seen reads "${seen}"`);
    assert((await cellNumber(row, 'dropped')) === 0, 'the flow is dropped before it is blocked');
    const before = await cellNumber(row, 'packets');
    await screenshot(page, 'guarder-connections');
    await row.getByTestId('flow-block').click();
    await page.getByTestId('rule-editor').waitFor();
    assert((await page.getByTestId('rf-src').inputValue()) === '203.0.113.9/32', 'source not prefilled');
    assert((await page.getByTestId('rf-action').inputValue()) === 'drop', 'action not drop');
    assert((await page.getByTestId('rf-comment').inputValue()) === 'blocked from connections view', 'comment not prefilled');
    // Tagged so the last step deletes it with the others.
    await page.getByTestId('rf-comment').fill(`blocked from connections view ${tag}`);
    await page.getByTestId('editor-save').click();
    await saved(page);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="conn-table"] [data-col="dropped"]')?.textContent?.replace(/,/g, '')) > 0, null, { timeout: WAIT_MS });
    console.log(`     ${(await row.locator('[data-col="src"]').innerText()).trim()}: ${before} packets, then ${await cellNumber(row, 'packets')} with ${await cellNumber(row, 'dropped')} dropped`);
  });

  await steps.run('Guarder: the audit log lists the changes and pages back', async () => {
    await page.getByTestId('guarder-tab-audit').click();
    await page.getByTestId('audit-table').waitFor({ timeout: WAIT_MS });
    const text = await page.getByTestId('audit-table').innerText();
    assert(text.includes(tag) || text.includes(`${firstId}`), 'no audit entry names the rules this test made');
    const n = await page.getByTestId('audit-row').count();
    if (await page.getByTestId('audit-older').count()) {
      await page.getByTestId('audit-older').click();
      await page.waitForFunction((k) => document.querySelectorAll('[data-testid="audit-row"]').length > k, n, { timeout: WAIT_MS });
    } else if (!real) throw new Error('no "Older" button with more than a page of entries');
    console.log(`     ${n} entries, then ${await page.getByTestId('audit-row').count()} after "Older"`);
    await screenshot(page, 'guarder-audit');
  });

  await steps.run('Guarder: bulk delete removes the rules this test made', async () => {
    await showRules(page, tag);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="rules-table"] [data-testid="vt-row"]').length >= 3);
    await page.getByTestId('rules-select-all').check();
    await page.getByTestId('bulk-delete').click();
    await page.getByTestId('bulk-delete-confirm').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="rules-table"] [data-testid="vt-row"]').length === 0, null, { timeout: WAIT_MS });
    await page.getByTestId('rules-filter').fill('');
    await screenshot(page, 'guarder-rules');
  });
}
