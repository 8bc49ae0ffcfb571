import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  chiSquareHomogeneity,
  chiSquareSf,
  fisherExact,
  gTest,
  jensenShannonDistance,
  normalQuantile,
  normalSf,
  StatsInputError,
  studentTQuantile,
  studentTSf,
  tQuantile,
  twoProportionTest,
  wilsonInterval,
} from '../../src/stats/index.ts';

describe('categorical homogeneity', () => {
  it('drops zero-total categories and reports the unseen share', () => {
    const r = chiSquareHomogeneity({ en: 500, de: 120, fr: 80, es: 0 }, { en: 480, de: 100, fr: 90, es: 25, it: 5, xx: 0 });
    expect(r.categories).toEqual(['de', 'en', 'es', 'fr', 'it']);
    expect(r.dof).toBe(4);
    expect(r.unseenShare).toBeCloseTo(30 / 700, 15);
    expect(gTest({ a: 1 }, { a: 5 })).toMatchObject({ statistic: 0, dof: 0, pValue: 1 });
  });

  it('rejects empty or invalid counts with typed errors', () => {
    expect(() => chiSquareHomogeneity({}, { a: 1 })).toThrowError(StatsInputError);
    expect(() => chiSquareHomogeneity({ a: -1 }, { a: 1 })).toThrowError(StatsInputError);
    expect(() => gTest({ a: NaN }, { a: 1 })).toThrowError(StatsInputError);
  });
});

describe('proportions', () => {
  it('two-proportion test fields', () => {
    const r = twoProportionTest(30, 200, 20, 210);
    expect(r.p1).toBe(0.15);
    expect(r.diff).toBeCloseTo(0.15 - 20 / 210, 15);
    expect(r.relativeChange).toBeCloseTo((0.15 - 20 / 210) / (20 / 210), 14);
    expect(r.ci.lower).toBeLessThan(r.diff);
    expect(r.ci.upper).toBeGreaterThan(r.diff);
    expect(twoProportionTest(3, 10, 0, 10).relativeChange).toBeNull();
    // no variance at all: identical all-zero groups are "no evidence", not NaN
    expect(twoProportionTest(0, 10, 0, 12)).toMatchObject({ z: 0, pValue: 1 });
  });

  it('Wilson interval stays inside [0, 1] and validates', () => {
    const w = wilsonInterval(0, 10);
    expect(w.lower).toBeCloseTo(0, 15);
    expect(w.upper).toBeLessThan(1);
    expect(() => wilsonInterval(11, 10)).toThrowError(StatsInputError);
    expect(() => wilsonInterval(1, 0)).toThrowError(StatsInputError);
    expect(() => wilsonInterval(1, 10, 1)).toThrowError(StatsInputError);
  });
});

describe('fisher / BH / JS validation', () => {
  it('fisher rejects non-integer and negative counts', () => {
    expect(() => fisherExact(1.5, 2, 3, 4)).toThrowError(StatsInputError);
    expect(() => fisherExact(-1, 2, 3, 4)).toThrowError(StatsInputError);
    expect(fisherExact(0, 0, 3, 4)).toEqual({ oddsRatio: NaN, pValue: 1 });
  });

  it('BH keeps single values and validates', () => {
    expect(benjaminiHochberg([])).toEqual([]);
    expect(benjaminiHochberg([0.3])).toEqual([0.3]);
    expect(() => benjaminiHochberg([0.1, 1.2])).toThrowError(StatsInputError);
    expect(() => benjaminiHochberg([NaN])).toThrowError(StatsInputError);
  });

  it('Jensen-Shannon: identical is 0, disjoint is 1 in base 2', () => {
    expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBe(1);
    expect(() => jensenShannonDistance([1], [1, 2])).toThrowError(StatsInputError);
    expect(() => jensenShannonDistance([0, 0], [1, 2])).toThrowError(StatsInputError);
  });
});

describe('distribution helpers', () => {
  it('edge values', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(2)).toBeNaN();
    expect(normalSf(Infinity)).toBe(0);
    expect(normalSf(-Infinity)).toBe(1);
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(chiSquareSf(-1, 3)).toBe(1);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
    expect(tQuantile(0.975, 29)).toBe(studentTQuantile(0.975, 29));
  });

  it('quantiles invert the tails', () => {
    for (const dof of [1, 2, 3, 4.5, 12, 80, 1e5]) {
      for (const p of [1e-8, 0.001, 0.05, 0.3, 0.8, 0.99]) {
        const t = studentTQuantile(p, dof);
        expect(Math.abs(studentTSf(-t, dof) - p) / p).toBeLessThan(1e-10);
      }
    }
    for (const p of [1e-300, 1e-12, 0.01, 0.4, 0.9]) {
      expect(Math.abs(normalSf(-normalQuantile(p)) - p) / p).toBeLessThan(1e-13);
    }
  });
});
