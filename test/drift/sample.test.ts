import { describe, expect, it } from 'vitest';
import type { NumericAgg } from '../../src/drift/aggregate.ts';
import { assembleSample, log1pScale, robustScale, weightedQuantile, type WeightedSample } from '../../src/drift/sample.ts';
import { mulberry32 } from '../../src/stats/index.ts';

/** An hour's numeric aggregate with only what sampling reads: n and the key-sorted sample columns. */
function hour(rand: () => number, o: { rows: number; k: number; weights?: 'none' | 'equal' | 'mixed'; ties?: boolean }): NumericAgg {
  // The k smallest of `rows` uniform keys lie below about k/rows of the key range.
  const range = o.rows > o.k ? (2 ** 53 * o.k) / o.rows : 2 ** 53;
  const keys = Array.from({ length: Math.min(o.rows, o.k) }, () => Math.floor(rand() * range)).sort((a, b) => a - b);
  const v = keys.map(() => (o.ties ? Math.floor(rand() * 4) : rand() * 100 - 5));
  const w = o.weights === 'equal' ? keys.map(() => 2.5) : o.weights === 'mixed' ? keys.map(() => (rand() < 0.5 ? 1 : 4)) : undefined;
  return { n: o.rows, r: { k: keys, v, ...(w ? { w } : {}) } } as unknown as NumericAgg;
}

/**
 * The definition, written plainly: the common threshold τ (smallest k-th key among hours with
 * more rows than their sample), every row at or below it, stably sorted by (mapped) value.
 */
function reference(aggs: readonly NumericAgg[], map?: (x: number) => number): { values: number[]; weights: number[] } {
  let tau = Infinity;
  for (const a of aggs) if (a.n > a.r.k.length && a.r.k.length > 0) tau = Math.min(tau, a.r.k[a.r.k.length - 1] as number);
  const rows = aggs.flatMap((a) => a.r.k.map((key, i) => ({ key, v: map ? map(a.r.v[i] as number) : (a.r.v[i] as number), w: a.r.w?.[i] ?? 1 })));
  const kept = rows.filter((r) => r.key <= tau).sort((a, b) => a.v - b.v);
  return { values: kept.map((r) => r.v), weights: kept.map((r) => r.w) };
}

/** Values in order; weights as a multiset per value (ties between equal values may come in any order). */
function comparable(s: WeightedSample | ReturnType<typeof reference>) {
  const byValue = new Map<number, number[]>();
  Array.from(s.values).forEach((v, i) => byValue.set(v, [...(byValue.get(v) ?? []), s.weights[i] as number].sort((a, b) => a - b)));
  return { values: Array.from(s.values), weights: [...byValue] };
}

describe('assembleSample (coordinated bottom-k samples of many hours → one sorted sample)', () => {
  const rand = mulberry32(11);
  const cases: [string, NumericAgg[]][] = [
    ['unweighted, busy and quiet hours (τ cuts the busy ones)', [hour(rand, { rows: 5000, k: 512 }), hour(rand, { rows: 300, k: 512 }), hour(rand, { rows: 900, k: 512 })]],
    ['equal weights of 2.5', [hour(rand, { rows: 4000, k: 256, weights: 'equal' }), hour(rand, { rows: 2000, k: 256, weights: 'equal' })]],
    ['mixed weights', [hour(rand, { rows: 4000, k: 256, weights: 'mixed' }), hour(rand, { rows: 100, k: 256, weights: 'mixed' })]],
    ['equal weights that differ between hours', [hour(rand, { rows: 3000, k: 128 }), hour(rand, { rows: 3000, k: 128, weights: 'equal' })]],
    ['tied values', [hour(rand, { rows: 3000, k: 200, ties: true }), hour(rand, { rows: 3000, k: 200, ties: true })]],
    ['no hour over its sample size (no threshold)', [hour(rand, { rows: 50, k: 512 }), hour(rand, { rows: 70, k: 512 })]],
  ];

  for (const [name, aggs] of cases) {
    it(`equals the plain definition: ${name}`, () => {
      for (const map of [undefined, log1pScale]) {
        const got = assembleSample(aggs, map);
        const want = reference(aggs, map);
        expect(got.values.length).toBe(want.values.length);
        expect(comparable(got)).toEqual(comparable(want));
        const sw = want.weights.reduce((t, w) => t + w, 0);
        const sw2 = want.weights.reduce((t, w) => t + w * w, 0);
        expect(got.ess).toBeCloseTo((sw * sw) / sw2, 9);
        // Asking again with the same hours (cached runs) gives the same sample.
        expect(comparable(assembleSample(aggs, map))).toEqual(comparable(got));
      }
    });
  }

  it('an hour cached under one threshold is cut again under another', () => {
    // Mixed weights: the per-hour sorted runs (cached by hour and rows kept) are what is merged.
    const busy = hour(rand, { rows: 10_000, k: 512, weights: 'mixed' });
    // A quiet-sampled hour with a much smaller k-th key: τ drops and cuts the busy hour's sample.
    const sparse = hour(rand, { rows: 20_000, k: 64, weights: 'mixed' });
    const alone = assembleSample([busy]);
    expect(alone.values.length).toBe(512);
    const both = assembleSample([busy, sparse]);
    expect(both.values.length).toBeLessThan(200);
    expect(comparable(both)).toEqual(comparable(reference([busy, sparse])));
    expect(comparable(assembleSample([busy]))).toEqual(comparable(alone));
  });
});

