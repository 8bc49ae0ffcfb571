import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import type { FlagAgg } from '../../src/drift/aggregate.ts';
import { rateCounts, rateTest, testRateStratified } from '../../src/drift/analyze-rate.ts';
import { isTest } from '../../src/drift/analyze-types.ts';
import { FLAG_FEATURES } from '../../src/drift/features.ts';

const opts = configSchema.parse({}).drift;
const refusal = FLAG_FEATURES.find((f) => f.name === 'refusal')!;
const agg = (n: number, k: number): FlagAgg => ({ n, w: n, w2: n, k, kw: k, ex1: [[1, 'r-yes']], ex0: [[2, 'r-no']] });

describe('testRateStratified (the all-routes rate test)', () => {
  it('is not fooled by a change of route mix when no route changed', () => {
    // Baseline: mostly the 1% route. Window: mostly the 5% route. Each route's own rate is unchanged.
    const strata = [
      { route: 'chat', window: [agg(200, 2)], baseline: rateCounts([agg(20_000, 200)]) },
      { route: 'answer', window: [agg(2_000, 100)], baseline: rateCounts([agg(4_000, 200)]) },
    ];
    const pooledNaive = rateTest(102 / 2200, 2200, 400 / 24_000, 24_000);
    expect(pooledNaive.pValue).toBeLessThan(1e-10);
    const t = testRateStratified('*', refusal, strata, opts);
    expect(isTest(t)).toBe(true);
    if (!isTest(t)) return;
    expect(t.test).toBe('cmh');
    expect(t.pValue).toBeGreaterThan(0.5);
    expect(t.effect.absoluteChange).toBeCloseTo(0, 10);
  });

  it('pools small routes that each change the same way', () => {
    const strata = ['a', 'b', 'c', 'd', 'e'].map((route) => ({ route, window: [agg(150, 5)], baseline: rateCounts([agg(25_000, 250)]) }));
    for (const s of strata) {
      const win = s.window[0] as FlagAgg;
      expect(rateTest(win.k / win.n, win.n, s.baseline.rate, s.baseline.n).pValue).toBeGreaterThan(0.001);
    }
    const t = testRateStratified('*', refusal, strata, opts);
    if (!isTest(t)) throw new Error('expected a test');
    expect(t.pValue).toBeLessThan(1e-5);
    expect(t.effectRatio).toBeGreaterThanOrEqual(1);
    expect(t.headline).toMatch(/across 5 routes, at the baseline route mix/);
    expect(t.examples).toEqual(['r-yes', 'r-yes', 'r-yes', 'r-yes', 'r-yes']);
  });

  it('reports insufficient data rather than no drift', () => {
    const t = testRateStratified('*', refusal, [{ route: 'a', window: [agg(2, 0)], baseline: rateCounts([agg(100, 1)]) }], opts);
    expect(t).toMatchObject({ reason: 'insufficient_data' });
  });
});
