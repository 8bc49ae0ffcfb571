import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goldenPipeline } from '../../../src/golden/pipeline.ts';
import { GoldenConfigError, runGolden } from '../../../src/golden/run/run-golden.ts';
import { readSuiteRecord } from '../../../src/golden/run/records.ts';
import type { GoldenSection } from '../../../src/golden/run/report.ts';
import { mulberry32 } from '../../../src/stats/index.ts';
import { runInline } from '../../../src/pipeline/run-inline.ts';
import { exitCodeForReport } from '../../../src/pipeline/run-core.ts';
import { useOpenAiServer } from '../../helpers/use-openai-server.ts';
import { arithmeticSuite, caseOf, silentLogger, workspace, type Workspace } from './helpers.ts';
import { json, startService } from '../target/helpers.ts';

const server = useOpenAiServer({ script: undefined, completion: undefined });
let ws: Workspace;
beforeEach(async () => {
  ws = await workspace(server.url);
});
afterEach(async () => {
  await ws.cleanup();
});

const env = (t0 = Date.UTC(2026, 10, 24, 2)) => {
  let t = t0;
  return { config: ws.config(), store: ws.store, now: () => (t += 60_000), logger: silentLogger };
};
const fast = { targetOptions: { backoffMs: 1, random: () => 0 } };

/** A model that answers case i right when `right(i)` says so. */
function model(right: (i: number) => boolean): void {
  server.set({ completion: (req) => (right(caseOf(req)) ? `The answer is A${caseOf(req)}.` : 'I am not sure.') });
}

