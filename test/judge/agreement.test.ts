import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohenKappa, spearman } from '../../src/judge/agreement.ts';
import { bridgeJudges } from '../../src/judge/bridge.ts';
import { describeChanges } from '../../src/judge/bridge-run.ts';
import { topUpFrozen, type FrozenItem } from '../../src/judge/bridge-store.ts';
import { JudgeClient } from '../../src/judge/client.ts';
import { judgeDescriptor } from '../../src/judge/fingerprint.ts';
import { rebaselinedFinding } from '../../src/judge/findings.ts';
import { emptyJudgePartial, mergeJudgePartials, type JudgePartial } from '../../src/judge/partial.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { offTopic, onTopic, testJudgeConfig, testRubric } from './fixtures.ts';

describe('agreement statistics', () => {
  it("Cohen's kappa against a hand computation", () => {
    // po = 3/4; pA(a) = 1/2, pB(a) = 1/4 → pe = 1/2·1/4 + 1/2·3/4 = 1/2; κ = (3/4 − 1/2) / (1/2) = 1/2
    expect(cohenKappa(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b'])).toBeCloseTo(0.5, 14);
    // 2×2 table [[20, 5], [10, 15]]: po = 0.7, pe = 0.5·0.6 + 0.5·0.4 = 0.5 → κ = 0.4
    const a = [...Array(25).fill(true), ...Array(25).fill(false)];
    const b = [...Array(20).fill(true), ...Array(5).fill(false), ...Array(10).fill(true), ...Array(15).fill(false)];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 14);
    expect(cohenKappa(['x', 'y'], ['y', 'x'])).toBeCloseTo(-1, 14);
    // Both raters constant and equal: agreement cannot be told from chance.
    expect(cohenKappa([true, true], [true, true])).toBeUndefined();
    expect(cohenKappa([], [])).toBeUndefined();
  });

  it('Spearman with ties matches scipy.stats.spearmanr', () => {
    // scipy.stats.spearmanr([1,2,2,4,5,3],[2,2,3,4,4,1]).statistic
    expect(spearman([1, 2, 2, 4, 5, 3], [2, 2, 3, 4, 4, 1])).toBeCloseTo(0.5821543981758688, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeUndefined();
    expect(spearman([1], [1])).toBeUndefined();
  });

  it('frozen samples: top-up keeps existing items, k-smallest merge is order-free', () => {
    const item = (id: string, draw: number): FrozenItem => ({ id, route: 'r', response: id, draw, runId: 'x' });
    const existing = [item('a', 0.9)];
    const out = topUpFrozen(existing, [item('b', 0.5), item('a', 0.9), item('c', 0.1), item('d', 0.3)], 3);
    expect(out.map((i) => i.id)).toEqual(['a', 'c', 'd']);

    const part = (items: FrozenItem[]): JudgePartial => ({ ...emptyJudgePartial(), frozen: { rel: items }, frozenCap: 2 });
    const p1 = part([item('a', 0.4), item('b', 0.2)]);
    const p2 = part([item('c', 0.1), item('d', 0.3)]);
    const p3 = part([item('e', 0.05), item('b', 0.2)]);
    const left = mergeJudgePartials([mergeJudgePartials([p1, p2]), p3]);
    const right = mergeJudgePartials([p3, mergeJudgePartials([p2, p1])]);
    expect(left.frozen).toEqual(right.frozen);
    expect(left.frozen!.rel!.map((i) => i.id)).toEqual(['e', 'c']);
  });

  it('describes what changed between two judges', () => {
    const r = testRubric();
    const a = judgeDescriptor(testJudgeConfig('http://127.0.0.1:1/v1', { model: 'gpt-4o-2024-08-06' }), r, 'json_schema');
    const b = judgeDescriptor(testJudgeConfig('http://127.0.0.1:1/v1', { model: 'gpt-4o-2024-11-20' }), r, 'json_object');
    expect(describeChanges(a, b)).toEqual(['judge changed gpt-4o-2024-08-06 → gpt-4o-2024-11-20', 'output mode json_schema → json_object']);
  });
});

let oldServer: OpenAiServer;
let newServer: OpenAiServer;
let lenientServer: OpenAiServer;
beforeAll(async () => {
  oldServer = await startOpenAiServer({ judge: 'overlap' });
  // Serves only `judge-new`: any other model is a 404 model_not_found, like a retired snapshot.
  newServer = await startOpenAiServer({ judge: 'overlap', models: ['judge-new'] });
  lenientServer = await startOpenAiServer({ judge: () => ({ relevance: { reasoning: 'always 5', score: 5 }, grounded: { reasoning: 'yes', score: true } }) });
});
afterAll(async () => {
  await oldServer.close();
  await newServer.close();
  await lenientServer.close();
});

describe('bridgeJudges', () => {
  it('reports Spearman for integer and kappa for boolean dimensions, and the disagreeing items', async () => {
    const rubric = testRubric();
    const items = [onTopic, offTopic, { ...offTopic, id: 'r3' }, { ...onTopic, id: 'r4' }];
    const b = await bridgeJudges({
      rubric,
      items,
      oldJudge: new JudgeClient({ config: testJudgeConfig(oldServer.url) }),
      newJudge: new JudgeClient({ config: testJudgeConfig(newServer.url, { model: 'judge-new' }) }),
      oldFingerprint: 'old',
      newFingerprint: 'new',
    });
    expect(b.status).toBe('measured');
    expect(b.pairs).toBe(4);
    const rel = b.dimensions.find((d) => d.dimension === 'relevance')!;
    const grounded = b.dimensions.find((d) => d.dimension === 'grounded')!;
    // The same deterministic judge on both sides: perfect agreement, zero offset.
    expect(rel.exactAgreement).toBe(1);
    expect(rel.spearman).toBeCloseTo(1, 12);
    expect(rel.offset!.mean).toBe(0);
    expect(grounded.kappa).toBeCloseTo(1, 12);
    expect(grounded.spearman).toBeUndefined();
    expect(b.disagreements).toEqual([]);
  });

  it('re-scores a frozen sample with both judges and reports agreement and offset', async () => {
    const rubric = testRubric();
    const items = [onTopic, offTopic, { ...offTopic, id: 'r3' }, { ...onTopic, id: 'r4' }];
    const b = await bridgeJudges({
      rubric,
      items,
      oldJudge: new JudgeClient({ config: testJudgeConfig(oldServer.url) }),
      newJudge: new JudgeClient({ config: testJudgeConfig(lenientServer.url) }),
      oldFingerprint: 'old',
      newFingerprint: 'new',
    });
    const rel = b.dimensions.find((d) => d.dimension === 'relevance')!;
    expect(b.unmeasured).toBe(0);
    expect(rel.n).toBe(4);
    expect(rel.passAgreement).toBe(0.5);
    expect(rel.exactAgreement).toBe(0.5);
    expect(rel.offset!.mean).toBe(2); // (0 + 4 + 4 + 0) / 4
    expect(rel.offset!.ci[0]).toBeLessThan(2);
  });

  it('an old judge that is gone (404 model) makes the bridge unmeasured with that reason', async () => {
    const rubric = testRubric();
    newServer.requests.length = 0;
    const b = await bridgeJudges({
      rubric,
      items: [onTopic, offTopic, { ...onTopic, id: 'r4' }],
      oldJudge: new JudgeClient({ config: testJudgeConfig(newServer.url, { model: 'judge-retired' }) }),
      newJudge: new JudgeClient({ config: testJudgeConfig(newServer.url, { model: 'judge-new' }) }),
      oldFingerprint: 'old',
      newFingerprint: 'new',
    });
    expect(b.status).toBe('unmeasured');
    expect(b.reason).toBe('old_judge_unavailable');
    expect(b.oldUnavailable?.reason).toBe('model_not_found');
    expect(b.unscored.old.judge_unavailable).toBe(3);
    expect(b.unscored.new).toEqual({});
    // The new judge is not paid for items the old one cannot grade.
    expect(newServer.requests.filter((r) => r.body.model === 'judge-new')).toHaveLength(0);
    const f = rebaselinedFinding({
      v: 1,
      rubric: 'qa',
      old: { fingerprint: 'old', descriptor: judgeDescriptor(testJudgeConfig(newServer.url, { model: 'judge-retired' }), rubric, 'json_schema') },
      new: { fingerprint: 'new', descriptor: judgeDescriptor(testJudgeConfig(newServer.url, { model: 'judge-new' }), rubric, 'json_schema') },
      changes: ['judge changed judge-retired → judge-new'],
      approximations: [],
      status: b.status,
      reason: b.reason!,
      result: b,
      runId: 'r',
      at: 0,
    });
    expect(f.severity).toBe('info');
    expect(f.summary).toBe('qa: judge changed judge-retired → judge-new; agreement unmeasured (the previous judge can no longer be called: model_not_found); trends restart.');
  });
});
