import { StatsInputError } from './errors.ts';
import { chiSquareSf } from './distributions.ts';

/** Result of a 2×k homogeneity test between a baseline and a current categorical distribution. */
export interface HomogeneityResult {
  /** Pearson χ² (or G for `gTest`). */
  statistic: number;
  /** (2-1)·(k-1) over the categories kept (those with a non-zero total). */
  dof: number;
  pValue: number;
  /** Categories kept, in the order used. */
  categories: string[];
  /**
   * Share of the current (B) mass in categories that have zero count in the baseline (A): "new values"
   * such as an unseen language or error code. 0 when B is empty of such categories.
   */
  unseenShare: number;
}

function readCounts(counts: Record<string, number>, name: string): void {
  for (const [k, v] of Object.entries(counts)) {
    if (Number.isNaN(v)) throw new StatsInputError('nan', `${name}[${k}] is NaN`);
    if (v < 0 || !Number.isFinite(v)) throw new StatsInputError('range', `${name}[${k}] must be a finite count >= 0`);
  }
}

function homogeneity(
  countsA: Record<string, number>,
  countsB: Record<string, number>,
  cell: (observed: number, expected: number) => number,
): HomogeneityResult {
  readCounts(countsA, 'countsA');
  readCounts(countsB, 'countsB');
  // Zero-total categories carry no information and would make expected counts 0 (scipy raises there).
  const categories = [...new Set([...Object.keys(countsA), ...Object.keys(countsB)])]
    .filter((k) => (countsA[k] ?? 0) + (countsB[k] ?? 0) > 0)
    .sort();
  let totalA = 0;
  let totalB = 0;
  let unseen = 0;
  for (const k of categories) {
    const a = countsA[k] ?? 0;
    const b = countsB[k] ?? 0;
    totalA += a;
    totalB += b;
    if (a === 0) unseen += b;
  }
  if (totalA === 0 || totalB === 0) {
    throw new StatsInputError('empty', `homogeneity test needs non-empty baseline and current counts (got ${totalA} and ${totalB})`);
  }
  const total = totalA + totalB;
  let statistic = 0;
  for (const k of categories) {
    const col = (countsA[k] ?? 0) + (countsB[k] ?? 0);
    // Expected counts as scipy's expected_freq computes them: row_total * col_total / grand_total.
    statistic += cell(countsA[k] ?? 0, (totalA * col) / total);
    statistic += cell(countsB[k] ?? 0, (totalB * col) / total);
  }
  const dof = categories.length - 1;
  // A single category: the table is degenerate, scipy reports statistic 0, dof 0, p 1.
  if (dof === 0) return { statistic: 0, dof, pValue: 1, categories, unseenShare: unseen / totalB };
  const pValue = chiSquareSf(statistic, dof);
  return { statistic, dof, pValue, categories, unseenShare: unseen / totalB };
}

/**
 * Pearson χ² test of homogeneity on the 2×k table [countsA; countsB], matching
 * `scipy.stats.chi2_contingency(table, correction=False)`. Categories with zero total are dropped.
 *
 * @example
 * ```ts
 * const r = chiSquareHomogeneity({ ok: 950, refusal: 30, error: 20 }, { ok: 900, refusal: 70, error: 30 })
 * // r.dof === 2, r.pValue < 0.001, r.unseenShare === 0
 * ```
 */
export function chiSquareHomogeneity(countsA: Record<string, number>, countsB: Record<string, number>): HomogeneityResult {
  return homogeneity(countsA, countsB, (o, e) => ((o - e) * (o - e)) / e);
}

/**
 * G-test (log-likelihood ratio) of homogeneity, matching
 * `scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")`.
 * Cells with a zero observed count contribute 0 (the limit of o·ln(o/e)).
 *
 * @example
 * ```ts
 * gTest({ a: 10, b: 20 }, { a: 20, b: 10 }).statistic // 6.796...
 * ```
 */
export function gTest(countsA: Record<string, number>, countsB: Record<string, number>): HomogeneityResult {
  return homogeneity(countsA, countsB, (o, e) => (o === 0 ? 0 : 2 * o * Math.log(o / e)));
}
