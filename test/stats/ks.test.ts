import { describe, expect, it } from 'vitest';
import { ks2samp, ks2sampSorted, Mulberry32, SortedReference, sortedCopy, sortFloat64, StatsInputError } from '../../src/stats/index.ts';

function normals(n: number, mean: number, seed: number): Float64Array {
  const rng = new Mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + Math.sqrt(-2 * Math.log(rng.nextOpen53())) * Math.cos(2 * Math.PI * rng.next());
  return out;
}

describe('ks2samp input handling', () => {
  it('throws a typed empty error', () => {
    const err = (() => {
      try {
        ks2samp([], [1, 2]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(StatsInputError);
    expect((err as StatsInputError).code).toBe('STATS_INPUT');
    expect((err as StatsInputError).subcode).toBe('empty');
  });

  it('rejects NaN instead of reporting a fake "no drift" (small and radix-sized inputs)', () => {
    expect(() => ks2samp([1, NaN, 3], [1, 2])).toThrow(/x\[1\] is NaN/);
    const big = normals(6000, 0, 1);
    big[4321] = NaN;
    let err: unknown = null;
    try {
      ks2samp([1, 2, 3], big);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatsInputError);
    expect((err as StatsInputError).subcode).toBe('nan');
    expect((err as Error).message).toContain('y[4321]');
  });

  it('does not mutate its inputs', () => {
    const x = [3, 1, 2];
    const y = new Float64Array(normals(7000, 0, 2));
    const yCopy = y.slice();
    ks2samp(x, y);
    expect(x).toEqual([3, 1, 2]);
    expect(y).toEqual(yCopy);
  });

  it('accepts infinities', () => {
    const r = ks2samp([-Infinity, 0, Infinity], [1, 2, Infinity]);
    expect(r.statistic).toBeCloseTo(2 / 3, 15);
  });

  it('validates options', () => {
    expect(() => ks2samp([1], [2], { alternative: 'sideways' as never })).toThrowError(StatsInputError);
    expect(() => ks2samp([1], [2], { method: 'magic' as never })).toThrowError(StatsInputError);
  });

  it('reports the exact -> asymp switch like scipy warns', () => {
    // lcm of sizes too large for the exact lattice: scipy switches to asymp with a RuntimeWarning.
    const x = normals(50000, 0, 3);
    const y = normals(49999, 0, 4);
    const r = ks2samp(x, y, { method: 'exact' });
    expect(r.method).toBe('asymp');
    expect(r.warning).toMatch(/Switching to 'asymp'/);
  });
});

describe('ks2sampSorted', () => {
  it('matches ks2samp exactly and validates the cached reference', () => {
    const ref = normals(20000, 0, 5);
    const win = normals(3000, 0.05, 6);
    const sorted = sortedCopy(ref, 'ref');
    for (const alternative of ['two-sided', 'less', 'greater'] as const) {
      expect(ks2sampSorted(sorted, win, { alternative })).toEqual(ks2samp(ref, win, { alternative }));
    }
    expect(() => ks2sampSorted(ref, win)).toThrow(/not sorted/);
    const bad = sorted.slice();
    bad[10] = NaN;
    expect(() => ks2sampSorted(bad, win)).toThrowError(StatsInputError);
  });

  // Its speed (< 30 ms) is measured by bench/ks.ts, never asserted in a test; here, that the
  // cached-reference path gives ks2samp's numbers at that size.
  it('10^6 cached reference vs 10^4 window equals ks2samp on the same data', () => {
    const values = normals(1_000_000, 0, 7);
    const ref = new SortedReference(values);
    const win = normals(10_000, 0.01, 8);
    const cached = ks2sampSorted(ref, win);
    const plain = ks2samp(values, win);
    expect(cached.statistic).toBe(plain.statistic);
    expect(cached.pValue).toBe(plain.pValue);
    expect(cached.method).toBe('asymp');
  });
});

describe('small window vs big reference (binary-search path)', () => {
  it('gives the same extremes as the full merge walk, with heavy ties', () => {
    const rng = new Mulberry32(21);
    for (let t = 0; t < 200; t++) {
      const n1 = 2000 + Math.floor(rng.next() * 3000);
      const n2 = 1 + Math.floor(rng.next() * 60);
      const levels = 5 + Math.floor(rng.next() * 200);
      const x = Array.from({ length: n1 }, () => Math.floor(rng.next() * levels));
      const y = Array.from({ length: n2 }, () => Math.floor(rng.next() * levels) + (t % 3 === 0 ? 0.5 : 0));
      // ks2samp(x, y) searches (y is small); ks2samp(y, x) walks. Swapping flips the sign of F_x - F_y.
      const searched = ks2samp(x, y, { alternative: 'greater', method: 'asymp' });
      const walked = ks2samp(y, x, { alternative: 'less', method: 'asymp' });
      expect(searched.statistic).toBe(walked.statistic);
      const s2 = ks2samp(x, y, { alternative: 'less', method: 'asymp' });
      const w2 = ks2samp(y, x, { alternative: 'greater', method: 'asymp' });
      expect(s2.statistic).toBe(w2.statistic);
      expect(ks2sampSorted(new SortedReference(x), y)).toEqual(ks2samp(x, y));
    }
  });
});

/** scipy's definition, literally: cdf differences at every pooled value, first argmax/argmin of concat(x, y). */
function scipyStatistic(x: number[], y: number[], alternative: 'two-sided' | 'less' | 'greater') {
  const a = [...x].sort((p, q) => p - q);
  const b = [...y].sort((p, q) => p - q);
  const right = (s: number[], v: number) => s.filter((u) => u <= v).length;
  const all = [...a, ...b];
  const diffs = all.map((v) => right(a, v) / a.length - right(b, v) / b.length);
  const iMax = diffs.indexOf(Math.max(...diffs));
  const iMin = diffs.indexOf(Math.min(...diffs));
  const maxS = diffs[iMax] as number;
  const minS = Math.min(Math.max(-(diffs[iMin] as number), 0), 1);
  if (alternative === 'less' || (alternative === 'two-sided' && minS > maxS)) return { d: minS, loc: all[iMin], sign: -1 };
  return { d: maxS, loc: all[iMax], sign: 1 };
}

describe('ECDF extremes against the literal scipy definition', () => {
  it('statistic, location and sign for every size ratio, with heavy ties', () => {
    const rng = new Mulberry32(33);
    let checked = 0;
    for (let t = 0; t < 300; t++) {
      // Sizes from 1 to 400 on each side, so both long runs (size ratio > 100) and interleaving occur.
      const n1 = 1 + Math.floor(rng.next() ** 3 * 400);
      const n2 = 1 + Math.floor(rng.next() ** 3 * 400);
      const levels = 1 + Math.floor(rng.next() * 80);
      const x = Array.from({ length: n1 }, () => Math.floor(rng.next() * levels));
      const y = Array.from({ length: n2 }, () => Math.floor(rng.next() * levels) + (t % 3 === 0 ? 0.5 : 0));
      for (const alternative of ['two-sided', 'less', 'greater'] as const) {
        const r = ks2samp(x, y, { alternative, method: 'asymp' });
        const want = scipyStatistic(x, y, alternative);
        expect(r.statistic).toBe(want.d);
        expect(r.statisticLocation).toBe(want.loc);
        expect(r.statisticSign).toBe(want.sign);
        checked++;
      }
    }
    expect(checked).toBe(900);
  });
});

describe('sortFloat64 / sortedCopy', () => {
  it('agrees with the numeric sort including signed zeros, infinities and subnormals', () => {
    const rng = new Mulberry32(9);
    const a = new Float64Array(20000);
    for (let i = 0; i < a.length; i++) {
      const k = i % 10;
      a[i] = k === 0 ? 0 : k === 1 ? -0 : k === 2 ? (rng.next() - 0.5) * 1e-310 : (rng.next() - 0.5) * 10 ** (rng.next() * 20 - 10);
    }
    a[5] = Infinity;
    a[6] = -Infinity;
    const expected = a.slice().sort();
    const got = sortedCopy(a, 'a');
    for (let i = 0; i < a.length; i++) expect(got[i] === expected[i]).toBe(true);
    expect(sortFloat64(a.slice())).toEqual(got);
  });
});
