import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cochranMantelHaenszel, type Stratum2x2 } from '../../src/stats/cmh.ts';

interface Case {
  name: string;
  strata: [number, number, number, number][];
  statistic: number;
  pValue: number;
  oddsRatio: number;
}

const reference = JSON.parse(readFileSync(new URL('../fixtures/stats/cmh.json', import.meta.url), 'utf8')) as { cases: Case[] };
const close = (got: number, want: number) => Math.abs(got - want) <= Math.max(1e-14, 1e-9 * Math.abs(want));

describe('cochranMantelHaenszel against statsmodels (scripts/stats/make_cmh_reference.py)', () => {
  for (const c of reference.cases) {
    it(c.name, () => {
      const strata: Stratum2x2[] = c.strata.map(([a, b, cc, d]) => ({ a, b, c: cc, d }));
      const r = cochranMantelHaenszel(strata);
      expect(close(r.statistic, c.statistic), `statistic ${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(close(r.pValue, c.pValue), `p ${r.pValue} vs ${c.pValue}`).toBe(true);
      expect(close(r.oddsRatio, c.oddsRatio), `OR ${r.oddsRatio} vs ${c.oddsRatio}`).toBe(true);
    });
  }

  it('skips strata with an empty margin and reports NaN when nothing informs the test', () => {
    expect(cochranMantelHaenszel([{ a: 0, b: 0, c: 5, d: 5 }]).pValue).toBeNaN();
    const r = cochranMantelHaenszel([{ a: 0, b: 0, c: 5, d: 5 }, { a: 15, b: 85, c: 10, d: 90 }]);
    expect(r.strata).toBe(1);
    expect(() => cochranMantelHaenszel([{ a: -1, b: 1, c: 1, d: 1 }])).toThrow(/≥ 0/);
  });
});
