import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFrozen, readTrusted } from '../../src/judge/bridge-store.ts';
import { createJudgePipeline, runJudgeInline } from '../../src/judge/pipeline.ts';
import type { RunReport } from '../../src/report/types.ts';
import type { RecordedRequest } from '../helpers/openai-server.ts';
import { useOpenAiServer } from '../helpers/use-openai-server.ts';
import { DAY, T0, dayRun, deps, setup, writeCaptures } from './pipeline-helpers.ts';

/**
 * Two judge "models" on one local server. Both rate relevance as the share of the request's
 * content words the response repeats; `judge-b` is a little stricter: one point lower on about a
 * fifth of the responses (by a hash of the response text). Computed here from the request body,
 * so the test knows exactly what each judge says about each frozen capture.
 */
const words = (t: string) => new Set((t.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((w) => !['through', 'about', 'that', 'this', 'with'].includes(w)));
function overlap(prompt: string, response: string): number {
  const ref = words(prompt);
  const resp = words(response);
  let hit = 0;
  for (const w of ref) if (resp.has(w)) hit++;
  return ref.size ? hit / ref.size : 0;
}
const stricter = (response: string) => createHash('sha256').update(response).digest()[0]! % 5 === 0;
function score(model: string, prompt: string, response: string, lo: number, hi: number): number {
  const s = lo + Math.round(overlap(prompt, response) * (hi - lo));
  return model === 'judge-b' && stricter(response) ? Math.max(lo, s - 1) : s;
}
function blocks(body: Record<string, unknown>): Record<string, string> {
  const msgs = (body.messages ?? []) as { role: string; content: string }[];
  const user = msgs.find((m) => m.role === 'user')?.content ?? '';
  const out: Record<string, string> = {};
  for (const m of user.matchAll(/<<<BEGIN_DATA:(\w+):(\w+)>>>\n([\s\S]*?)\n<<<END_DATA:\1:\2>>>/g)) out[m[1]!] = m[3]!;
  return out;
}
function twoModels(req: RecordedRequest) {
  const rf = req.body.response_format as { json_schema?: { schema?: { properties?: Record<string, { properties: { score: { minimum?: number; maximum?: number; enum?: number[] } } }> } } } | undefined;
  const props = rf?.json_schema?.schema?.properties;
  if (!props) return undefined; // not a judge call
  const b = blocks(req.body);
  const model = String(req.body.model);
  const verdict: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(props)) {
    const s = p.properties.score;
    const nums = s.enum ?? [s.minimum ?? 1, s.maximum ?? 5];
    verdict[name] = { reasoning: `${model} read it`, score: score(model, b.prompt ?? '', b.response ?? '', Math.min(...nums), Math.max(...nums)) };
  }
  return { kind: 'reply' as const, content: JSON.stringify(verdict) };
}

const server = useOpenAiServer({ script: twoModels, models: undefined });

const section = (r: RunReport) => r.sections.judge as Record<string, any>;
const byModel = (m: string) => server.requests.filter((r) => r.body.model === m).length;
const regression = { minN: 10, minHistoryDays: 4, alpha: 0.01, minEffect: 0.05, historyDays: 28 };

