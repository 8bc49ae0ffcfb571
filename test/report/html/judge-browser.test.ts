import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJudgePipeline, runJudgeInline } from '../../../src/judge/pipeline.ts';
import type { JudgeTrend } from '../../../src/judge/trends.ts';
import { findingAnchor, renderReportHtml } from '../../../src/report/html/index.ts';
import type { RunReport } from '../../../src/report/types.ts';
import { launchBrowser, openPage } from '../../helpers/browser.ts';
import { startOpenAiServer, type OpenAiServer } from '../../helpers/openai-server.ts';
import { DAY, T0, dayRun, deps, setup, writeCaptures } from '../../judge/pipeline-helpers.ts';

/**
 * Judge score trends in report.html, from real judge runs (local OpenAI-compatible server, the
 * real `openai` client): five ordinary days, then a day whose answers are off-topic.
 */

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.artifacts');
let server: OpenAiServer;
let browser: Browser;
let dir: string;
let report: RunReport;

beforeAll(async () => {
  [server, browser] = await Promise.all([startOpenAiServer(), launchBrowser()]);
  server.set({ judge: 'overlap' });
  const s = setup();
  dir = s.dir;
  const p = createJudgePipeline(deps(server.url, { rubrics: ['relevance'], sampling: { targetPerRoute: 40 }, regression: { minN: 10, minHistoryDays: 4, alpha: 0.01, minEffect: 0.05, historyDays: 28 } }));
  for (let k = 0; k < 5; k++) {
    writeCaptures(s.captures, T0 + k * DAY, [{ route: 'chat', n: 60, good: k % 2 ? 0.9 : 0.85 }]);
    await runJudgeInline(s.ctx, dayRun(T0 + k * DAY), p);
  }
  writeCaptures(s.captures, T0 + 5 * DAY, [{ route: 'chat', n: 60, good: 0.3 }]);
  report = await runJudgeInline(s.ctx, dayRun(T0 + 5 * DAY), p);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('judge trends in report.html', () => {
  it('the judge report carries bounded trends: five earlier runs and this one, on the finding too', () => {
    const trends = (report.sections.judge as { trends: JudgeTrend[] }).trends;
    const chat = trends.find((t) => t.route === 'chat' && t.rubric === 'relevance');
    expect(chat?.points).toHaveLength(6);
    expect(chat?.points.at(-1)?.[0]).toBe(T0 + 5 * DAY);
    const q = report.findings.find((f) => f.kind === 'judge.quality');
    expect(q).toBeDefined();
    expect((q?.current.trend as JudgeTrend).points).toHaveLength(6);
  });

  it('draws the trend with its intervals on the finding, and the cells with theirs, without errors', async () => {
    const file = join(dir, 'judge.html');
    await writeFile(file, renderReportHtml(report));
    const { page, consoleErrors, pageErrors, requests } = await openPage(browser, pathToFileURL(file).href);
    try {
      const q = report.findings.find((f) => f.kind === 'judge.quality')!;
      const onFinding = await page.$$eval(`[id="${findingAnchor(q.fingerprint)}"] [data-chart]`, (els) => els.map((e) => [e.getAttribute('data-chart'), Number(e.getAttribute('data-rendered'))]));
      expect(onFinding).toEqual([['band', 6]]);
      const all = await page.$$eval('[data-chart]', (els) => els.map((e) => ({ rendered: Number(e.getAttribute('data-rendered') ?? '0'), error: e.getAttribute('data-error'), canvas: e.querySelectorAll('canvas').length })));
      expect(all.length).toBeGreaterThanOrEqual(3);
      for (const c of all) expect(c).toMatchObject({ error: null, canvas: 1 });
      expect(all.every((c) => c.rendered > 0)).toBe(true);
      expect(consoleErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'judge-report.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 30_000);
});
