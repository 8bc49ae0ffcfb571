import { StatsInputError } from './errors.ts';
import { normalCdf, normalQuantile, normalSf } from './distributions.ts';
import type { Alternative } from './ks-exact.ts';

/** A two-sided confidence interval. */
export interface Interval {
  lower: number;
  upper: number;
}

function checkCount(x: number, n: number, name: string): void {
  if (Number.isNaN(x) || Number.isNaN(n)) throw new StatsInputError('nan', `${name}: count is NaN`);
  if (n <= 0) throw new StatsInputError('empty', `${name}: n must be > 0 (got ${n})`);
  if (x < 0 || x > n) throw new StatsInputError('range', `${name}: successes must be in [0, n] (got ${x}/${n})`);
}

/**
 * Wilson score interval for a binomial proportion, the same formula as
 * `statsmodels.stats.proportion.proportion_confint(method='wilson')` (not clipped; it stays in [0, 1]).
 *
 * @example
 * ```ts
 * wilsonInterval(5, 10) // { lower: 0.23659309..., upper: 0.76340690... }
 * ```
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  checkCount(successes, n, 'wilsonInterval');
  if (!(confidence > 0 && confidence < 1)) throw new StatsInputError('range', 'confidence must be in (0, 1)');
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const q = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (q + z2 / (2 * n)) / denom;
  const dist = (z * Math.sqrt((q * (1 - q)) / n + z2 / (4 * n * n))) / denom;
  return { lower: center - dist, upper: center + dist };
}

/** Result of the pooled two-proportion z-test. */
export interface TwoProportionResult {
  /** x1/n1 and x2/n2. */
  p1: number;
  p2: number;
  /** p1 - p2 (group 1 is conventionally the current window, group 2 the reference). */
  diff: number;
  /** (p1 - p2) / p2, or null when p2 = 0 (relative change from zero is undefined). */
  relativeChange: number | null;
  /** Pooled z statistic; 0 when both groups are all-success or all-failure (no variance, no evidence). */
  z: number;
  pValue: number;
  /** Newcombe hybrid score interval (method 10) for p1 - p2, built from the two Wilson intervals. */
  ci: Interval;
}

/**
 * Pooled two-proportion z-test of H0: p1 = p2 (same as statsmodels `proportions_ztest` with the pooled
 * variance), plus the Newcombe/Wilson interval for the difference. `alternative: 'greater'` tests p1 > p2.
 *
 * @example
 * ```ts
 * const r = twoProportionTest(30, 200, 20, 210)
 * // r.diff ≈ 0.0548, r.z ≈ 1.694, r.pValue ≈ 0.0903, r.ci ≈ { lower: -0.0091, upper: 0.1197 }
 * ```
 */
export function twoProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  opts: { alternative?: Alternative; confidence?: number } = {},
): TwoProportionResult {
  checkCount(x1, n1, 'group 1');
  checkCount(x2, n2, 'group 2');
  const alternative = opts.alternative ?? 'two-sided';
  const confidence = opts.confidence ?? 0.95;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const diff = p1 - p2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // se = 0 only when both samples are all successes or all failures: identical, no evidence of change.
  const z = se === 0 ? 0 : diff / se;
  let pValue: number;
  if (alternative === 'two-sided') pValue = Math.min(1, 2 * normalSf(Math.abs(z)));
  else if (alternative === 'greater') pValue = normalSf(z);
  else pValue = normalCdf(z);
  const w1 = wilsonInterval(x1, n1, confidence);
  const w2 = wilsonInterval(x2, n2, confidence);
  const ci = {
    lower: diff - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: diff + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
  return { p1, p2, diff, relativeChange: p2 === 0 ? null : diff / p2, z, pValue, ci };
}