describe('golden runner against the local OpenAI-compatible server', () => {
  it('first run re-baselines, the same model again is no-change, and results land in golden/<suite>/<run-id>.json', async () => {
    await ws.writeSuite('arith', arithmeticSuite(120));
    model((i) => i % 10 !== 0); // 90%, deterministic
    const e = env();
    const first = await runGolden(e, { runId: 'golden-20261124T0200Z', ...fast });
    expect(first.runs[0]!.record.verdict).toMatchObject({ verdict: 'rebaselined', changes: { firstRun: true } });
    expect(first.runs[0]!.record.verdict.passRate).toMatchObject({ pass: 108, measured: 120 });
    const second = await runGolden(e, { runId: 'golden-20261125T0200Z', ...fast });
    const v = second.runs[0]!.record.verdict;
    expect(v.verdict).toBe('no-change');
    expect(v.baselineRunId).toBe('golden-20261124T0200Z');
    expect(v.paired.n).toBe(120);
    const stored = await readSuiteRecord(ws.store, 'arith', 'golden-20261125T0200Z');
    expect(stored?.results).toHaveLength(120);
    expect(second.runs[0]!.key).toBe('golden/arith/golden-20261125T0200Z.json');
  });

  it('a stable 90% suite re-run with noise (20 flaky cases) does not report a regression', async () => {
    await ws.writeSuite('arith', arithmeticSuite(100));
    const rand = mulberry32(42);
    model((i) => (i < 80 ? true : i < 90 ? rand() < 0.5 : rand() < 0.5 && i < 0)); // 80 stable, 10 flaky at 0.5, 10 always wrong
    const e = env();
    await runGolden(e, { runId: 'golden-a', ...fast });
    for (const id of ['golden-b', 'golden-c', 'golden-d']) {
      const r = await runGolden(e, { runId: id, ...fast });
      const v = r.runs[0]!.record.verdict;
      expect(v.verdict, v.reason).not.toBe('regression');
      // Every flip was re-run twice.
      for (const f of v.flips) expect(f.retries).toHaveLength(2);
    }
  });

  it('confirms a real regression (15 cases break for good), with expected vs got, and raises golden.regression via the pipeline', async () => {
    await ws.writeSuite('arith', arithmeticSuite(100));
    model((i) => i % 20 !== 0); // 95%
    const e = env();
    await runGolden(e, { runId: 'golden-base', ...fast });
    model((i) => i % 20 !== 0 && !(i >= 21 && i < 36)); // a quiet provider change breaks 15 cases
    const ctx = { ...e, source: undefined as never };
    const run = { runId: 'golden-20261125T0200Z-24h', pipeline: 'golden' as const, window: { start: Date.UTC(2026, 10, 24, 2), end: Date.UTC(2026, 10, 25, 2) }, requestedAt: Date.UTC(2026, 10, 25, 2) };
    const { report } = await runInline(ctx, goldenPipeline, run, { attempts: 1 });
    const section = report.sections.golden as GoldenSection;
    const v = section.suites[0]!.verdict;
    expect(v.verdict).toBe('regression');
    expect(v.counts.confirmedRegressions).toBe(15);
    expect(v.flips[0]).toMatchObject({ caseId: 'q021', direction: 'regression', confirmation: 'confirmed', expected: 'A21', got: 'I am not sure.', retries: ['fail', 'fail'] });
    expect(v.flips[0]!.reasons[0]).toBeTruthy();
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'golden.regression', subject: 'arith', severity: 'critical', fingerprint: 'golden.regression:arith' })]);
    expect(report.findings[0]!.examples).toContain('q021');
    expect(exitCodeForReport(report)).toBe(1);
    // The regressed run never becomes the baseline: the next run compares with golden-base again.
    const next = await runGolden(e, { runId: 'golden-zz', ...fast });
    expect(next.runs[0]!.record.verdict.baselineRunId).toBe('golden-base');
  });

  it('tells flaky from confirmed through the real re-runs', async () => {
    await ws.writeSuite('arith', arithmeticSuite(60));
    model(() => true);
    const e = env();
    await runGolden(e, { runId: 'golden-1', ...fast });
    const seen = new Map<number, number>();
    // Case 3 fails once then recovers (flaky); case 7 breaks for good (confirmed).
    server.set({
      completion: (req) => {
        const i = caseOf(req);
        const n = (seen.get(i) ?? 0) + 1;
        seen.set(i, n);
        if (i === 7 || (i === 3 && n === 1)) return 'nope';
        return `A${i}`;
      },
    });
    const v = (await runGolden(e, { runId: 'golden-2', ...fast })).runs[0]!.record.verdict;
    expect(v.flips.map((f) => [f.caseId, f.confirmation])).toEqual([
      ['q007', 'confirmed'],
      ['q003', 'flaky'],
    ]);
    expect(v.verdict).toBe('no-change');
  });

  it('marks flips whose re-runs hit a dead target as infra', async () => {
    await ws.writeSuite('arith', arithmeticSuite(30));
    model(() => true);
    const e = env();
    await runGolden(e, { runId: 'golden-1', ...fast });
    let broken = false;
    server.set({
      completion: (req) => (caseOf(req) === 5 ? ((broken = true), 'nope') : `A${caseOf(req)}`),
      script: (req) => (broken && caseOf(req) === 5 && req.path.endsWith('/chat/completions') ? { kind: 'status', status: 503 } : undefined),
    });
    const v = (await runGolden(e, { runId: 'golden-2', ...fast })).runs[0]!.record.verdict;
    expect(v.flips).toEqual([expect.objectContaining({ caseId: 'q005', confirmation: 'infra', retries: ['unmeasured', 'unmeasured'] })]);
    expect(v.counts.infra).toBe(1);
  });

  it('a target that is down makes cases unmeasured (never failed), the verdict inconclusive and a golden.unmeasured finding', async () => {
    await ws.writeSuite('arith', arithmeticSuite(20));
    model(() => true);
    const e = env();
    await runGolden(e, { runId: 'golden-1', ...fast });
    server.set({ script: () => ({ kind: 'status', status: 503 }) });
    const ctx = { ...e, source: undefined as never };
    const run = { runId: 'golden-2', pipeline: 'golden' as const, window: { start: 0, end: Date.UTC(2026, 10, 25) }, requestedAt: Date.UTC(2026, 10, 25) };
    const { report } = await runInline(ctx, goldenPipeline, run, { attempts: 1 });
    const v = (report.sections.golden as GoldenSection).suites[0]!.verdict;
    expect(v.unmeasured).toEqual({ count: 20, byKind: { server_error: 20 } });
    expect(v.passRate).toBeNull();
    expect(v.verdict).toBe('inconclusive');
    expect(report.status).toBe('unmeasurable');
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'golden.unmeasured', severity: 'critical' })]);
    expect(exitCodeForReport(report)).toBe(2);
  });

  it('a run that measured nothing is never the baseline: the next run compares with the one before', async () => {
    await ws.writeSuite('arith', arithmeticSuite(20));
    model(() => true);
    const e = env();
    const first = (await runGolden(e, { runId: 'golden-1', ...fast })).runs[0]!.record.verdict;
    expect(first.reason).toBe('no earlier run to compare with: this run is the baseline');
    server.set({ script: () => ({ kind: 'status', status: 503 }) });
    expect((await runGolden(e, { runId: 'golden-2', ...fast })).runs[0]!.record.verdict.passRate).toBeNull();
    server.set({ script: undefined });
    const v = (await runGolden(e, { runId: 'golden-3', ...fast })).runs[0]!.record.verdict;
    expect(v).toMatchObject({ verdict: 'inconclusive', baselineRunId: 'golden-1', paired: { n: 20 } });
  });

  it('a first run that measured nothing leaves the next run the baseline, without "suite changed"', async () => {
    await ws.writeSuite('arith', arithmeticSuite(20));
    server.set({ script: () => ({ kind: 'status', status: 503 }) });
    const e = env();
    await runGolden(e, { runId: 'golden-1', ...fast });
    server.set({ script: undefined });
    model(() => true);
    const v = (await runGolden(e, { runId: 'golden-2', ...fast })).runs[0]!.record.verdict;
    expect(v).toMatchObject({ verdict: 'rebaselined', reason: 'no earlier run to compare with: this run is the baseline' });
  });

  it('re-baselines when a case is added or the model snapshot changes, saying what changed', async () => {
    await ws.writeSuite('arith', arithmeticSuite(20));
    model(() => true);
    const e = env();
    await runGolden(e, { runId: 'golden-1', ...fast });
    await ws.writeSuite('arith', arithmeticSuite(21));
    let v = (await runGolden(e, { runId: 'golden-2', ...fast })).runs[0]!.record.verdict;
    expect(v.verdict).toBe('rebaselined');
    expect(v.reason).toBe('suite changed — re-baselined: 1 case added (q020)');
    const e2 = { ...e, config: ws.config({ targets: { model: { kind: 'openai', baseURL: server.url, model: 'target-2025-06-01' } } }) };
    v = (await runGolden(e2, { runId: 'golden-3', ...fast })).runs[0]!.record.verdict;
    expect(v.reason).toBe('suite changed — re-baselined: target model changed');
    // An explicit --baseline of another fingerprint is not compared either.
    v = (await runGolden(e, { runId: 'golden-4', baseline: 'golden-3', ...fast })).runs[0]!.record.verdict;
    expect(v.verdict).toBe('rebaselined');
  });

  it('runs a suite against the team\'s own HTTP service (body template, JSONPath answer) via --target', async () => {
    const svc = await startService();
    try {
      svc.handler = (req, res) => {
        const q = (JSON.parse(req.body) as { q: string }).q;
        json(res, 200, { data: { answer: `A${/question (\d+)/.exec(q)?.[1]}` } });
      };
      await ws.writeSuite('arith', arithmeticSuite(12));
      const e = { ...env(), config: ws.config({ targets: { svc: { kind: 'http', url: `${svc.url}/ask`, body: { q: '{{input}}' }, answerPath: '$.data.answer' } } }) };
      const rec = (await runGolden(e, { runId: 'golden-1', target: 'svc', ...fast })).runs[0]!.record;
      expect(rec.target).toBe('svc');
      expect(rec.verdict.passRate).toMatchObject({ pass: 12, measured: 12 });
      expect(svc.seen).toHaveLength(12);
      expect(rec.fingerprint.targetIdentity).toMatchObject({ kind: 'http', answerPath: '$.data.answer' });
    } finally {
      await svc.close();
    }
  });

  it('refuses an unknown --target and a suite with unrecorded cases and no target', async () => {
    await ws.writeSuite('arith', arithmeticSuite(3));
    await expect(runGolden(env(), { runId: 'x', target: 'nope' })).rejects.toThrow(GoldenConfigError);
    const noTarget = { ...env(), config: (await workspace()).config({ suitesDir: ws.suitesDir }) };
    await expect(runGolden(noTarget, { runId: 'x' })).rejects.toThrow(/no recorded output and no target/);
  });
});
