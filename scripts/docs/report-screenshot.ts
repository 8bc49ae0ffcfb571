/**
 * Regenerates `docs/report.png`, the screenshot of a real HTML run report in the README: the
 * browser test's drift run (generated traffic with injected changes, the drift pipeline), its
 * report.html opened in headless Chromium, the top of the page captured.
 *
 *   npx tsx scripts/docs/report-screenshot.ts [out.png]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { htmlKeyFor } from '../../src/report/html/index.ts';
import { launchBrowser, openPage } from '../../test/helpers/browser.ts';
import { buildDriftReport } from '../../test/report/html/fixture.ts';

const out = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'docs', 'report.png');
const dir = await mkdtemp(join(tmpdir(), 'evalwatch-screenshot-'));
const browser = await launchBrowser();
try {
  const built = await buildDriftReport(dir);
  const { page } = await openPage(browser, pathToFileURL(join(built.resultsDir, htmlKeyFor(built.key))).href, { width: 1100, height: 1500 });
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
