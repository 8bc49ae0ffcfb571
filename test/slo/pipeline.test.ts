import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { readEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load.ts';
import { getPipeline } from '../../src/pipeline/registry.ts';
import { runInline } from '../../src/pipeline/run-inline.ts';
import type { PipelineContext, RunRequest } from '../../src/pipeline/types.ts';
import type { RunReport } from '../../src/report/types.ts';
import { createInlineAlerting } from '../../src/runtime/alerting.ts';
import type { SloResult } from '../../src/slo/evaluate-slo.ts';
import { dimsKey, summaryKey } from '../../src/slo/history.ts';
import { summarizeSlo } from '../../src/slo/summary.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import { scoresKey } from '../../src/store/keys.ts';
import { mulberry32 } from '../../src/stats/index.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2);
const HOURS = 72;
const END = T0 + HOURS * HOUR;
const PRICE_CUT = END - 12 * HOUR;

let dir: string;
let ctx: PipelineContext;
/** Expected HT cost of the last 24 hours, computed here from the generated rows. */
let expectedUsd = 0;
let expectedUnpriced = 0;
let badIdsLastHour: string[] = [];
let backfill: RunReport;
let last: RunReport;

const run = (start: number, end: number): RunRequest => ({ runId: `slo-${start}-${end}`, pipeline: 'slo', window: { start, end }, requestedAt: end + 300_000 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evalwatch-slo-'));
  const tpl = keyTemplate('hive');
  const u = mulberry32(5);
  for (let i = 0; i < HOURS; i++) {
    const h = T0 + i * HOUR;
    const lines: string[] = [];
    for (let j = 0; j < 120; j++) {
      const ts = h + Math.floor(u() * HOUR);
      const route = j % 3 === 0 ? 'chat' : 'answer';
      const sampleRate = route === 'chat' ? 0.5 : 1;
      const model = u() < 0.02 ? 'mystery-model' : 'gpt-4o';
      const failing = h === END - HOUR && u() < 0.3;
      const id = `${route}-${i}-${j}`;
      const inTok = 400 + Math.floor(u() * 200);
      const outTok = 100 + Math.floor(u() * 100);
      const rec = {
        request_id: id,
        timestamp: new Date(ts).toISOString(),
        route,
        model,
        tenant_id: `t${j % 7}`,
        prompt_template_version: `${route}@v1`,
        input_tokens: inTok,
        output_tokens: outTok,
        latency_total_ms: 500 + Math.floor(u() * 1500),
        downstream_status: failing ? '500' : '200',
        sample_rate: sampleRate,
        ...(j === 5 ? { captured_reason: 'explicit_flag' } : {}),
      };
      lines.push(JSON.stringify(rec));
      if (j === 5 || ts < END - 24 * HOUR) continue;
      if (model === 'gpt-4o') {
        const [pIn, pOut] = ts >= PRICE_CUT ? [2.5e-6, 10e-6] : [5e-6, 15e-6];
        expectedUsd += (inTok * pIn + outTok * pOut) / sampleRate;
      } else expectedUnpriced++;
      if (failing) badIdsLastHour.push(id);
    }
    const folder = join(dir, 'captures', tpl.prefixFor(h));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'part-0.jsonl'), `${lines.slice(0, 60).join('\n')}\n`);
    await writeFile(join(folder, 'part-1.jsonl'), `${lines.slice(60).join('\n')}\n`);
  }
  const config = parseConfig(
    {
      pricing: {
        models: {
          'gpt-4o': [
            { inputPerMTok: 5, outputPerMTok: 15 },
            { from: new Date(PRICE_CUT).toISOString(), inputPerMTok: 2.5, outputPerMTok: 10, note: 'price cut' },
          ],
        },
      },
      slos: [
        { name: 'availability', kind: 'availability', target: 0.99, minEvents: 5 },
        { name: 'answer-latency', route: 'answer', kind: 'latency', thresholdMs: 1900, target: 0.9, alerts: [{ severity: 'warning', long: '6h', short: '1h', factor: 2 }] },
        { name: 'faithful', route: 'answer', kind: 'judge', rubric: 'faithfulness', target: 0.95, period: '7d', alerts: [{ severity: 'warning', long: '1d', short: '6h', factor: 1 }] },
      ],
    },
    '(test)',
  );
  ctx = {
    config,
    source: createFsSource({ root: join(dir, 'captures') }),
    store: createFsStore({ root: join(dir, 'results'), fsync: false }),
    now: () => END + 300_000,
    logger: pino({ level: 'silent' }),
  };
  // Judge results of the last day: 40 answer items, 4 of them unfaithful (10% > 5% allowed).
  const scores = Array.from({ length: 40 }, (_, k) =>
    JSON.stringify({
      v: 1,
      runId: 'judge-1',
      rubric: 'faithfulness',
      route: 'answer',
      id: `answer-j${k}`,
      population: true,
      weight: 2,
      ts: new Date(END - 24 * HOUR + k * 30 * 60_000).toISOString(),
      status: 'scored',
      scores: { faithfulness: { value: k % 10 === 0 ? 2 : 5, pass: k % 10 !== 0, applicable: true } },
    }),
  );
  await ctx.store.put(scoresKey(END, 'judge-1'), `${scores.join('\n')}\n`);
  const pipeline = await getPipeline('slo');
  backfill = (await runInline(ctx, pipeline, run(T0, END - 24 * HOUR))).report;
  // The last run goes through the alert router into a file sink, as `run slo --inline` does.
  const alerting = createInlineAlerting({ config, env: { ...readEnv(), slackToken: undefined }, store: ctx.store, logger: ctx.logger, now: ctx.now, sinkPath: join(dir, 'alerts.jsonl'), console: null });
  last = (await runInline({ ...ctx, onReport: alerting.onReport }, pipeline, run(END - 24 * HOUR, END))).report;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const slo = (name: string): SloResult => (last.sections.slo as { slos: SloResult[] }).slos.find((s) => s.name === name) as SloResult;

describe('slo pipeline end to end (fs source, fs store)', () => {
  it('writes sections.cost and sections.slo, and hourly history under aggregates/slo/', async () => {
    expect(backfill.pipeline).toBe('slo');
    expect(last.sections.cost).toBeDefined();
    expect(last.sections.slo).toBeDefined();
    for (const h of [T0, END - HOUR]) {
      expect(await ctx.store.get(summaryKey(h))).not.toBeNull();
      expect(await ctx.store.get(dimsKey(h))).not.toBeNull();
    }
  });

  it('prices by the table with the price change mid-window, weights by 1/sample_rate, and reports the change as an event', () => {
    const cost = last.sections.cost as { total: { usd: number; unpricedRows: number; flaggedRows: number; fromTable: number }; priceEvents: { model: string; at: string }[] };
    expect(Math.abs(cost.total.usd / expectedUsd - 1)).toBeLessThan(1e-5);
    expect(cost.total.unpricedRows).toBe(expectedUnpriced);
    expect(cost.total.flaggedRows).toBe(24);
    expect(cost.priceEvents).toEqual([expect.objectContaining({ model: 'gpt-4o', at: new Date(PRICE_CUT).toISOString(), note: 'price cut' })]);
  });

  it('is degraded, not ok, when more than 1% of the population cannot be priced', () => {
    expect(expectedUnpriced).toBeGreaterThan(0.01 * 24 * 115);
    expect(last.status).toBe('degraded');
    expect(last.statusReasons.some((r) => /could not be priced/.test(r))).toBe(true);
  });

  it('breaks cost down by dimension with movers against the day before', () => {
    const cost = last.sections.cost as { byDimension: Record<string, { value: string; usd: number }[]>; movers: { byDimension: Record<string, { value: string; change: number }[]> }; month: { month: string; hoursCovered: number } };
    expect(cost.byDimension.route?.map((r) => r.value).sort()).toEqual(['answer', 'chat']);
    expect(cost.byDimension.tenant_id).toHaveLength(7);
    expect(cost.byDimension.model?.find((m) => m.value === 'mystery-model')?.usd).toBe(0);
    // The price cut lowers both routes' cost against the day before.
    expect(cost.movers.byDimension.route?.map((m) => m.value).sort()).toEqual(['answer', 'chat']);
    for (const m of cost.movers.byDimension.route ?? []) expect(m.change).toBeLessThan(0);
    expect(cost.month).toMatchObject({ month: '2026-03', hoursCovered: 72 });
  });

  it('fires a critical slo.burn on the availability SLO with the failing requests as examples', () => {
    const f = last.findings.find((x) => x.kind === 'slo.burn' && x.subject === 'availability');
    expect(f?.severity).toBe('critical');
    expect(f?.summary).toMatch(/^availability: error budget burning \d+\.\d× over 1h and \d+\.\d× over 5m \(rule page-fast: ≥ 14\.4×\)/);
    expect(f?.examples.length).toBeGreaterThan(0);
    for (const id of f?.examples ?? []) expect(badIdsLastHour).toContain(id);
    expect(slo('availability').status).toBe('burning');
  });

  it('routes the slo.burn finding to an alert', async () => {
    const sink = await readFile(join(dir, 'alerts.jsonl'), 'utf8');
    expect(sink).toContain('slo.burn');
    expect(sink).toContain('availability: error budget burning');
  });

  it('reports insufficient_data for windows with too few events instead of calling them healthy', () => {
    const lat = slo('answer-latency');
    // 80 answer rows an hour: 6 h and 1 h are measured; the budget too.
    expect(lat.windows.map((w) => w.status)).toEqual(['measured', 'measured']);
    const faithful = slo('faithful');
    // 40 judged items over the day: the 6 h window has 12 < 20.
    expect(faithful.windows.find((w) => w.window === '6h')?.status).toBe('insufficient_data');
    expect(faithful.rules[0]?.status).toBe('insufficient_data');
    expect(faithful.budget).toMatchObject({ status: 'measured', rows: 40, total: 80, good: 72 });
    expect(faithful.budget.consumed).toBeCloseTo(0.1 / 0.05, 9);
    // A measured budget alone is not "ok": no rule could say whether the burn is fine.
    expect(faithful.status).toBe('insufficient_data');
    // The judged items end 4.5 h before the run's end: the 6 h window is mostly not judged yet.
    expect(faithful.detail).toBe('no burn rule could be evaluated (warning 1d/6h: history covers 33% of the 6h window)');
    expect(last.unmeasured).toContainEqual(expect.objectContaining({ subject: 'faithful', reason: 'insufficient_data', detail: faithful.detail }));
  });

  it('writes no history and reports no $0 for a window without any capture object', async () => {
    const report = (await runInline(ctx, await getPipeline('slo'), { ...run(END + 24 * HOUR, END + 48 * HOUR), runId: 'slo-empty' })).report;
    expect(report.status).toBe('unmeasurable');
    expect(report.statusReasons[0]).toMatch(/^no capture objects in the window/);
    expect(await ctx.store.get(summaryKey(END + 24 * HOUR))).toBeNull();
    expect(await ctx.store.get(summaryKey(END + 47 * HOUR))).toBeNull();
    const lines = summarizeSlo(report);
    expect(lines[0]).toBe('cost: no population records in the window (not $0: nothing was measured)');
    expect(lines.join('\n')).not.toMatch(/\$0\.0/);
  });

  it('keeps history a later, less complete run would lose', async () => {
    const before = await ctx.store.get(summaryKey(END - HOUR));
    // A run over the last hour that read one object of two (the other "lost").
    const lossy = { ...ctx, source: { ...ctx.source, list: async function* (w: { start: number; end: number }) { for await (const o of ctx.source.list(w)) if (o.key.endsWith('part-0.jsonl')) yield o; } } };
    await runInline(lossy, await getPipeline('slo'), { ...run(END - HOUR, END), runId: 'slo-lossy' });
    expect(await ctx.store.get(summaryKey(END - HOUR))).toEqual(before);
  });
});
