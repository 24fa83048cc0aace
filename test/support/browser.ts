/**
 * Headless Chromium for the HTML report's tests: Debian's `chromium`
 * package (or CHROMIUM_BIN), driven by playwright-core, which never
 * downloads a browser. A missing browser fails the suite with the install
 * step, in CI and locally alike: the test is never skipped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Where screenshots are kept after the run (ignored by git). */
export const ARTIFACTS_DIR = resolve('test-artifacts', 'html-report');

const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'];

export function chromiumBinary(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.CHROMIUM_BIN?.trim();
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_BIN=${given} does not exist`);
    return given;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium not found: run `bash .ci/install-chromium` (Debian\'s chromium package) or set CHROMIUM_BIN');
  return found;
}

/** One browser for the suite, closed after it. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    // As root (CI) Chromium refuses to start without --no-sandbox.
    browser = await chromium.launch({ executablePath: chromiumBinary(), headless: true, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not running: its beforeAll hook failed');
    return browser;
  };
}

export interface OpenedPage {
  readonly page: Page;
  /** Every request the page made, the file itself first. */
  readonly requests: readonly string[];
  /** Console errors and warnings (a blocked load shows up here as a CSP violation). */
  readonly console: readonly string[];
  close(): Promise<void>;
}

/** Opens an HTML file as an operator would open an attachment, recording every request it makes. */
export async function openFile(browser: Browser, file: string): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const console: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.push(m.text());
  });
  page.on('pageerror', (e) => console.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, console, close: () => context.close() };
}
