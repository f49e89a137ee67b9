// Shared plumbing for the browser tests: launching Debian's chromium through
// playwright-core, watching every page for console errors, page errors and
// failed requests, and counting steps.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.PS_CHROMIUM ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects problems from pages. A step can open a window in which responses with
 * some expected HTTP statuses (a wrong token's 401, a bad filter's 400) and their
 * console lines are tolerated.
 */
export class Watcher {
  constructor() {
    this.problems = [];
    this.allowStatus = [];
    this.allowAborted = false;
    this.seenAllowed = 0;
    this.muted = new Set();
  }

  /** Stops reporting for a page that the test is about to close (its requests get aborted). */
  mute(label) {
    this.muted.add(label);
  }

  watch(page, label) {
    this.muted.delete(label);
    const add = (problem) => {
      if (!this.muted.has(label)) this.problems.push(`[${label}] ${problem}`);
    };
    page.on('console', (msg) => {
      const type = msg.type();
      if (type !== 'error' && type !== 'warning') return;
      const text = msg.text();
      const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(text);
      if (status && this.allowStatus.includes(Number(status[1]))) {
        this.seenAllowed += 1;
        return;
      }
      add(`console ${type}: ${text}`);
    });
    page.on('pageerror', (err) => add(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      const failure = req.failure()?.errorText ?? 'unknown';
      if (this.allowAborted && failure.includes('ERR_ABORTED')) return;
      add(`request failed: ${req.method()} ${req.url()} (${failure})`);
    });
    page.on('response', (res) => {
      if (res.status() < 400) return;
      if (this.allowStatus.includes(res.status())) return;
      add(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
    });
    page.on('websocket', (ws) => {
      ws.on('socketerror', (err) => add(`websocket error on ${ws.url()}: ${err}`));
    });
  }

  /** Console messages arrive asynchronously: wait for the expected error line before closing the window. */
  async settleAllowed(timeoutMs = 3000) {
    const end = Date.now() + timeoutMs;
    while (this.seenAllowed === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  }

  take() {
    const p = this.problems;
    this.problems = [];
    return p;
  }
}

export class Steps {
  constructor(watcher) {
    this.watcher = watcher;
    this.passed = 0;
    this.failed = 0;
  }

  /**
   * Runs one step; throws (after counting it) so the caller stops at the first failure.
   * allow401 / allow400 / allow (a list of statuses, e.g. [409]): the step provokes those HTTP
   * errors on purpose (at least once).
   */
  async run(name, fn, { allow401 = false, allow400 = false, allow = [], allowAborted = false } = {}) {
    this.watcher.allowStatus = [...(allow401 ? [401] : []), ...(allow400 ? [400] : []), ...allow];
    this.watcher.allowAborted = allowAborted;
    this.watcher.seenAllowed = 0;
    const t0 = Date.now();
    try {
      await fn();
      if (this.watcher.allowStatus.length > 0) await this.watcher.settleAllowed();
      const problems = this.watcher.take();
      if (problems.length > 0) throw new Error(`unexpected browser output:\n    ${problems.join('\n    ')}`);
      this.passed += 1;
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      this.failed += 1;
      console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
      throw new StepFailed(name);
    } finally {
      this.watcher.allowStatus = [];
      this.watcher.allowAborted = false;
    }
  }

  summary() {
    return `browser: ${this.passed} passed, ${this.failed} failed`;
  }
}

export class StepFailed extends Error {}

export function artifactsDir() {
  const dir = process.env.PS_ARTIFACTS;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page, name) {
  const dir = artifactsDir();
  if (!dir) return;
  // Sticky bars are drawn where the viewport is; from the top they sit where they belong.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
