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
 * Collects problems from pages. `expect(kind)` opens a window in which one
 * expected 401 (the console line and the response) is tolerated.
 */
export class Watcher {
  constructor() {
    this.problems = [];
    this.allow401 = false;
    this.allowAborted = false;
    this.seen401 = 0;
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
      if (this.allow401 && /Failed to load resource: the server responded with a status of 401/.test(text)) {
        this.seen401 += 1;
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
      if (this.allow401 && res.status() === 401) return;
      add(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
    });
    page.on('websocket', (ws) => {
      ws.on('socketerror', (err) => add(`websocket error on ${ws.url()}: ${err}`));
    });
  }

  /** Console messages arrive asynchronously: wait for the expected 401 line before closing the window. */
  async settle401(timeoutMs = 3000) {
    const end = Date.now() + timeoutMs;
    while (this.seen401 === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
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

  /** Runs one step; throws (after counting it) so the caller stops at the first failure. */
  async run(name, fn, { allow401 = false, allowAborted = false } = {}) {
    this.watcher.allow401 = allow401;
    this.watcher.allowAborted = allowAborted;
    this.watcher.seen401 = 0;
    const t0 = Date.now();
    try {
      await fn();
      if (allow401) await this.watcher.settle401();
      const problems = this.watcher.take();
      if (problems.length > 0) throw new Error(`unexpected browser output:\n    ${problems.join('\n    ')}`);
      this.passed += 1;
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      this.failed += 1;
      console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
      throw new StepFailed(name);
    } finally {
      this.watcher.allow401 = false;
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
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
