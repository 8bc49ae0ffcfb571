import { describe, expect, it } from 'vitest';
import { cumulative, hashInts, hashString, normalFrom, pickIndex, poisson, RecordRng, SeqRng, toUnit } from '../../src/demo/random.ts';
import { dailyFactor, weeklyFactor } from '../../src/demo/seasonality.ts';
import { estimateTokens } from '../../src/demo/tokens.ts';

const N = 50_000;

describe('demo randomness', () => {
  it('hashes deterministically into well-spread uniforms', () => {
    expect(hashInts(1, 2, 3)).toBe(hashInts(1, 2, 3));
    expect(hashInts(1, 2, 3)).not.toBe(hashInts(1, 2, 4));
    expect(hashString('answer')).not.toBe(hashString('chat'));
    const bins = new Array(10).fill(0) as number[];
    for (let i = 0; i < N; i++) bins[Math.floor(toUnit(hashInts(7, i)) * 10)]!++;
    for (const b of bins) expect(Math.abs(b - N / 10)).toBeLessThan(5 * Math.sqrt(N / 10));
  });

  it('gives each record slot an independent uniform', () => {
    const r = new RecordRng(hashInts(1, 1), hashInts(1, 2));
    const slots = new Set(Array.from({ length: 100 }, (_, s) => r.word(s)));
    expect(slots.size).toBe(100);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < N; i++) {
      const z = new RecordRng(hashInts(3, i), hashInts(4, i)).normal(5);
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / N)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / N - 1)).toBeLessThan(0.03);
  });

  it('draws Poisson counts with the right mean on both sides of the normal switch', () => {
    for (const lambda of [0.3, 4, 29, 31, 500]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) {
        sum += poisson(lambda, toUnit(hashInts(9, i, 0)), normalFrom(toUnit(hashInts(9, i, 1)), toUnit(hashInts(9, i, 2))));
      }
      expect(Math.abs(sum / 20_000 - lambda)).toBeLessThan(4 * Math.sqrt(lambda / 20_000) + 0.01);
    }
    expect(poisson(0, 0.5, 0)).toBe(0);
  });

  it('picks by weight and keeps SeqRng in range', () => {
    const cum = cumulative([3, 1]);
    expect(pickIndex(cum, 0.7)).toBe(0);
    expect(pickIndex(cum, 0.8)).toBe(1);
    const rng = new SeqRng(42);
    for (let i = 0; i < 1000; i++) {
      const x = rng.between(3, 5);
      expect(x >= 3 && x <= 5 && Number.isInteger(x)).toBe(true);
    }
    expect(new SeqRng(42).next()).toBe(new SeqRng(42).next());
  });
});

describe('demo seasonality and tokens', () => {
  it('peaks at the peak hour, bottoms out at night, dips on weekends', () => {
    expect(dailyFactor(Date.UTC(2026, 0, 5, 14), 14)).toBeCloseTo(1, 6);
    expect(dailyFactor(Date.UTC(2026, 0, 5, 2), 14)).toBeLessThan(0.15);
    expect(dailyFactor(Date.UTC(2026, 0, 5, 23), 1)).toBeGreaterThan(0.85); // wraps around midnight
    expect(weeklyFactor(Date.UTC(2026, 0, 10, 12))).toBe(0.5);
    expect(weeklyFactor(Date.UTC(2026, 0, 11, 12))).toBe(0.4);
    expect(weeklyFactor(Date.UTC(2026, 0, 7, 12), { weekend: [0.7, 0.6] })).toBe(1);
  });

  it('estimates tokens per script', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd'.repeat(10))).toBe(10);
    expect(estimateTokens('請求書'.repeat(10))).toBe(30);
    expect(estimateTokens('счёт'.repeat(10))).toBe(16);
  });
});
