import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mcnemarExact, mcnemarMinDiscordant } from '../../src/stats/mcnemar.ts';
import { StatsInputError } from '../../src/stats/errors.ts';

interface McCase {
  b: number;
  c: number;
  pValue: number;
  pGreater: number;
  pLess: number;
  midPValue: number;
}

const reference = JSON.parse(readFileSync(new URL('../fixtures/stats/golden-reference.json', import.meta.url), 'utf8')) as {
  mcnemar: McCase[];
  minDiscordant: { c: number; alpha: number; b: number }[];
};
const close = (got: number, want: number) => Math.abs(got - want) <= Math.max(1e-300, 1e-9 * Math.abs(want));

describe('mcnemarExact against scipy.stats.binomtest (scripts/stats/make_golden_reference.py)', () => {
  it('has reference cases', () => expect(reference.mcnemar.length).toBeGreaterThan(20));
  for (const r of reference.mcnemar) {
    it(`b=${r.b} c=${r.c}`, () => {
      const got = mcnemarExact(r.b, r.c);
      expect(close(got.pValue, r.pValue), `two-sided ${got.pValue} vs ${r.pValue}`).toBe(true);
      expect(close(got.pGreater, r.pGreater), `greater ${got.pGreater} vs ${r.pGreater}`).toBe(true);
      expect(close(got.pLess, r.pLess), `less ${got.pLess} vs ${r.pLess}`).toBe(true);
      expect(close(got.midPValue, r.midPValue), `mid-p ${got.midPValue} vs ${r.midPValue}`).toBe(true);
      expect(got.statistic).toBe(Math.min(r.b, r.c));
    });
  }

  it('gives the textbook small values', () => {
    expect(mcnemarExact(5, 0).pGreater).toBeCloseTo(1 / 32, 15);
    expect(mcnemarExact(5, 0).pValue).toBeCloseTo(1 / 16, 15);
    expect(mcnemarExact(3, 3).pValue).toBe(1);
  });

  it('refuses negative, fractional and NaN counts', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(StatsInputError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(/integer/);
    expect(() => mcnemarExact(Number.NaN, 2)).toThrow(/NaN/);
  });
});

describe('mcnemarMinDiscordant against scipy', () => {
  for (const r of reference.minDiscordant) {
    it(`c=${r.c} alpha=${r.alpha} → b=${r.b}`, () => {
      expect(mcnemarMinDiscordant(r.c, r.alpha)).toBe(r.b);
    });
  }
});
