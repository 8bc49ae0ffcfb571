import { describe, expect, it } from 'vitest';
import { weightedMean, wilson } from '../../src/judge/estimate.ts';
import { qualityRegressions, type QualityCell } from '../../src/judge/regression.ts';
import { planSample, selectionDraw } from '../../src/judge/sampling.ts';
import { meanPairwiseSimilarity } from '../../src/judge/consistency.ts';
import { mergeJudgePartials, emptyJudgePartial } from '../../src/judge/partial.ts';

describe('Horvitz-Thompson weighting against hand-computed values', () => {
  // Route A judged at rate 0.5 of fully captured traffic → weight 2; route B judged at rate 0.1
  // of traffic captured at sample_rate 0.5 → weight 1 / (0.5 × 0.1) = 20. Reference values from
  // numpy/scipy (see the numbers in the comments).
  const rows = [
    { weight: 2, value: 5 },
    { weight: 2, value: 4 },
    { weight: 2, value: 4 },
    { weight: 20, value: 2 },
    { weight: 20, value: 3 },
  ];

  it('weighted mean, linearised SE, t interval, Kish n', () => {
    const e = weightedMean(rows)!;
    expect(e.estimate).toBeCloseTo(2.739130434782609, 14); // 126 / 46
    expect(e.se).toBeCloseTo(0.4059103408634472, 14);
    expect(e.ci[0]).toBeCloseTo(1.612142655743123, 12);
    expect(e.ci[1]).toBeCloseTo(3.8661182138220944, 12);
    expect(e.nEff).toBeCloseTo(2.605911330049261, 14);
    expect(e.represented).toBe(46);
    expect(e.n).toBe(5);
  });

  it('the unweighted mean would be wrong: the rare-but-heavy route dominates', () => {
    const naive = rows.reduce((s, r) => s + r.value, 0) / rows.length;
    expect(naive).toBeCloseTo(3.6, 12);
    expect(weightedMean(rows)!.estimate).toBeLessThan(3);
  });

  it('pass rate with a Wilson interval on the Kish n', () => {
    const pass = [1, 1, 0, 1, 0].map((value, i) => ({ weight: rows[i]!.weight, value }));
    const e = weightedMean(pass, 'rate')!;
    expect(e.estimate).toBeCloseTo(0.5217391304347826, 14);
    expect(e.ci[0]).toBeCloseTo(0.1229878142887948, 12);
    expect(e.ci[1]).toBeCloseTo(0.8945853186261463, 12);
    const all = wilson(1, 20);
    expect(all[1]).toBe(1);
    expect(all[0]).toBeGreaterThan(0.8);
  });

  it('one scored capture is not an estimate', () => {
    expect(weightedMean([{ weight: 1, value: 5 }])).toBeUndefined();
    expect(weightedMean([])).toBeUndefined();
  });
});