describe('judge change: bridge on a frozen sample, then trends restart', () => {
  it('re-scores the frozen sample with both judges, reports agreement and offset, and calls no regression across the change', async () => {
    const { ctx, captures } = setup();
    const judge = (model: string) => createJudgePipeline(deps(server.url, { model, rubrics: ['relevance'], bridgeSampleSize: 12, sampling: { targetPerRoute: 30 }, regression }));
    for (let k = 0; k < 5; k++) {
      const day = T0 + k * DAY;
      writeCaptures(captures, day, [{ route: 'chat', n: 60, good: k % 2 ? 0.9 : 0.85 }]);
      const r = await runJudgeInline(ctx, dayRun(day), judge('judge-a'));
      expect(r.findings).toEqual([]);
      expect(section(r).bridge).toEqual([]);
    }
    const frozen = await readFrozen(ctx.store, 'relevance');
    expect(frozen!.items).toHaveLength(12);
    expect(frozen!.items.every((i) => i.prompt && i.response && i.id.startsWith('chat-'))).toBe(true);
    expect((await readTrusted(ctx.store, 'relevance'))!.descriptor.model).toBe('judge-a');
    // Capture retention: the old captures are gone by the time the judge changes.
    rmSync(captures, { recursive: true });
    mkdirSync(captures);

    // The judge changes and, the same day, quality really drops: that drop must not be called a
    // regression against judge-a's history.
    const day = T0 + 5 * DAY;
    writeCaptures(captures, day, [{ route: 'chat', n: 60, good: 0.3 }]);
    server.requests.length = 0;
    const report = await runJudgeInline(ctx, dayRun(day), judge('judge-b'));
    expect(report.status).toBe('ok');
    expect(report.findings.map((f) => f.kind)).toEqual(['judge.rebaselined']);
    expect(report.unmeasured).toContainEqual(expect.objectContaining({ subject: 'relevance.relevance', route: '*', reason: 'no_history' }));
    expect(byModel('judge-a')).toBe(12); // the frozen items only: no canaries, no sample for the old judge

    // What each judge says about each frozen item, computed independently.
    const pairs = frozen!.items.map((i) => [score('judge-a', i.prompt!, i.response!, 1, 5), score('judge-b', i.prompt!, i.response!, 1, 5)] as const);
    const agree = pairs.filter(([a, b]) => a === b).length / pairs.length;
    const diffs = pairs.map(([a, b]) => b - a);
    const mean = diffs.reduce((s, x) => s + x, 0) / diffs.length;
    expect(agree).toBeLessThan(1); // the two judges do differ on this sample
    const bridge = section(report).bridge[0];
    expect(bridge.status).toBe('measured');
    expect(bridge.old.descriptor.model).toBe('judge-a');
    expect(bridge.new.descriptor.model).toBe('judge-b');
    const rel = bridge.result.dimensions[0];
    expect(bridge.result.pairs).toBe(12);
    expect(rel.exactAgreement).toBeCloseTo(agree, 12);
    expect(rel.offset.mean).toBeCloseTo(mean, 12);
    expect(rel.offset.ci[0]).toBeLessThanOrEqual(mean);
    expect(rel.spearman).toBeGreaterThan(0.5);

    const f = report.findings[0]!;
    expect(f.severity).toBe('info');
    const half = ((rel.offset.ci[1] - rel.offset.ci[0]) / 2).toFixed(2);
    expect(f.summary).toBe(
      `relevance: judge changed judge-a → judge-b; agreement ${agree.toFixed(2)} (ρ ${rel.spearman.toFixed(2)}), offset −${Math.abs(mean).toFixed(2)} ± ${half} on 12 frozen items; trends restart.`,
    );
    expect(f.examples.length).toBeGreaterThan(0);
    expect(f.examples.every((id) => frozen!.items.some((i) => i.id === id))).toBe(true);
    expect(section(report).budget.bridgeSpent.calls).toBe(24);
    expect(section(report).budget.spent.calls).toBe(server.requests.length);
    expect((await readTrusted(ctx.store, 'relevance'))!.descriptor.model).toBe('judge-b');

    // The next run on the new judge: no bridge, no finding, and the old judge is not called.
    const next = T0 + 6 * DAY;
    writeCaptures(captures, next, [{ route: 'chat', n: 60, good: 0.3 }]);
    server.requests.length = 0;
    const after = await runJudgeInline(ctx, dayRun(next), judge('judge-b'));
    expect(after.findings).toEqual([]);
    expect(section(after).bridge).toEqual([]);
    expect(byModel('judge-a')).toBe(0);
  });

  it('control: the same drop under an unchanged judge is called a regression', async () => {
    const { ctx, captures } = setup();
    const p = createJudgePipeline(deps(server.url, { model: 'judge-a', rubrics: ['relevance'], bridgeSampleSize: 12, sampling: { targetPerRoute: 30 }, regression }));
    for (let k = 0; k < 5; k++) {
      writeCaptures(captures, T0 + k * DAY, [{ route: 'chat', n: 60, good: k % 2 ? 0.9 : 0.85 }]);
      await runJudgeInline(ctx, dayRun(T0 + k * DAY), p);
    }
    writeCaptures(captures, T0 + 5 * DAY, [{ route: 'chat', n: 60, good: 0.3 }]);
    const report = await runJudgeInline(ctx, dayRun(T0 + 5 * DAY), p);
    expect(report.findings.map((f) => f.kind)).toEqual(['judge.quality', 'judge.quality']);
  });

  it('an old judge that can no longer be called (404 model) leaves the bridge unmeasured; the run goes on', async () => {
    const { ctx, captures } = setup();
    const judge = (model: string) => createJudgePipeline(deps(server.url, { model, rubrics: ['relevance'], bridgeSampleSize: 8, sampling: { targetPerRoute: 20 } }));
    writeCaptures(captures, T0, [{ route: 'chat', n: 40 }]);
    await runJudgeInline(ctx, dayRun(T0), judge('judge-a'));
    server.set({ models: ['judge-b'] }); // judge-a retired
    writeCaptures(captures, T0 + DAY, [{ route: 'chat', n: 40 }]);
    const report = await runJudgeInline(ctx, dayRun(T0 + DAY), judge('judge-b'));
    expect(report.status).toBe('ok');
    expect(report.findings.map((f) => f.kind)).toEqual(['judge.rebaselined']);
    expect(report.findings[0]!.summary).toBe('relevance: judge changed judge-a → judge-b; agreement unmeasured (the previous judge can no longer be called: model_not_found); trends restart.');
    expect(report.unmeasured).toContainEqual(expect.objectContaining({ subject: 'relevance.bridge', reason: 'old_judge_unavailable' }));
    expect(section(report).quality.length).toBeGreaterThan(0);
    expect(section(report).bridge[0].result.oldUnavailable.reason).toBe('model_not_found');
  });

  it('a rubric edit is bridged with the rubric exactly as the old judge had it', async () => {
    const { ctx, captures, dir } = setup();
    const evals = path.join(dir, 'evals');
    mkdirSync(evals);
    cpSync(path.join(process.cwd(), 'evals', 'relevance.yaml'), path.join(evals, 'relevance.yaml'));
    const judge = () => createJudgePipeline({ ...deps(server.url, { model: 'judge-a', rubrics: ['relevance'], bridgeSampleSize: 6, sampling: { targetPerRoute: 20 } }), baseDir: dir });
    writeCaptures(captures, T0, [{ route: 'chat', n: 30 }]);
    await runJudgeInline(ctx, dayRun(T0), judge());
    const file = path.join(evals, 'relevance.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Rate how well the response addresses', 'EDITED: rate how well the response addresses'));
    writeCaptures(captures, T0 + DAY, [{ route: 'chat', n: 30 }]);
    server.requests.length = 0;
    const report = await runJudgeInline(ctx, dayRun(T0 + DAY), judge());
    const f = report.findings.find((x) => x.kind === 'judge.rebaselined')!;
    // Every frozen capture is a good answer scored 4 by both: no ρ (a constant has no ranks).
    expect(f.summary).toMatch(/^relevance: rubric edited \([0-9a-f]{8} → [0-9a-f]{8}\); agreement 1\.00, offset 0\.00 ± 0\.00 on 6 frozen items; trends restart\.$/);
    // The old judge is called with the rubric as it was (6 frozen items); every other call of
    // the run (canaries, the new judge's side of the bridge, the sample) uses the edited one.
    const judgeCalls = server.requests.filter((r) => r.body.response_format !== undefined);
    const old = judgeCalls.filter((r) => !JSON.stringify(r.body.messages).includes('EDITED'));
    expect(old).toHaveLength(6);
    expect(old.every((r) => r.n >= 3 && r.n < 3 + 12)).toBe(true); // after the canaries, inside the bridge
  });
});
