import { StatsInputError } from './errors.ts';
import { logBeta } from './special.ts';

/** Result of the exact McNemar test on paired binary outcomes. */
export interface McNemarResult {
  /** Discordant pairs "was a success, now a failure" (e.g. pass → fail). */
  b: number;
  /** Discordant pairs "was a failure, now a success" (e.g. fail → pass). */
  c: number;
  /** min(b, c): the statistic of statsmodels' `mcnemar(exact=True)`. */
  statistic: number;
  /** Two-sided exact p-value: `scipy.stats.binomtest(b, b + c, 0.5).pvalue`; 1 when b + c = 0. */
  pValue: number;
  /** Two-sided mid-p (less conservative: half the probability of the observed table). */
  midPValue: number;
  /** One-sided exact p-value of "b is larger than chance" (H1: more pass → fail than fail → pass). */
  pGreater: number;
  /** One-sided exact p-value of "c is larger than chance". */
  pLess: number;
}

/**
 * P(X ≤ k) for X ~ Binomial(n, 1/2), summed from the far tail inward with the pmf ratio
 * recurrence so small tails keep their relative precision (no 1 − large cancellation).
 */
function binomHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (k > n / 2) return 1 - binomHalfCdf(n - k - 1, n);
  let term = binomHalfPmf(k, n);
  const terms: number[] = [term];
  for (let i = k; i > 0; i--) {
    term *= i / (n - i + 1); // pmf(i − 1) = pmf(i) · i / (n − i + 1)
    if (term === 0) break;
    terms.push(term);
  }
  let sum = 0;
  for (let i = terms.length - 1; i >= 0; i--) sum += terms[i] as number; // smallest first
  return Math.min(1, sum);
}

/** P(X = k) for X ~ Binomial(n, 1/2): C(n, k) / 2^n = 1 / ((n + 1) · B(k + 1, n − k + 1) · 2^n). */
function binomHalfPmf(k: number, n: number): number {
  if (k < 0 || k > n) return 0;
  return Math.exp(-Math.log(n + 1) - logBeta(k + 1, n - k + 1) - n * Math.LN2);
}

function checkCount(x: number, name: string): void {
  if (Number.isNaN(x)) throw new StatsInputError('nan', `mcnemarExact: ${name} is NaN`);
  if (!Number.isInteger(x) || x < 0) throw new StatsInputError('range', `mcnemarExact: ${name} must be an integer ≥ 0 (got ${x})`);
}

/**
 * Exact McNemar test on the discordant pairs of a paired 2×2 table: under H0 (no change) each
 * discordant pair is equally likely to go either way, so b ~ Binomial(b + c, 1/2). The two-sided
 * p-value equals `statsmodels.stats.contingency_tables.mcnemar(table, exact=True).pvalue` and
 * `scipy.stats.binomtest(b, b + c, 0.5).pvalue`; the one-sided p-values are the binomial tails.
 * Concordant pairs do not enter the test (they carry no information about the direction).
 *
 * @example
 * ```ts
 * const r = mcnemarExact(7, 1)
 * // r.pValue ≈ 0.0703125, r.pGreater ≈ 0.03515625 (7 regressions vs 1 improvement)
 * ```
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  checkCount(b, 'b');
  checkCount(c, 'c');
  const n = b + c;
  if (n === 0) return { b, c, statistic: 0, pValue: 1, midPValue: 1, pGreater: 1, pLess: 1 };
  const lo = Math.min(b, c);
  // Binomial(n, 1/2) is symmetric, so the two-sided p is twice the smaller tail (capped at 1;
  // b = c gives exactly 1, as scipy does).
  const tail = binomHalfCdf(lo, n);
  const pValue = Math.min(1, 2 * tail);
  const midPValue = Math.min(1, 2 * tail - binomHalfPmf(lo, n));
  const pGreater = binomHalfCdf(c, n); // P(X ≥ b) = P(X ≤ c) by symmetry
  const pLess = binomHalfCdf(b, n);
  return { b, c, statistic: lo, pValue, midPValue, pGreater, pLess };
}

/**
 * The smallest number of "pass → fail" pairs that a one-sided exact McNemar test at level
 * `alpha` would call significant when `c` pairs went the other way. Used to say how many cases a
 * suite would need before it can detect a given drop (a power floor, not a power curve).
 *
 * @example
 * ```ts
 * mcnemarMinDiscordant(0, 0.05) // 5 (0.5^5 = 0.031 ≤ 0.05, 0.5^4 = 0.0625 is not)
 * ```
 */
export function mcnemarMinDiscordant(c: number, alpha: number): number {
  checkCount(c, 'c');
  if (!(alpha > 0 && alpha < 1)) throw new StatsInputError('range', `mcnemarMinDiscordant: alpha must be in (0, 1) (got ${alpha})`);
  // pGreater decreases in b for a fixed c; a linear walk is short (b grows like c + O(√c)).
  for (let b = 1; ; b++) {
    if (binomHalfCdf(c, b + c) <= alpha) return b;
  }
}
