import { describe, expect, it } from 'vitest';
import { hashSeed, Mulberry32, mulberry32, QuantileSketch, Reservoir, StatsInputError } from '../../src/stats/index.ts';

describe('PRNG', () => {
  it('is deterministic and resumable from its state', () => {
    const a = new Mulberry32(123);
    const b = new Mulberry32(123);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.next()));
    const c = new Mulberry32(a.state);
    expect(c.next()).toBe(a.next());
    expect(mulberry32(7)()).toBe(new Mulberry32(7).next());
    for (let i = 0; i < 1000; i++) {
      const u = a.nextOpen53();
      expect(u > 0 && u < 1).toBe(true);
    }
  });

  it('hashSeed is stable and spreads similar strings', () => {
    expect(hashSeed('shard-1')).toBe(hashSeed('shard-1'));
    expect(hashSeed('shard-1')).not.toBe(hashSeed('shard-2'));
    expect(Number.isInteger(hashSeed(''))).toBe(true);
  });
});

describe('Reservoir (A-ES)', () => {
  it('is deterministic given seed and order, and JSON round-trips', () => {
    const mk = () => {
      const r = new Reservoir<number>(10, 42);
      for (let i = 0; i < 1000; i++) r.add(i, 1 + (i % 3));
      return r;
    };
    const r1 = mk();
    expect(r1.items()).toEqual(mk().items());
    expect(r1.size).toBe(10);
    expect(r1.seen).toBe(1000);
    const back = Reservoir.fromJSON<number>(JSON.parse(JSON.stringify(r1)));
    expect(back.items()).toEqual(r1.items());
    // Same PRNG state: continuing both streams stays identical.
    for (let i = 1000; i < 1100; i++) {
      r1.add(i);
      back.add(i);
    }
    expect(back.items()).toEqual(r1.items());
  });

  it('merge equals top-k of the union of keys', () => {
    const a = new Reservoir<string>(20, hashSeed('a'));
    const b = new Reservoir<string>(20, hashSeed('b'));
    for (let i = 0; i < 500; i++) a.add(`a${i}`, (i % 5) + 1);
    for (let i = 0; i < 300; i++) b.add(`b${i}`, 1);
    const m = a.merge(b);
    const union = [...a.entries(), ...b.entries()].sort((x, y) => y.key - x.key).slice(0, 20);
    expect(m.items()).toEqual(union.map((e) => e.item));
    expect(m.seen).toBe(800);
    expect(m.totalWeight).toBe(a.totalWeight + b.totalWeight);
  });

  it('samples proportionally to weight (statistically)', () => {
    // Items 0..9 with weight 1 and item 10 with weight 10: with k = 1 the heavy item wins ~ 10/20 of runs.
    let heavy = 0;
    const runs = 4000;
    for (let s = 0; s < runs; s++) {
      const r = new Reservoir<number>(1, s);
      for (let i = 0; i < 10; i++) r.add(i, 1);
      r.add(10, 10);
      if (r.items()[0] === 10) heavy++;
    }
    expect(heavy / runs).toBeGreaterThan(0.46);
    expect(heavy / runs).toBeLessThan(0.54);
  });

  it('validates input', () => {
    expect(() => new Reservoir(0, 1)).toThrowError(StatsInputError);
    expect(() => new Reservoir(1, 1).add('x', NaN)).toThrowError(StatsInputError);
    expect(() => new Reservoir(1, 1).add('x', -1)).toThrowError(StatsInputError);
  });
});

describe('QuantileSketch (DDSketch)', () => {
  const exactLowerQuantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] as number;

  it('quantiles are within alpha of the exact quantiles (lognormal, with negatives and zeros)', () => {
    const rng = new Mulberry32(99);
    const values: number[] = [];
    for (let i = 0; i < 50000; i++) {
      const z = Math.sqrt(-2 * Math.log(rng.nextOpen53())) * Math.cos(2 * Math.PI * rng.next());
      const v = Math.exp(3 + 1.5 * z);
      values.push(i % 50 === 0 ? 0 : i % 7 === 0 ? -v : v);
    }
    for (const alpha of [0.01, 0.05]) {
      const s = new QuantileSketch({ alpha });
      for (const v of values) s.add(v);
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of [0, 0.01, 0.1, 0.13, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
        const exact = exactLowerQuantile(sorted, q);
        const est = s.quantile(q);
        expect(Math.abs(est - exact)).toBeLessThanOrEqual(alpha * Math.abs(exact) + 1e-12);
      }
      expect(s.count).toBe(values.length);
      expect(s.min).toBe(sorted[0]);
      expect(s.max).toBe(sorted[sorted.length - 1]);
    }
  });

  it('merge of shards equals the sketch of the union; JSON round-trips', () => {
    const rng = new Mulberry32(5);
    const all = new QuantileSketch();
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    for (let i = 0; i < 10000; i++) {
      const v = 1 + rng.next() * 1000;
      all.add(v);
      (i % 3 ? a : b).add(v);
    }
    const merged = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(a))).merge(b);
    for (const q of [0.5, 0.95, 0.99]) expect(merged.quantile(q)).toBe(all.quantile(q));
    expect(merged.count).toBe(10000);
    expect(merged.sum).toBeCloseTo(all.sum, 6);
  });

  it('weighted insert counts as repeated values', () => {
    const s = new QuantileSketch();
    s.add(10, 99);
    s.add(1000, 1);
    expect(s.quantile(0.5)).toBeCloseTo(10, 0);
    expect(Math.abs(s.quantile(0.5) - 10)).toBeLessThanOrEqual(0.1);
    expect(s.count).toBe(100);
    expect(s.sum).toBe(1990);
  });

  it('empty sketch and validation', () => {
    const s = new QuantileSketch();
    expect(s.quantile(0.5)).toBeNaN();
    expect(QuantileSketch.fromJSON(JSON.parse(JSON.stringify(s))).count).toBe(0);
    expect(() => s.add(NaN)).toThrowError(StatsInputError);
    expect(() => s.quantile(1.5)).toThrowError(StatsInputError);
    expect(() => new QuantileSketch({ alpha: 0.01 }).merge(new QuantileSketch({ alpha: 0.02 }))).toThrowError(StatsInputError);
  });
});
