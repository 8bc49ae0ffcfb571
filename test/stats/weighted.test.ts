import { describe, expect, it } from 'vitest';
import { kishEffectiveSampleSize, ks2samp, ks2sampWeighted, Mulberry32, StatsInputError, weightedEcdf } from '../../src/stats/index.ts';

describe('weighted KS', () => {
  it('weightedEcdf merges ties and normalises', () => {
    const e = weightedEcdf([3, 1, 2, 1], [1, 1, 1, 1]);
    expect([...e.values]).toEqual([1, 2, 3]);
    expect([...e.cdf]).toEqual([0.5, 0.75, 1]);
    expect(weightedEcdf([3, 1, 2], [1, 2, 1]).cdf[0]).toBe(0.5);
  });

  it('Kish effective size', () => {
    expect(kishEffectiveSampleSize([2, 2, 2, 2])).toBe(4);
    expect(kishEffectiveSampleSize([1, 1, 1, 9])).toBeCloseTo(144 / 84, 14);
    expect(() => kishEffectiveSampleSize([0, 0])).toThrowError(StatsInputError);
  });

  it('equal weights reproduce ks2samp (statistic exactly, asymptotic p-value)', () => {
    const rng = new Mulberry32(11);
    for (const [n1, n2] of [
      [40, 55],
      [300, 300],
      [1000, 700],
    ] as const) {
      const x = Array.from({ length: n1 }, () => Math.round(rng.next() * 50) / 10);
      const y = Array.from({ length: n2 }, () => Math.round((rng.next() + 0.05) * 50) / 10);
      for (const alternative of ['two-sided', 'less', 'greater'] as const) {
        const w = ks2sampWeighted(x, new Array(n1).fill(0.3), y, new Array(n2).fill(2.5), { alternative });
        const plain = ks2samp(x, y, { alternative, method: 'asymp' });
        expect(w.statistic).toBe(plain.statistic);
        expect(w.statisticLocation).toBe(plain.statisticLocation);
        expect(w.statisticSign).toBe(plain.statisticSign);
        expect(Math.abs(w.pValue - plain.pValue)).toBeLessThanOrEqual(1e-12 * Math.max(plain.pValue, 1e-300) + 1e-15);
      }
    }
  });

  it('weights change the statistic and the effective size', () => {
    const r = ks2sampWeighted([1, 2, 3, 4], [1, 1, 1, 5], [1, 2, 3, 4], [1, 1, 1, 1]);
    expect(r.statistic).toBe(0.375); // F_x(3) = 3/8 vs F_y(3) = 3/4
    expect(r.effectiveSizes[0]).toBeCloseTo(64 / 28, 12);
  });

  it('rejects bad weights', () => {
    expect(() => ks2sampWeighted([1], [-1], [1], [1])).toThrowError(StatsInputError);
    expect(() => ks2sampWeighted([1, 2], [1], [1], [1])).toThrow(/weights/);
    expect(() => ks2sampWeighted([NaN], [1], [1], [1])).toThrowError(StatsInputError);
  });
});
