import { studentTSf } from './distributions.ts';
import { StatsInputError } from './errors.ts';
import type { Alternative } from './ks-exact.ts';

/** Mean, unbiased variance (ddof = 1) and size of one sample. */
export interface MomentSummary {
  readonly mean: number;
  readonly variance: number;
  readonly n: number;
}

/** Result of {@link welchTTest}: the same fields and numbers as `scipy.stats.ttest_ind(equal_var=False)`. */
export interface WelchResult {
  /** t = (mean₁ − mean₂) / √(v₁/n₁ + v₂/n₂). */
  readonly statistic: number;
  readonly pValue: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
}

/**
 * Mean and unbiased variance of a sample (two passes, so a large common offset does not cancel
 * the variance away).
 *
 * @example
 * moments([1, 2, 3, 4]); // { mean: 2.5, variance: 1.6666666666666667, n: 4 }
 */
export function moments(x: ArrayLike<number>): MomentSummary {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] as number;
  const mean = s / n;
  let ss = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - mean;
    ss += d * d;
    c += d;
  }
  // Compensated second pass (the correction term is zero in exact arithmetic).
  const variance = n > 1 ? (ss - (c * c) / n) / (n - 1) : NaN;
  return { mean, variance, n };
}

/**
 * Welch's two-sample t-test from summaries: unequal variances, Welch–Satterthwaite degrees of
 * freedom. `alternative` is about mean₁ − mean₂ (`greater`: mean₁ > mean₂), as in scipy.
 *
 * @example
 * welchTTestFromMoments({ mean: 5.3, variance: 0.2, n: 40 }, { mean: 5.1, variance: 0.2, n: 4000 }).pValue; // ≈ 0.00756 (t = 2.81)
 */
export function welchTTestFromMoments(a: MomentSummary, b: MomentSummary, alternative: Alternative = 'two-sided'): WelchResult {
  if (!(a.n >= 2 && b.n >= 2)) {
    throw new StatsInputError('empty', `welchTTest needs at least 2 observations per sample (got ${a.n} and ${b.n})`);
  }
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se2 = va + vb;
  const diff = a.mean - b.mean;
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  if (!(se2 > 0)) {
    // Both samples constant: scipy returns NaN (0/0), or ±inf when the means differ.
    const statistic = diff === 0 ? NaN : diff > 0 ? Infinity : -Infinity;
    const pValue = Number.isNaN(statistic) ? NaN : tail(statistic, Infinity, alternative);
    return { statistic, pValue, df: NaN };
  }
  const statistic = diff / Math.sqrt(se2);
  return { statistic, pValue: tail(statistic, df, alternative), df };
}

function tail(t: number, df: number, alternative: Alternative): number {
  const d = Number.isFinite(df) ? df : 1e300;
  if (alternative === 'greater') return studentTSf(t, d);
  if (alternative === 'less') return studentTSf(-t, d);
  return Math.min(1, 2 * studentTSf(Math.abs(t), d));
}

/**
 * Welch's two-sample t-test (`scipy.stats.ttest_ind(x, y, equal_var=False)`): the location test
 * drift runs beside KS on numeric features (on the log scale for skewed ones), where it has far
 * more power than KS for a shift of the bulk of the distribution.
 *
 * @example
 * welchTTest([5.1, 5.3, 5.2, 5.6], [4.9, 5.0, 5.1, 4.8, 5.0]).pValue; // ≈ 0.0425 (t = 2.85, df = 4.33)
 */
export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, alternative: Alternative = 'two-sided'): WelchResult {
  for (const s of [x, y]) {
    for (let i = 0; i < s.length; i++) {
      if (Number.isNaN(s[i] as number)) throw new StatsInputError('nan', 'welchTTest: samples must not contain NaN');
    }
  }
  return welchTTestFromMoments(moments(x), moments(y), alternative);
}