describe('robustScale', () => {
  const sample = (values: number[], weights: number[]): WeightedSample => ({
    values: Float64Array.from(values),
    weights: Float64Array.from(weights),
    equalWeights: weights.every((w) => w === weights[0]),
    ess: 0,
  });
  /** Weighted standard deviation, written plainly. */
  const sd = (values: number[], weights: number[]) => {
    const t = weights.reduce((a, w) => a + w, 0);
    const m = values.reduce((a, v, i) => a + (weights[i] as number) * v, 0) / t;
    return Math.sqrt(values.reduce((a, v, i) => a + (weights[i] as number) * (v - m) ** 2, 0) / t);
  };

  it('is the IQR when there is one', () => {
    expect(robustScale(sample([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1, 1, 1]))).toBe(4);
  });

  it('has no MAD step: wherever the IQR is 0, the weighted MAD, written plainly, is 0 too', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let iqrZero = 0;
    for (let trial = 0; trial < 400; trial++) {
      const n = 4 + Math.floor(next() * 60);
      const share = 0.3 + next() * 0.5;
      const values = Array.from({ length: n }, () => (next() < share ? 3 : Math.round(next() * 40) / 4)).sort((a, b) => a - b);
      const weights = values.map(() => (next() < 0.5 ? 1 : 0.5 + Math.round(next() * 8) / 2));
      const s = sample(values, weights);
      if (weightedQuantile(s, 0.75) - weightedQuantile(s, 0.25) > 0) continue;
      iqrZero++;
      const med = weightedQuantile(s, 0.5);
      const order = values.map((v, i) => [Math.abs(v - med), weights[i] as number] as const).sort((a, b) => a[0] - b[0]);
      expect(weightedQuantile(sample(order.map((o) => o[0]), order.map((o) => o[1])), 0.5)).toBe(0);
    }
    expect(iqrZero).toBeGreaterThan(50);
  });

  it('with a dominant value (IQR 0, so MAD 0 too) is the standard deviation, with equal or unequal weights', () => {
    const values = [0, 0, 0, 0, 0, 0, 10, 20];
    for (const weights of [values.map(() => 1), values.map(() => 2.5), [1, 3, 1, 3, 1, 3, 2, 1]]) {
      expect(robustScale(sample(values, weights))).toBeCloseTo(sd(values, weights), 12);
    }
  });
});

describe('weightedQuantile (lower value at a step of the weighted ECDF)', () => {
  /** The definition as a loop: the first value whose running weight reaches q of the total. */
  function plain(values: Float64Array, weights: Float64Array, q: number): number {
    let total = 0;
    for (const w of weights) total += w;
    let cum = 0;
    for (let i = 0; i < values.length; i++) {
      cum += weights[i] as number;
      if (cum >= q * total - 1e-12 * total) return values[i] as number;
    }
    return values[values.length - 1] as number;
  }

  it('equals the loop for unit, equal and mixed weights, at every step boundary', () => {
    const rand = mulberry32(3);
    for (const n of [1, 2, 7, 100, 1000]) {
      const values = Float64Array.from({ length: n }, () => Math.floor(rand() * 50)).sort();
      for (const weights of [new Float64Array(n).fill(1), new Float64Array(n).fill(2.5), Float64Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 3))]) {
        const s: WeightedSample = { values, weights, equalWeights: true, ess: n };
        // Every q that lands exactly on a step (i / n), and others between and beyond.
        const qs = [0, 1, 0.25, 0.5, 0.75, 0.95, 0.999, ...Array.from({ length: Math.min(n, 50) + 1 }, (_, i) => i / Math.min(n, 50))];
        for (const q of qs) expect(weightedQuantile(s, q)).toBe(plain(values, weights, q));
      }
    }
    expect(weightedQuantile({ values: new Float64Array(0), weights: new Float64Array(0), equalWeights: true, ess: 0 }, 0.5)).toBeNaN();
  });
});

