import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Headless Chromium for tests: Debian's `chromium` package driven by playwright-core (no browser
 * download). `.ci/run` installs the package when it is missing; a test that needs a browser fails
 * with this message rather than skipping.
 */
export const CHROMIUM_PATH = process.env.EVALWATCH_CHROMIUM ?? '/usr/bin/chromium';

/** A page opened on a URL, with what it did: console errors, page errors and every request. */
export interface OpenedPage {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  /** URLs of every request the page made, the page itself included. */
  readonly requests: string[];
}

/**
 * Starts headless Chromium.
 *
 * @example
 * const browser = await launchBrowser();
 * try { … } finally { await browser.close(); }
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium); .ci/run does this`);
  }
  // --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * Opens a URL in a fresh page of `browser`, recording console errors, uncaught errors and
 * requests from the start, and waits for the load event.
 *
 * @example
 * const { page, consoleErrors, requests } = await openPage(browser, pathToFileURL(file).href);
 */
export async function openPage(browser: Browser, url: string, viewport = { width: 1200, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, consoleErrors, pageErrors, requests };
}
