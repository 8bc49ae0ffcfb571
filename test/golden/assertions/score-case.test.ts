import { describe, expect, it } from 'vitest';
import { scoreCase } from '../../../src/golden/assertions/index.ts';
import type { GoldenAssertion } from '../../../src/golden/types.ts';
import { mkCase, now } from './helpers.ts';

const pass = (type = 'contains', value = 'cat'): GoldenAssertion => ({ type, value });
const fail = (type = 'contains', value = 'dog'): GoldenAssertion => ({ type, value });

describe('scoreCase: weighted score and threshold (promptfoo semantics)', () => {
  it('without a threshold every assertion must pass; the score is the weighted mean', async () => {
    const r = await scoreCase(mkCase([pass(), fail(), { ...pass(), weight: 2 }]), { output: 'a cat' }, { now });
    expect(r.status).toBe('fail');
    expect(r.score).toBeCloseTo(3 / 4, 12);
    const ok = await scoreCase(mkCase([pass(), { ...pass('icontains', 'CAT'), weight: 3 }]), { output: 'a cat' }, { now });
    expect(ok.status).toBe('pass');
    expect(ok.score).toBe(1);
  });

  it('with a threshold the weighted score decides, whatever single assertions did', async () => {
    const asserts = [{ ...pass(), weight: 3 }, fail()]; // score 0.75
    expect((await scoreCase(mkCase(asserts, { threshold: 0.75 }), { output: 'a cat' }, { now })).status).toBe('pass');
    expect((await scoreCase(mkCase(asserts, { threshold: 0.76 }), { output: 'a cat' }, { now })).status).toBe('fail');
  });

  it('graded scores enter the mean as they are', async () => {
    // levenshtein ratio 4/7 (fails its own 0.8) + contains 1 → (4/7 + 1) / 2 ≈ 0.786
    const c = mkCase([{ type: 'levenshtein', value: 'kitten' }, { type: 'contains', value: 'sit' }], { threshold: 0.7 });
    const r = await scoreCase(c, { output: 'sitting' }, { now });
    expect(r.score).toBeCloseTo((4 / 7 + 1) / 2, 12);
    expect(r.status).toBe('pass');
    expect(r.assertions[0]!.pass).toBe(false);
  });

  it('a threshold met exactly passes despite float rounding', async () => {
    const asserts = [pass(), pass(), fail(), fail(), fail(), fail(), fail(), fail(), fail(), fail()];
    const r = await scoreCase(mkCase(asserts, { threshold: 0.2 }), { output: 'cat' }, { now });
    expect(r.status).toBe('pass');
  });

  it('a weight-0 assertion is reported but cannot fail the case', async () => {
    const r = await scoreCase(mkCase([pass(), { ...fail(), weight: 0, metric: 'tone' }]), { output: 'cat' }, { now });
    expect(r.status).toBe('pass');
    expect(r.score).toBe(1);
    expect(r.assertions[1]).toMatchObject({ pass: true, score: 0, weight: 0, metric: 'tone' });
  });

  it('suite default assertions run first, then the case', async () => {
    const r = await scoreCase(mkCase([pass()]), { output: 'a cat' }, { now }, [{ type: 'not-icontains', value: 'as an ai' }]);
    expect(r.assertions.map((a) => a.type)).toEqual(['not-icontains', 'contains']);
    const bad = await scoreCase(mkCase([pass()]), { output: 'As an AI, a cat' }, { now }, [{ type: 'not-icontains', value: 'as an ai' }]);
    expect(bad.status).toBe('fail');
  });

  it('a case without assertions passes with score 1', async () => {
    const r = await scoreCase(mkCase([]), { output: 'x' }, { now });
    expect(r).toMatchObject({ status: 'pass', score: 1, assertions: [] });
  });

  it('carries output, expected and the target figures', async () => {
    const r = await scoreCase(mkCase([pass()], { expected: 'a cat' }), { output: 'a cat', latencyMs: 12, tokens: { output: 3 }, costUsd: 0.001 }, { now });
    expect(r).toMatchObject({ caseId: 'c1', output: 'a cat', expected: 'a cat', latencyMs: 12, tokens: { output: 3 }, costUsd: 0.001 });
  });
});

describe('scoreCase: unmeasured is never a pass or a fail', () => {
  it('a target error leaves the case unmeasured with the error', async () => {
    const r = await scoreCase(mkCase([fail()]), { error: { kind: 'timeout', message: 'no answer in 60 s' }, latencyMs: 60_000 }, { now });
    expect(r).toMatchObject({ status: 'unmeasured', error: { kind: 'timeout' }, assertions: [] });
    expect(r.score).toBeUndefined();
  });

  it('no output at all is unmeasured too', async () => {
    const r = await scoreCase(mkCase([pass()]), {}, { now });
    expect(r.status).toBe('unmeasured');
    expect(r.error?.kind).toBe('no_output');
  });

  it('an empty string is an output, scored as such', async () => {
    const r = await scoreCase(mkCase([pass()]), { output: '' }, { now });
    expect(r.status).toBe('fail');
  });

  it('one unmeasured assertion makes the case unmeasured, even when the others pass', async () => {
    const r = await scoreCase(mkCase([pass(), { type: 'similar', value: 'a cat' }]), { output: 'a cat' }, { now });
    expect(r.status).toBe('unmeasured');
    expect(r.score).toBeUndefined();
    expect(r.assertions[1]).toMatchObject({ unmeasured: 'no_embeddings', pass: false });
    // No score at all, not a 0 that a report could show as a measured failure.
    expect(r.assertions[1]).not.toHaveProperty('score');
  });

  it('an unknown type that slipped past the loader is unmeasured, not a fail', async () => {
    const r = await scoreCase(mkCase([{ type: 'contian', value: 'x' }]), { output: 'x' }, { now });
    expect(r.status).toBe('unmeasured');
    expect(r.assertions[0]!.reason).toContain('did you mean "contains"');
  });

  it('a scorer that throws on a bad value is unmeasured', async () => {
    const r = await scoreCase(mkCase([{ type: 'regex', value: '(' }]), { output: 'x' }, { now });
    expect(r.status).toBe('unmeasured');
    expect(r.assertions[0]!.unmeasured).toBe('scorer_error');
  });
});
