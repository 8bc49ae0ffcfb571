import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../src/stats/paired-bootstrap.ts';
import { StatsInputError } from '../../src/stats/errors.ts';

interface BootCase {
  name: string;
  baseline: number[];
  current: number[];
  meanDiff: number;
  lower: number;
  upper: number;
  se: number;
}

const reference = JSON.parse(readFileSync(new URL('../fixtures/stats/golden-reference.json', import.meta.url), 'utf8')) as { bootstrap: BootCase[] };

describe('pairedBootstrap against scipy.stats.bootstrap(paired=True, method="percentile")', () => {
  it('has reference cases', () => expect(reference.bootstrap.length).toBeGreaterThanOrEqual(4));
  for (const r of reference.bootstrap) {
    it(r.name, () => {
      const got = pairedBootstrap(r.baseline, r.current, { resamples: 20_000, seed: 11 });
      expect(got.meanDiff).toBeCloseTo(r.meanDiff, 12);
      // Different random streams: the 2.5% / 97.5% quantiles of 20,000 resamples agree to a
      // small fraction of the standard error (Monte-Carlo sd ≈ 0.03·se on each side).
      const tol = 0.15 * r.se;
      expect(Math.abs(got.lower - r.lower), `lower ${got.lower} vs ${r.lower} (se ${r.se})`).toBeLessThanOrEqual(tol);
      expect(Math.abs(got.upper - r.upper), `upper ${got.upper} vs ${r.upper} (se ${r.se})`).toBeLessThanOrEqual(tol);
    });
  }

  it('is reproducible for a seed and differs for another', () => {
    const base = Array.from({ length: 50 }, (_, i) => (i % 7) / 7);
    const cur = base.map((v, i) => Math.max(0, v - (i % 3) * 0.1));
    const a = pairedBootstrap(base, cur, { seed: 3 });
    expect(pairedBootstrap(base, cur, { seed: 3 })).toEqual(a);
    expect(pairedBootstrap(base, cur, { seed: 4 }).lower).not.toBe(a.lower);
    expect(a.resamples).toBe(2_000);
  });

  it('collapses to the observed difference when every pair moves alike', () => {
    const r = pairedBootstrap([0.2, 0.5, 0.9], [0.1, 0.4, 0.8]);
    expect(r.lower).toBeCloseTo(-0.1, 12);
    expect(r.upper).toBeCloseTo(-0.1, 12);
    expect(r.shareBelowZero).toBe(1);
  });

  it('refuses mismatched, empty and NaN input', () => {
    expect(() => pairedBootstrap([1], [1, 2])).toThrow(StatsInputError);
    expect(() => pairedBootstrap([], [])).toThrow(/no pairs/);
    expect(() => pairedBootstrap([1, Number.NaN], [1, 1])).toThrow(/NaN/);
  });
});
