import { normalSf } from './distributions.ts';
import { StatsInputError } from './errors.ts';
import type { Alternative } from './ks-exact.ts';
import { sortedCopy } from './sort.ts';

/** Result of {@link mannWhitneyU}: the same numbers as `scipy.stats.mannwhitneyu(method='asymptotic')`. */
export interface MannWhitneyResult {
  /** U₁: pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting ½. */
  readonly statistic: number;
  readonly pValue: number;
  /** U₁ / (n·m): P(X > Y) + ½·P(X = Y), the common-language effect size (0.5 = no shift). */
  readonly probabilityOfSuperiority: number;
}

/** Options of {@link mannWhitneyU}. */
export interface MannWhitneyOptions {
  /** About x relative to y (`greater`: x tends to be larger). Default `two-sided`. */
  readonly alternative?: Alternative;
  /** Continuity correction of the normal approximation (scipy's `use_continuity`). Default true. */
  readonly continuity?: boolean;
}

/**
 * Mann–Whitney U test (Wilcoxon rank-sum) from two samples sorted ascending: midranks for ties,
 * the tie-corrected normal approximation, as `scipy.stats.mannwhitneyu(x, y, method='asymptotic')`.
 * One merge pass, O(n + m): drift's baseline samples are already sorted.
 *
 * @example
 * mannWhitneyUSorted(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6, 7)).statistic; // 0
 */
export function mannWhitneyUSorted(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions = {}): MannWhitneyResult {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) throw new StatsInputError('empty', `mannWhitneyU needs two non-empty samples (got ${n} and ${m})`);
  let i = 0;
  let j = 0;
  let rank = 0; // ranks assigned so far
  let r1 = 0;
  let tieTerm = 0;
  let last = -Infinity;
  while (i < n || j < m) {
    const xi = i < n ? (x[i] as number) : Infinity;
    const yj = j < m ? (y[j] as number) : Infinity;
    const v = xi <= yj ? xi : yj;
    if (Number.isNaN(v)) throw new StatsInputError('nan', 'mannWhitneyU: samples must not contain NaN');
    if (v < last) throw new StatsInputError('unsorted', 'mannWhitneyUSorted: inputs must be sorted ascending');
    last = v;
    let cx = 0;
    let cy = 0;
    while (i < n && (x[i] as number) === v) {
      i++;
      cx++;
    }
    while (j < m && (y[j] as number) === v) {
      j++;
      cy++;
    }
    if (cx + cy === 0) throw new StatsInputError('unsorted', 'mannWhitneyUSorted: inputs must be sorted ascending');
    const t = cx + cy;
    r1 += cx * (rank + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    rank += t;
  }
  const u1 = r1 - (n * (n + 1)) / 2;
  const u2 = n * m - u1;
  const alternative = options.alternative ?? 'two-sided';
  const [u, f] = alternative === 'greater' ? [u1, 1] : alternative === 'less' ? [u2, 1] : [Math.max(u1, u2), 2];
  const N = n + m;
  const s = Math.sqrt(((n * m) / 12) * (N + 1 - (N > 1 ? tieTerm / (N * (N - 1)) : 0)));
  const num = u - (n * m) / 2 - (options.continuity === false ? 0 : 0.5);
  const z = s > 0 ? num / s : num > 0 ? Infinity : num < 0 ? -Infinity : NaN;
  const pValue = Number.isNaN(z) ? 1 : Math.min(1, Math.max(0, f * normalSf(z)));
  return { statistic: u1, pValue, probabilityOfSuperiority: u1 / (n * m) };
}

/**
 * Mann–Whitney U test of two samples in any order (sorted copies are made). Beside KS in drift:
 * for a shift of the bulk it needs about a third of the rows KS needs, and being rank-based it is
 * not thrown by a few far values (error calls with 0 tokens/s on the log scale) the way a t-test is.
 *
 * @example
 * mannWhitneyU([1.1, 2.3, 2.9, 4.2], [3.4, 4.9, 5.1, 6.0, 6.2]).pValue; // ≈ 0.0373 (U = 1)
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions = {}): MannWhitneyResult {
  return mannWhitneyUSorted(sortedCopy(x, 'x'), sortedCopy(y, 'y'), options);
}
