import { describe, expect, it } from 'vitest';
import { createJudgePipeline, runJudgeInline } from '../../src/judge/pipeline.ts';
import { readPlan, writePlan } from '../../src/judge/plan-manifest.ts';
import { useOpenAiServer } from '../helpers/use-openai-server.ts';
import { DAY, T0, dayRun, deps, setup, writeCaptures } from './pipeline-helpers.ts';

const server = useOpenAiServer({ judge: 'overlap', script: undefined, apiKey: undefined });

const section = (r: { sections: Record<string, unknown> }) => r.sections.judge as Record<string, any>;
const CANARY_CALLS = 9; // relevance, faithfulness, refusal: 3 canaries each

describe('judge pipeline over local captures', () => {
  it('a route with fewer than two scored captures has no estimate and is reported insufficient_data', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [
      { route: 'chat', n: 30 },
      { route: 'lone', n: 1 },
    ]);
    const report = await runJudgeInline(ctx, dayRun(T0), createJudgePipeline(deps(server.url, { rubrics: ['relevance'], sampling: { targetPerRoute: 20 } })));
    const j = section(report);
    expect(j.coverage.find((c: any) => c.route === 'lone' && c.population)).toMatchObject({ attempted: 1, scored: 1 });
    expect(j.quality.filter((c: any) => c.route === 'lone')).toEqual([]);
    expect(j.quality.some((c: any) => c.route === 'chat')).toBe(true);
    expect(report.unmeasured).toContainEqual({ route: 'lone', subject: 'relevance.relevance', reason: 'insufficient_data', detail: '1 scored captures, 2 needed for an estimate' });
    expect(report.unmeasured.filter((u) => u.detail?.endsWith('needed for an estimate')).map((u) => u.route)).toEqual(['lone']);
  });

  it('judges a stratified sample: equal per-route targets, HT weights, flagged apart, scores stored', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [
      { route: 'chat', n: 400, sampleRate: 0.5, flagged: 10 },
      { route: 'search', n: 12 },
      { route: 'rag', n: 60, context: true },
    ]);
    const p = createJudgePipeline(deps(server.url, { sampling: { targetPerRoute: 20, minPerRoute: 5, flaggedPerRoute: 4 } }));
    const run = dayRun(T0);
    const report = await runJudgeInline(ctx, run, p);
    expect(report.status).toBe('ok');
    const plan = await readPlan(ctx.store, run);
    expect(plan.canaries?.healthy).toBe(true);
    expect(plan.rates.relevance!.chat!.population).toBeCloseTo(20 / 390, 12);
    expect(plan.rates.relevance!.search!.population).toBe(1);
    expect(plan.rates.relevance!.chat!.flagged).toBeCloseTo(4 / 10, 12);
    expect(plan.rates.faithfulness!.rag).toBeDefined();
    expect(plan.rates.faithfulness!.chat).toBeUndefined(); // no context: not eligible, never scored

    const j = section(report);
    const chatCell = j.quality.find((c: any) => c.rubric === 'relevance' && c.route === 'chat' && c.metric === 'mean');
    expect(chatCell.n).toBeGreaterThan(8);
    expect(chatCell.n).toBeLessThan(40);
    expect(chatCell.estimate).toBeGreaterThanOrEqual(4);
    expect(chatCell.ci[0]).toBeLessThanOrEqual(chatCell.estimate);
    const allRoutes = j.quality.find((c: any) => c.rubric === 'relevance' && c.route === '*' && c.metric === 'pass_rate');
    expect(allRoutes.estimate).toBe(1);
    // Flagged captures are judged but reported apart, never in the population cells.
    expect(j.flagged.some((f: any) => f.route === 'chat' && f.n > 0)).toBe(true);
    expect(j.budget.spent.calls).toBe(server.requests.length);
    expect(j.canaries.checks).toBe(CANARY_CALLS);

    const keys: string[] = [];
    for await (const k of ctx.store.list('scores/')) keys.push(k);
    expect(keys.length).toBeGreaterThan(0);
    const line = JSON.parse(new TextDecoder().decode((await ctx.store.get(keys[0]!))!).split('\n')[0]!);
    expect(line.judge.model).toBe('judge-test-2025-01-01');
    expect(line.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    if (line.route === 'chat' && !line.captured_reason) {
      expect(line.weight).toBeCloseTo(2 / (20 / 390), 9);
      expect(line.selectionProbability).toBeCloseTo(0.5 * (20 / 390), 12);
    }
  });

  it('selection is deterministic and a re-run is served from the cache', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 200 }]);
    const p = createJudgePipeline(deps(server.url, { sampling: { targetPerRoute: 25 } }));
    const first = await runJudgeInline(ctx, dayRun(T0, 'a'), p);
    const before = server.requests.length;
    const second = await runJudgeInline(ctx, dayRun(T0, 'b'), p);
    const judgedAgain = server.requests.length - before - CANARY_CALLS;
    expect(judgedAgain).toBe(0);
    expect(section(second).judgments.cached).toBe(section(first).judgments.scored);
    expect(section(second).quality).toEqual(section(first).quality);
  });

  it('a 401 stops the run with one judge.unavailable finding and no quality', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 50 }]);
    server.set({ apiKey: 'right' });
    const report = await runJudgeInline(ctx, dayRun(T0), createJudgePipeline(deps(server.url)));
    expect(report.status).toBe('unmeasurable');
    expect(report.findings.map((f) => f.kind)).toEqual(['judge.unavailable']);
    expect(report.findings[0]!.summary).toContain('EVALWATCH_JUDGE_API_KEY');
    expect(section(report).quality).toEqual([]);
    expect(report.coverage.unitsPlanned).toBe(0);
  });

  it('a judge that misgrades its canaries makes quality unmeasurable: one judge.unhealthy, no judging', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 50 }]);
    server.set({ judge: 'length' });
    const report = await runJudgeInline(ctx, dayRun(T0), createJudgePipeline(deps(server.url)));
    expect(report.status).toBe('unmeasurable');
    expect(report.findings.map((f) => f.kind)).toEqual(['judge.unhealthy']);
    expect(report.findings[0]!.summary).toMatch(/padded/);
    expect(server.requests).toHaveLength(CANARY_CALLS);
  });

  it('a plan marked unhealthy without canary results still ends unmeasurable, never ok', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 50 }]);
    server.set({ judge: 'length' });
    const run = dayRun(T0);
    const pipeline = createJudgePipeline(deps(server.url));
    await runJudgeInline(ctx, run, pipeline);
    const { canaries: _dropped, ...plan } = await readPlan(ctx.store, run);
    await writePlan(ctx.store, run, { ...plan, detail: 'canaries lost' });
    const report = await pipeline.finalize(ctx, run, pipeline.merge([]), { planned: 0, done: 0, failed: [] });
    expect(report.status).toBe('unmeasurable');
    expect(report.statusReasons.join(' ')).toMatch(/marked unhealthy \(canaries lost\)/);
    expect(report.findings.filter((f) => f.kind.startsWith('judge.quality'))).toEqual([]);
  });

  it('shrinks the sample to the budget before the run and never spends past it', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [
      { route: 'chat', n: 300 },
      { route: 'search', n: 300 },
    ]);
    const budget = { calls: 40, tokens: 10_000_000, usd: 100, planShare: 0.9 };
    const run = dayRun(T0);
    const report = await runJudgeInline(ctx, run, createJudgePipeline(deps(server.url, { budget, sampling: { targetPerRoute: 100, minPerRoute: 5 }, rubrics: ['relevance'] })));
    const plan = await readPlan(ctx.store, run);
    expect(plan.limitedBy).toBe('calls');
    expect(plan.scale).toBeLessThan(1);
    expect(plan.estimate.calls).toBeLessThanOrEqual((40 - 3) * 0.9 + 1e-9);
    expect(section(report).budget.spent.calls).toBeLessThanOrEqual(40);
    expect(server.requests.length).toBeLessThanOrEqual(40);
    expect(plan.rates.relevance!.chat!.population).toBeCloseTo(plan.rates.relevance!.search!.population, 12);
  });

  it('says how to configure a judge when none is, without calling anything', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 10 }]);
    const d = deps('https://judge.example.invalid/v1');
    const report = await runJudgeInline(ctx, dayRun(T0), createJudgePipeline({ ...d, apiKey: '' }));
    expect(report.status).toBe('unmeasurable');
    expect(report.statusReasons[0]).toContain('EVALWATCH_JUDGE_API_KEY');
    expect(report.findings).toEqual([]);
  });

  it('low coverage raises judge.coverage and degrades the run', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 60 }]);
    server.set({ script: (req) => (req.n >= CANARY_CALLS && req.n % 2 === 0 ? { kind: 'status', status: 500 } : undefined) });
    const report = await runJudgeInline(ctx, dayRun(T0), createJudgePipeline(deps(server.url, { maxAttempts: 1, rubrics: ['relevance', 'faithfulness', 'refusal'] })));
    expect(report.status).toBe('degraded');
    const cov = report.findings.find((f) => f.kind === 'judge.coverage');
    expect(cov?.route).toBe('chat');
    expect(cov?.summary).toContain('server_error');
  });

  it('flags a quality regression against earlier runs with the same judge', async () => {
    const { ctx, captures } = setup();
    const d = deps(server.url, { rubrics: ['relevance'], sampling: { targetPerRoute: 40 }, regression: { minN: 10, minHistoryDays: 4, alpha: 0.01, minEffect: 0.05, historyDays: 28 } });
    const p = createJudgePipeline(d);
    for (let k = 0; k < 5; k++) {
      const day = T0 + k * DAY;
      writeCaptures(captures, day, [{ route: 'chat', n: 60, good: k % 2 ? 0.9 : 0.85 }]);
      const r = await runJudgeInline(ctx, dayRun(day), p);
      expect(r.findings).toEqual([]);
    }
    const bad = T0 + 5 * DAY;
    writeCaptures(captures, bad, [{ route: 'chat', n: 60, good: 0.3 }]);
    const report = await runJudgeInline(ctx, dayRun(bad), p);
    const q = report.findings.filter((f) => f.kind === 'judge.quality');
    expect(q.map((f) => f.route).sort()).toEqual(['*', 'chat']);
    expect(q[0]!.stats.qValue).toBeLessThan(0.01);
    expect(q[0]!.examples.length).toBeGreaterThan(0);
  });
});
