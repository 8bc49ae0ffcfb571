import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binomialPower, chiSquarePowerApprox, normalPower } from '../../src/stats/power.ts';
import { welchTTest, welchTTestFromMoments, type MomentSummary } from '../../src/stats/welch.ts';
import type { Alternative } from '../../src/stats/index.ts';

interface Reference {
  welch: { name: string; x: number[]; y: number[]; alternative: Alternative; statistic: number; pValue: number; df: number }[];
  welchMoments: { a: MomentSummary; b: MomentSummary; statistic: number; pValue: number }[];
  binomialPower: { n: number; p0: number; p1: number; level: number; critical: number | null; power: number }[];
  normalPower: { lambda: number; level: number; power: number }[];
  chiSquarePower: { lambda: number; df: number; level: number; power: number }[];
}

const ref = JSON.parse(readFileSync(new URL('../fixtures/stats/drift-reference.json', import.meta.url), 'utf8')) as Reference;
const close = (got: number, want: number) => Math.abs(got - want) <= Math.max(1e-14, 1e-9 * Math.abs(want));

describe('welchTTest against scipy.stats.ttest_ind(equal_var=False) (scripts/stats/make_drift_reference.py)', () => {
  it('has at least 20 cases', () => expect(ref.welch.length).toBeGreaterThanOrEqual(20));
  for (const c of ref.welch) {
    it(c.name, () => {
      const r = welchTTest(c.x, c.y, c.alternative);
      expect(close(r.statistic, c.statistic), `t ${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(close(r.pValue, c.pValue), `p ${r.pValue} vs ${c.pValue}`).toBe(true);
      expect(close(r.df, c.df), `df ${r.df} vs ${c.df}`).toBe(true);
    });
  }
  it('from summaries equals ttest_ind_from_stats', () => {
    for (const c of ref.welchMoments) {
      const r = welchTTestFromMoments(c.a, c.b);
      expect(close(r.statistic, c.statistic), `t ${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(close(r.pValue, c.pValue), `p ${r.pValue} vs ${c.pValue}`).toBe(true);
    }
  });
  it('refuses NaN and samples of one', () => {
    expect(() => welchTTest([1, NaN, 2], [1, 2])).toThrow(/NaN/);
    expect(() => welchTTest([1], [1, 2, 3])).toThrow(/at least 2/);
  });
  it('constant samples: NaN when equal, a zero p-value when the means differ (as scipy)', () => {
    expect(welchTTest([2, 2, 2], [2, 2]).pValue).toBeNaN();
    const r = welchTTest([3, 3, 3], [2, 2]);
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
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
