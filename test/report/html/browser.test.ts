import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingAnchor, htmlKeyFor, renderReportHtml } from '../../../src/report/html/index.ts';
import type { Finding } from '../../../src/report/types.ts';
import { launchBrowser, openPage } from '../../helpers/browser.ts';
import { buildDriftReport, type BuiltReport } from './fixture.ts';
import { poison } from './payloads.ts';

/**
 * report.html of a real drift run, opened in headless Chromium (Debian's package through
 * playwright-core): every chart drawn with data, no console error, no network request. Saves
 * `test/.artifacts/report.png`.
 */

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.artifacts');
let dir: string;
let built: BuiltReport;
let browser: Browser;
let htmlPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evalwatch-html-browser-'));
  [built, browser] = await Promise.all([buildDriftReport(dir), launchBrowser()]);
  htmlPath = join(built.resultsDir, htmlKeyFor(built.key));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

const kinds = (fs: readonly Finding[]) => [...new Set(fs.map((f) => f.kind))].sort();

describe('report.html in a real browser', () => {
  it('the drift run wrote report.html beside report.json, with numeric, rate, categorical and sigma findings', async () => {
    expect(kinds(built.report.findings)).toEqual(expect.arrayContaining(['drift.categorical', 'drift.numeric', 'drift.rate', 'drift.sigma']));
    const page = await readFile(htmlPath, 'utf8');
    expect(page).toContain(built.report.runId);
  });

  it('draws every chart with data, one or more per finding, with no console error and no network request', async () => {
    const { page, consoleErrors, pageErrors, requests } = await openPage(browser, pathToFileURL(htmlPath).href);
    try {
      const charts = await page.$$eval('[data-chart]', (els) =>
        els.map((e) => ({
          id: e.id,
          type: e.getAttribute('data-chart'),
          rendered: Number(e.getAttribute('data-rendered') ?? '0'),
          error: e.getAttribute('data-error'),
          canvas: (() => {
            const c = e.querySelector('canvas');
            return c ? { w: c.width, h: c.height } : null;
          })(),
        })),
      );
      expect(charts.length).toBeGreaterThanOrEqual(built.report.findings.length);
      for (const c of charts) {
        expect(c.error, c.id).toBeNull();
        expect(c.rendered, c.id).toBeGreaterThan(0);
        expect(c.canvas?.w, c.id).toBeGreaterThan(100);
        expect(c.canvas?.h, c.id).toBeGreaterThan(100);
      }
      expect(new Set(charts.map((c) => c.type))).toEqual(new Set(['ecdf', 'bars', 'band']));
      // Each finding's article holds its own chart (the one a Slack link lands on).
      for (const f of built.report.findings) {
        const inArticle = await page.locator(`[id="${findingAnchor(f.fingerprint)}"] [data-rendered]`).count();
        expect(inArticle, `${f.kind} ${f.route} ${f.subject}`).toBeGreaterThan(0);
      }
      // Canvases carry pixels, not just a blank element: some non-white pixel in the first chart.
      // (Runs in the page; typed loosely because this project's TypeScript has no DOM library.)
      const inked = await page.$eval('[data-chart] canvas', (c) => {
        const cv = c as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
        const d = cv.getContext('2d')?.getImageData(0, 0, cv.width, cv.height).data ?? new Uint8ClampedArray();
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if ((d[i + 3] as number) > 0 && ((d[i] as number) < 200 || (d[i + 1] as number) < 200)) n++;
        return n;
      });
      expect(inked).toBeGreaterThan(500);
      expect(consoleErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(htmlPath).href]);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 30_000);

  it('a link to a finding anchor lands on that finding', async () => {
    const f = built.report.findings.find((x) => x.kind === 'drift.sigma') as Finding;
    const anchor = findingAnchor(f.fingerprint);
    const { page } = await openPage(browser, `${pathToFileURL(htmlPath).href}#${anchor}`);
    try {
      const top = await page.$eval(`[id="${anchor}"]`, (e) => e.getBoundingClientRect().top);
      expect(Math.abs(top)).toBeLessThan(5);
      expect(await page.$eval(':target', (e) => e.id)).toBe(anchor);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('hostile capture text is shown as text and never runs', async () => {
    const file = join(dir, 'hostile.html');
    await writeFile(file, renderReportHtml(poison(built.report)));
    const { page, consoleErrors, pageErrors, requests } = await openPage(browser, pathToFileURL(file).href);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('img, svg, iframe').count()).toBe(0);
      expect(await page.locator('body').innerText()).toContain('<img src=x onerror="window.__xss=1">');
      expect(await page.locator('[data-chart]:not([data-rendered])').count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.close();
    }
  }, 30_000);
});

describe('chart data of the real run', () => {
  it('numeric findings carry 41 non-decreasing quantiles per side', () => {
    for (const f of built.report.findings.filter((x) => x.kind === 'drift.numeric')) {
      for (const side of [f.baseline.chart, f.current.chart] as { p: number[]; x: number[] }[]) {
        expect(side.p).toHaveLength(41);
        expect(side.x.every((x, i) => i === 0 || x >= (side.x[i - 1] as number))).toBe(true);
      }
    }
  });

  it("a sigma finding's band edge sits at |z| = sigma: the chart shows the test's own expectation", () => {
    const sigma = built.ctx.config.drift.sigma;
    const sigmaFindings = built.report.findings.filter((x) => x.kind === 'drift.sigma');
    expect(sigmaFindings.length).toBeGreaterThan(0);
    for (const f of sigmaFindings) {
      const c = f.current.chart as { y: number[]; hi: number[]; lo: number[]; expected: number[] };
      expect(c.y.length).toBeLessThanOrEqual(200);
      const i = c.y.length - 1;
      const log = f.stats.scale === 'log1p';
      const t = (v: number) => (log ? Math.log1p(v) : v);
      // Both rounded to 4 significant digits (the chart) and 6 (the finding).
      expect((c.expected[i] as number) / (f.baseline.expected as number)).toBeCloseTo(1, 3);
      const up = (c.y[i] as number) > (c.expected[i] as number);
      const edge = up ? (c.hi[i] as number) : (c.lo[i] as number);
      const z = ((t(c.y[i] as number) - t(c.expected[i] as number)) / Math.abs(t(edge) - t(c.expected[i] as number))) * sigma;
      expect(z / (f.stats.statistic as number)).toBeCloseTo(1, 1);
    }
  });
});
