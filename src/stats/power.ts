import { betaIncReg } from './special.ts';
import { chiSquareSf, normalCdf, normalQuantile } from './distributions.ts';
import { StatsInputError } from './errors.ts';

/**
 * Power of tests against a stated minimum effect, for drift's minimum-detectable-effect policy:
 * a window too small to detect the configured minimum change is reported `insufficient_data`, not
 * "no drift", and may be pooled with the previous window.
 */

/** P(X ≥ k) for X ~ Binomial(n, p), via the regularized incomplete beta I_p(k, n − k + 1). */
function binomSfAtLeast(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return betaIncReg(k, n - k + 1, p, 1 - p);
}

/**
 * Exact power of the one-sided binomial test of `p0` at level `level` when the true rate is `p1`
 * (upper tail when p1 > p0, lower tail when p1 < p0), with `n` trials (rounded to an integer).
 * The critical count is the first one whose null tail probability is ≤ level, as
 * `scipy.stats.binom.sf(c − 1, n, p0) <= level`; the power is its tail probability under p1.
 * Returns 0 when no count can reach the level (the test cannot reject at all).
 *
 * @example
 * binomialPower(200, 0.01, 0.03, 0.001); // { power: ≈ 0.15, critical: 9 }: 200 calls rarely show 1% → 3% at p < 0.001
 */
export function binomialPower(n: number, p0: number, p1: number, level: number): { power: number; critical: number } {
  if (!(n >= 0) || !(p0 >= 0 && p0 <= 1) || !(p1 >= 0 && p1 <= 1) || !(level > 0 && level < 1)) {
    throw new StatsInputError('range', `binomialPower: invalid n=${n}, p0=${p0}, p1=${p1}, level=${level}`);
  }
  const N = Math.round(n);
  if (N === 0 || p1 === p0) return { power: 0, critical: NaN };
  if (p1 > p0) {
    // Smallest c with P0(X ≥ c) ≤ level; P0(X ≥ c) decreases in c.
    if (binomSfAtLeast(N, N, p0) > level) return { power: 0, critical: NaN };
    let lo = 0;
    let hi = N;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (binomSfAtLeast(mid, N, p0) <= level) hi = mid;
      else lo = mid + 1;
    }
    return { power: binomSfAtLeast(lo, N, p1), critical: lo };
  }
  // Largest c with P0(X ≤ c) ≤ level; P0(X ≤ c) = 1 − P0(X ≥ c + 1) increases in c.
  const cdf = (c: number, p: number) => 1 - binomSfAtLeast(c + 1, N, p);
  if (cdf(0, p0) > level) return { power: 0, critical: NaN };
  let lo = 0;
  let hi = N;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cdf(mid, p0) <= level) lo = mid;
    else hi = mid - 1;
  }
  return { power: cdf(lo, p1), critical: lo };
}

/**
 * Power of a two-sided z-test at level `level` when the standardized true effect (the test
 * statistic's mean under the alternative) is `lambda`: Φ(λ − z) + Φ(−λ − z), z = Φ⁻¹(1 − level/2).
 * Also the large-sample power of Welch's t-test, with λ = δ / √(σ₁²/n₁ + σ₂²/n₂).
 *
 * @example
 * normalPower(3, 0.05); // ≈ 0.851
 */
export function normalPower(lambda: number, level: number): number {
  if (!(level > 0 && level < 1) || Number.isNaN(lambda)) throw new StatsInputError('range', `normalPower: invalid lambda=${lambda}, level=${level}`);
  const z = normalQuantile(1 - level / 2);
  const l = Math.abs(lambda);
  return normalCdf(l - z) + normalCdf(-l - z);
}

/**
 * Approximate power of a χ² test with `df` degrees of freedom at level `level` for noncentrality
 * `lambda` (Patnaik's two-moment approximation of the noncentral χ²: c·χ²(h) with
 * c = (ν + 2λ)/(ν + λ), h = (ν + λ)² / (ν + 2λ)). Within a few hundredths of scipy's `ncx2` —
 * enough to decide whether a window can detect a minimum effect, not to report a p-value.
 *
 * @example
 * chiSquarePowerApprox(20, 3, 0.01); // ≈ 0.923 (scipy ncx2: 0.914)
 */
export function chiSquarePowerApprox(lambda: number, df: number, level: number): number {
  if (!(df > 0) || !(lambda >= 0) || !(level > 0 && level < 1)) {
    throw new StatsInputError('range', `chiSquarePowerApprox: invalid lambda=${lambda}, df=${df}, level=${level}`);
  }
  const crit = chiSquareQuantileUpper(level, df);
  if (lambda === 0) return level;
  const c = (df + 2 * lambda) / (df + lambda);
  const h = ((df + lambda) * (df + lambda)) / (df + 2 * lambda);
  return chiSquareSf(crit / c, h);
}

/** The x with P(χ²_df > x) = q, by bisection on the survival function (monotone). */
function chiSquareQuantileUpper(q: number, df: number): number {
  let lo = 0;
  let hi = Math.max(1, df);
  while (chiSquareSf(hi, df) > q) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareSf(mid, df) > q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