describe('sampling', () => {
  it('draws are deterministic and uniform', () => {
    expect(selectionDraw('s', 'req-1')).toBe(selectionDraw('s', 'req-1'));
    expect(selectionDraw('s', 'req-1')).not.toBe(selectionDraw('t', 'req-1'));
    let sum = 0;
    let below = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = selectionDraw('s', `r${i}`);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      if (u < 0.1) below++;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
    expect(below / 20_000).toBeCloseTo(0.1, 1);
  });

  const pricing = { inputPerMTok: 0, outputPerMTok: 0 };
  const counts = { r: { big: { population: 10_000, flagged: 0, chars: 0 }, rare: { population: 50, flagged: 10, chars: 0 } } };
  const base = { counts, sizing: () => ({ targetPerRoute: 100, minPerRoute: 20, flaggedPerRoute: 5 }), dimensions: () => 1, pricing, overheadChars: () => 0 };

  it('gives every route about the same number of judgments: rare routes oversampled', () => {
    const p = planSample({ ...base, budget: { calls: 1e9, tokens: 1e12, usd: 1e9 } });
    expect(p.rates.r!.big!.population).toBe(0.01);
    expect(p.rates.r!.rare!.population).toBe(1);
    expect(p.rates.r!.rare!.flagged).toBe(0.5);
    expect(p.estimate.calls).toBe(100 + 50 + 5);
    expect(p.scale).toBe(1);
  });

  it('over budget, shrinks towards the minimum first, flagged before population', () => {
    // 60 calls: big and rare both shrink by the same scale s: (20 + 80s) + min(50, 20 + 80s) + 5s.
    const p = planSample({ ...base, budget: { calls: 60, tokens: 1e12, usd: 1e9 } });
    expect(p.limitedBy).toBe('calls');
    expect(p.estimate.calls).toBeLessThanOrEqual(60);
    expect(p.estimate.calls).toBeGreaterThan(59.9);
    expect(p.belowMinimum).toBe(false);
    expect(p.rates.r!.big!.population * 10_000).toBeGreaterThanOrEqual(20);
    const tiny = planSample({ ...base, budget: { calls: 10, tokens: 1e12, usd: 1e9 } });
    expect(tiny.belowMinimum).toBe(true);
    expect(tiny.rates.r!.rare!.flagged).toBe(0);
    expect(tiny.estimate.calls).toBeLessThanOrEqual(10);
  });
});

describe('regressions against history', () => {
  const cell = (estimate: number, n = 100): QualityCell => ({
    fingerprint: 'fp',
    rubric: 'relevance',
    route: 'chat',
    dimension: 'relevance',
    metric: 'mean',
    estimate,
    se: 0.05,
    ci: [estimate - 0.1, estimate + 0.1],
    n,
    nEff: n,
    scale: 4,
  });
  const history = [4.5, 4.6, 4.55, 4.5, 4.62].map((estimate, i) => ({ at: i, estimate, se: 0.05, n: 100 }));
  const opts = { alpha: 0.01, minN: 30, minHistoryDays: 5, minEffect: 0.05 };

  it('a drop well outside the run-to-run spread is a regression; a wobble is not', () => {
    const r = qualityRegressions([cell(3.9), { ...cell(4.52), route: 'other' }], () => history, opts);
    expect(r.tests[0]!.significant).toBe(true);
    expect(r.tests[0]!.drop).toBeCloseTo(4.554 - 3.9, 12);
    expect(r.tests[1]!.significant).toBe(false);
  });

  it('too few captures or too little history is reported, never "no regression"', () => {
    const r = qualityRegressions([cell(3, 10), cell(3)], (c) => (c.n === 10 ? history : history.slice(0, 2)), opts);
    expect(r.tests).toHaveLength(0);
    expect(r.unmeasured.map((u) => u.reason)).toEqual(['insufficient_data', 'no_history']);
  });
});

describe('partials and self-consistency', () => {
  it('merge is order independent and keeps a duplicated judgment once', () => {
    const a = { ...emptyJudgePartial(), rows: [{ rubric: 'r', route: 'x', id: '2', fingerprint: 'f', population: true, weight: 1, status: 'scored' as const }] };
    const b = { ...emptyJudgePartial(), rows: [{ rubric: 'r', route: 'x', id: '1', fingerprint: 'f', population: true, weight: 1, status: 'scored' as const }, a.rows[0]!] };
    expect(mergeJudgePartials([a, b])).toEqual(mergeJudgePartials([b, a]));
    expect(mergeJudgePartials([a, b]).rows.map((r) => r.id)).toEqual(['1', '2']);
  });

  it('similarity of re-runs', () => {
    expect(meanPairwiseSimilarity(['the cat sat', 'the cat sat', 'the cat sat'])).toBe(1);
    expect(meanPairwiseSimilarity(['the cat sat', 'the cat sat', 'a dog ran'])).toBeCloseTo(1 / 3, 12);
  });
});
