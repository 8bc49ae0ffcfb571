import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binomialPower, chiSquarePowerApprox, normalPower } from '../../src/stats/power.ts';
import { mannWhitneyU, mannWhitneyUSorted } from '../../src/stats/mann-whitney.ts';
import type { Alternative } from '../../src/stats/index.ts';

interface Reference {
  mannWhitney: { name: string; x: number[]; y: number[]; alternative: Alternative; continuity: boolean; statistic: number; pValue: number }[];
  binomialPower: { n: number; p0: number; p1: number; level: number; critical: number | null; power: number }[];
  normalPower: { lambda: number; level: number; power: number }[];
  chiSquarePower: { lambda: number; df: number; level: number; power: number }[];
}

const ref = JSON.parse(readFileSync(new URL('../fixtures/stats/drift-reference.json', import.meta.url), 'utf8')) as Reference;
const close = (got: number, want: number) => Math.abs(got - want) <= Math.max(1e-14, 1e-9 * Math.abs(want));

describe('mannWhitneyU against scipy.stats.mannwhitneyu(method="asymptotic") (scripts/stats/make_drift_reference.py)', () => {
  it('has at least 25 cases', () => expect(ref.mannWhitney.length).toBeGreaterThanOrEqual(25));
  for (const c of ref.mannWhitney) {
    it(c.name, () => {
      const r = mannWhitneyU(c.x, c.y, { alternative: c.alternative, continuity: c.continuity });
      expect(close(r.statistic, c.statistic), `U ${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(close(r.pValue, c.pValue), `p ${r.pValue} vs ${c.pValue}`).toBe(true);
      // The sorted variant (what drift calls) gives the same numbers.
      const sorted = mannWhitneyUSorted(
        Float64Array.from(c.x).sort(),
        Float64Array.from(c.y).sort(),
        { alternative: c.alternative, continuity: c.continuity },
      );
      expect(sorted).toEqual(r);
    });
  }
  it('refuses NaN, empty and unsorted input', () => {
    expect(() => mannWhitneyU([1, NaN, 2], [1, 2])).toThrow(/NaN/);
    expect(() => mannWhitneyU([], [1, 2])).toThrow();
    expect(() => mannWhitneyUSorted([2, 1], [1, 2])).toThrow(/sorted/);
  });
});

describe('power functions against scipy', () => {
  it('binomialPower: critical count and power equal scipy.stats.binom', () => {
    for (const c of ref.binomialPower) {
      const r = binomialPower(c.n, c.p0, c.p1, c.level);
      expect(c.critical === null ? Number.isNaN(r.critical) : r.critical === c.critical, `critical ${r.critical} vs ${c.critical} (${JSON.stringify(c)})`).toBe(true);
      expect(close(r.power, c.power), `power ${r.power} vs ${c.power} (${JSON.stringify(c)})`).toBe(true);
    }
  });
  it('normalPower equals Φ(λ − z) + Φ(−λ − z)', () => {
    for (const c of ref.normalPower) expect(close(normalPower(c.lambda, c.level), c.power), JSON.stringify(c)).toBe(true);
  });
  it('chiSquarePowerApprox is within 0.02 of scipy.stats.ncx2 (an approximation, used for a policy only)', () => {
    for (const c of ref.chiSquarePower) expect(Math.abs(chiSquarePowerApprox(c.lambda, c.df, c.level) - c.power), JSON.stringify(c)).toBeLessThan(0.02);
  });
});
