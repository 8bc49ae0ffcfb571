import { StatsInputError } from './errors.ts';
import { chiSquareSf } from './distributions.ts';

/** One 2×2 stratum: rows = group (current, baseline), columns = outcome (yes, no). */
export interface Stratum2x2 {
  /** current & yes */
  readonly a: number;
  /** current & no */
  readonly b: number;
  /** baseline & yes */
  readonly c: number;
  /** baseline & no */
  readonly d: number;
}

export interface CmhResult {
  /** The Cochran–Mantel–Haenszel χ² statistic (1 degree of freedom, no continuity correction). */
  readonly statistic: number;
  readonly pValue: number;
  /** Mantel–Haenszel pooled odds ratio (current vs baseline); `NaN` when undefined. */
  readonly oddsRatio: number;
  /** Strata that carried information (both groups and both outcomes present). */
  readonly strata: number;
}

/**
 * Cochran–Mantel–Haenszel test of conditional independence across 2×2 strata: does the outcome
 * rate differ between the groups after holding the stratum (e.g. the route) fixed? It pools the
 * evidence of every stratum without being fooled by a change of stratum mix — the reason drift
 * uses it for all-routes rates, where the route shares move with each route's daily peak.
 * Matches statsmodels' `StratifiedTable.test_null_odds(correction=False)`. Counts may be
 * fractional (effective counts of weighted data). Strata with a zero margin are skipped.
 *
 * @example
 * cochranMantelHaenszel([{ a: 30, b: 970, c: 100, d: 9900 }, { a: 12, b: 188, c: 40, d: 1960 }]).pValue;
 */
export function cochranMantelHaenszel(strata: readonly Stratum2x2[]): CmhResult {
  let dev = 0;
  let variance = 0;
  let orNum = 0;
  let orDen = 0;
  let used = 0;
  for (const s of strata) {
    for (const v of [s.a, s.b, s.c, s.d]) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new StatsInputError('range', `CMH counts must be finite and ≥ 0, got ${v}`);
    }
    const n = s.a + s.b + s.c + s.d;
    const row1 = s.a + s.b;
    const row2 = s.c + s.d;
    const col1 = s.a + s.c;
    const col2 = s.b + s.d;
    if (n <= 1 || row1 === 0 || row2 === 0 || col1 === 0 || col2 === 0) continue;
    used++;
    dev += s.a - (row1 * col1) / n;
    variance += (row1 * row2 * col1 * col2) / (n * n * (n - 1));
    orNum += (s.a * s.d) / n;
    orDen += (s.b * s.c) / n;
  }
  if (used === 0 || variance <= 0) return { statistic: NaN, pValue: NaN, oddsRatio: NaN, strata: used };
  const statistic = (dev * dev) / variance;
  return { statistic, pValue: chiSquareSf(statistic, 1), oddsRatio: orDen > 0 ? orNum / orDen : NaN, strata: used };
}
