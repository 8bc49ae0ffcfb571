import { describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { createMetrics } from '../../src/http/metrics.ts';
import { BudgetMeter } from '../../src/judge/budget-meter.ts';
import { JudgeClient } from '../../src/judge/client.ts';
import { routeConsistency, selfConsistency } from '../../src/judge/consistency.ts';
import { judgeMetricsListener } from '../../src/judge/metrics.ts';
import { createJudgePipeline, runJudgeInline } from '../../src/judge/pipeline.ts';
import type { ConsistencyRow } from '../../src/judge/partial.ts';
import type { RecordedRequest } from '../helpers/openai-server.ts';
import { useOpenAiServer } from '../helpers/use-openai-server.ts';
import { onTopic, testJudgeConfig, testRubric } from './fixtures.ts';
import { T0, dayRun, deps, setup, writeCaptures } from './pipeline-helpers.ts';

const VOCAB = 'amber basil cobalt dune ember fjord garnet harbor indigo jasper kelp lumen mesa nectar onyx prism quartz raven sable tundra umber velvet willow xenon yarrow zephyr'.split(' ');

/** The target model: stable answers, except on prompts marked "Wobble", where every call says something else. */
function completion(req: RecordedRequest): string {
  const msgs = (req.body.messages ?? []) as { role: string; content: string }[];
  const last = msgs.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  if (!last.includes('Wobble')) return `Answer: ${last}`;
  return Array.from({ length: 6 }, (_, i) => VOCAB[(req.n * 7 + i * 3) % VOCAB.length]).join(' ');
}

const server = useOpenAiServer({ completion });

const text = (metrics: { registry: Registry }) => metrics.registry.metrics();
const value = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values ?? []).find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
};

describe('self-consistency findings', () => {
  it('raises judge.inconsistent for the route whose re-runs disagree, with example request_ids', async () => {
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [
      { route: 'chat', n: 30, promptPrefix: 'Wobble. ' },
      { route: 'search', n: 30 },
    ]);
    const p = createJudgePipeline(deps(server.url, { rubrics: ['relevance'], sampling: { targetPerRoute: 15 }, selfConsistency: { fraction: 1, k: 3, minMeasured: 10 } }));
    const report = await runJudgeInline(ctx, dayRun(T0), p);
    const inc = report.findings.filter((f) => f.kind === 'judge.inconsistent');
    expect(inc.map((f) => f.route)).toEqual(['chat']);
    const f = inc[0]!;
    expect(f.severity).toBe('warning');
    expect(f.examples.length).toBeGreaterThan(0);
    expect(f.examples.length).toBeLessThanOrEqual(5);
    expect(f.examples.every((id) => id.startsWith('chat-'))).toBe(true);
    expect(f.summary).toMatch(/^chat: (\d+) of \1 captured prompts got divergent answers when re-run 3 times \(100\.0%, 95% CI/);
    const routes = (report.sections.judge as any).selfConsistency.routes;
    expect(routes.find((r: any) => r.route === 'search')).toMatchObject({ flagged: 0, inconsistent: false });
    // Re-runs went to the capture's own model, three per capture.
    const reruns = server.requests.filter((r) => r.body.model === 'target-model');
    expect(reruns.length).toBe(3 * routes.reduce((s: number, r: any) => s + r.measured, 0));
  });

  it('a re-run with no words is a failed re-run, not a perfect agreement of blanks', async () => {
    const client = new JudgeClient({ config: testJudgeConfig(server.url) });
    const record = { prompt: 'Explain why tides follow the moon.', model: 'target-model' };
    const opts = { k: 3, temperature: 1, minSimilarity: 0.35, maxTokens: 64 };
    server.queue({ kind: 'empty' }, { kind: 'empty' }, { kind: 'empty' });
    const blank = await selfConsistency(client, record, opts);
    expect(blank).toMatchObject({ status: 'unmeasured', reason: 'empty_output' });
    expect(blank.usage.calls).toBe(3);
    server.queue({ kind: 'empty' });
    expect(await selfConsistency(client, record, opts)).toMatchObject({ status: 'unmeasured', reason: 'empty_output' });
    // The same prompt with real answers is measured: stable answers, similarity 1.
    expect(await selfConsistency(client, record, opts)).toMatchObject({ status: 'measured', k: 3, similarity: 1, flagged: false });
  });

  it('needs enough measured captures and a share confidently over the threshold', () => {
    const rows = (route: string, n: number, flagged: number): ConsistencyRow[] =>
      Array.from({ length: n }, (_, i) => ({ id: `${route}-${i}`, route, status: 'measured', similarity: i < flagged ? 0.1 : 0.9, flagged: i < flagged }));
    const out = routeConsistency([...rows('few', 6, 6), ...rows('noisy', 20, 6), ...rows('bad', 20, 12), { id: 'x', route: 'bad', status: 'unmeasured', reason: 'no_prompt' }], {
      maxFlaggedShare: 0.2,
      minMeasured: 10,
    });
    const by = Object.fromEntries(out.map((r) => [r.route, r]));
    expect(by.few!.inconsistent).toBe(false); // 6 of 6, but too few
    expect(by.noisy!.inconsistent).toBe(false); // 30% observed, Wilson lower bound 14.5% < 20%
    expect(by.bad!.inconsistent).toBe(true); // 60%, lower bound 38.7%
    expect(by.bad!.measured).toBe(20);
    expect(by.bad!.ci[0]).toBeCloseTo(0.3866, 3);
  });
});

