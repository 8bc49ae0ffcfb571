import { describe, expect, it } from 'vitest';
import { kthSmallest } from '../../src/drift/aggregate.ts';
import { mulberry32 } from '../../src/stats/index.ts';

describe('kthSmallest (quickselect behind the bottom-k sample prune)', () => {
  it('equals the sorted array at every index, on random, tied, sorted and reversed input', () => {
    const rand = mulberry32(7);
    const cases: number[][] = [
      Array.from({ length: 1024 }, () => Math.floor(rand() * 2 ** 53)),
      Array.from({ length: 301 }, () => Math.floor(rand() * 5)),
      Array.from({ length: 200 }, (_, i) => i),
      Array.from({ length: 200 }, (_, i) => 200 - i),
      [3],
      [2, 2, 2, 2],
    ];
    for (const xs of cases) {
      const sorted = [...xs].sort((a, b) => a - b);
      for (const n of new Set([0, 1, xs.length >> 1, xs.length - 2, xs.length - 1].filter((i) => i >= 0 && i < xs.length))) {
        expect(kthSmallest(Float64Array.from(xs), n)).toBe(sorted[n]);
      }
    }
  });
});