describe('judge metrics listener', () => {
  it('counts calls, tokens and dollars on the worker registry from real client events', async () => {
    const metrics = createMetrics({ collectDefault: false });
    const client = new JudgeClient({ config: testJudgeConfig(server.url, { pricing: { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } }), onEvent: judgeMetricsListener(metrics) });
    server.queue({ kind: 'status', status: 500 });
    const meter = new BudgetMeter({ calls: 10, tokens: 1e9, usd: 1e12 }, { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 });
    const o = await client.judge(testRubric(), onTopic, { budget: meter });
    expect(o.status).toBe('scored');
    const r = metrics.registry;
    expect(await value(r, 'evalwatch_judge_calls_total', { outcome: 'ok' })).toBe(1);
    expect(await value(r, 'evalwatch_judge_calls_total', { outcome: 'error' })).toBe(1);
    // Tokens and dollars are what the run budget counted: the 500 counts its prompt estimate.
    expect(meter.spent.calls).toBe(2);
    expect(await value(r, 'evalwatch_judge_tokens_total', { direction: 'input' })).toBe(meter.spent.promptTokens);
    expect(await value(r, 'evalwatch_judge_tokens_total', { direction: 'output' })).toBe(meter.spent.completionTokens);
    expect(meter.spent.completionTokens).toBe(o.usage.completionTokens);
    expect(await value(r, 'evalwatch_judge_cost_usd_total', {})).toBeCloseTo(meter.spent.usd, 6);
    expect(await text(metrics)).toMatch(/evalwatch_judge_calls_total\{provider="127\.0\.0\.1:\d+",model="[^"]+",outcome="ok"\} 1/);
  });

  it('adds provider and model labels when the counters declare them, and counts cache hits and budget refusals of a pipeline', async () => {
    const registry = new Registry();
    const counters = {
      judgeCalls: new Counter({ name: 'calls', help: 'h', labelNames: ['provider', 'model', 'outcome'] as const, registers: [registry] }),
      judgeTokens: new Counter({ name: 'tokens', help: 'h', labelNames: ['provider', 'direction'] as const, registers: [registry] }),
      judgeCostUsd: new Counter({ name: 'usd', help: 'h', labelNames: ['model'] as const, registers: [registry] }),
    };
    const { ctx, captures } = setup();
    writeCaptures(captures, T0, [{ route: 'chat', n: 40 }]);
    const p = createJudgePipeline(deps(server.url, { rubrics: ['relevance'], sampling: { targetPerRoute: 10 } }, { onEvent: judgeMetricsListener(counters) }));
    const first = await runJudgeInline(ctx, dayRun(T0, 'a'), p);
    const second = await runJudgeInline(ctx, dayRun(T0, 'b'), p);
    const provider = new URL(server.url).host;
    const labels = { provider, model: 'judge-test-2025-01-01' };
    expect(await value(registry, 'calls', { ...labels, outcome: 'ok' })).toBe(server.requests.length);
    expect(await value(registry, 'calls', { ...labels, outcome: 'cached' })).toBe((second.sections.judge as any).judgments.cached);
    expect((first.sections.judge as any).judgments.scored).toBe((second.sections.judge as any).judgments.cached);
    expect(await value(registry, 'tokens', { provider, direction: 'input' })).toBeGreaterThan(0);
    expect(await value(registry, 'usd', { model: 'judge-test-2025-01-01' })).toBeGreaterThan(0);

    // A budget too small for one call: the refusal is counted, no request is made.
    server.requests.length = 0;
    const poor = createJudgePipeline(deps(server.url, { rubrics: ['relevance'], budget: { calls: 1, tokens: 10, usd: 1 } }, { onEvent: judgeMetricsListener(counters) }));
    await runJudgeInline(ctx, dayRun(T0, 'c'), poor);
    expect(server.requests).toHaveLength(0);
    expect(await value(registry, 'calls', { ...labels, outcome: 'budget' })).toBeGreaterThan(0);
  });
});
