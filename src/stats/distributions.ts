import { betaIncReg, gammaIncReg, logBeta } from './special.ts';

// Why not simple-statistics: its cumulativeStdNormalProbability is a 2-decimal table lookup and
// chiSquaredDistributionTable is a fixed table; drift p-values need full double precision.

const SQRT_2PI = 2.5066282746310002;

/**
 * Upper tail P(Z > z) of the standard normal, accurate in relative terms far into the tail (z ≤ ~37).
 *
 * @example
 * ```ts
 * normalSf(1.959963984540054) // 0.025
 * ```
 */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 0;
  if (z === -Infinity) return 1;
  // erfc(z/sqrt2)/2 = Q(1/2, z^2/2)/2: the incomplete gamma keeps relative precision in the tail.
  const { p, q } = gammaIncReg(0.5, (z * z) / 2);
  return z >= 0 ? 0.5 * q : 0.5 + 0.5 * p;
}

/**
 * Lower tail P(Z <= z) of the standard normal.
 *
 * @example
 * ```ts
 * normalCdf(0) // 0.5
 * ```
 */
export function normalCdf(z: number): number {
  return normalSf(-z);
}

/**
 * Standard normal quantile (inverse CDF), full double precision including p near 0 or 1.
 *
 * @example
 * ```ts
 * normalQuantile(0.975) // 1.959963984540054
 * ```
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // For p > 0.5, 1 - p is exact in binary floating point (Sterbenz), so the symmetry loses nothing.
  if (p > 0.5) return -lowerNormalQuantile(1 - p);
  return lowerNormalQuantile(p);
}

function lowerNormalQuantile(p: number): number {
  // Acklam's rational approximation (~1e-9) as a start, then Halley steps on the exact CDF.
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
        3.066479806614716e1) *
        r +
        2.506628277459239) *
        q) /
      (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
        1.328068155288572e1) *
        r +
        1);
  }
  for (let i = 0; i < 4; i++) {
    const e = normalCdf(x) - p;
    const u = e * SQRT_2PI * Math.exp((x * x) / 2);
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}

/**
 * Upper tail P(X > x) of the chi-square distribution with `dof` degrees of freedom (dof may be fractional).
 *
 * @example
 * ```ts
 * chiSquareSf(3.841458820694124, 1) // 0.05
 * ```
 */
export function chiSquareSf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return NaN;
  if (x <= 0) return 1;
  return gammaIncReg(dof / 2, x / 2).q;
}

/**
 * Lower tail P(X <= x) of the chi-square distribution.
 *
 * @example
 * ```ts
 * chiSquareCdf(3.841458820694124, 1) // 0.95
 * ```
 */
export function chiSquareCdf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return NaN;
  if (x <= 0) return 0;
  return gammaIncReg(dof / 2, x / 2).p;
}

/**
 * Upper tail P(T > t) of Student's t with `dof` degrees of freedom (dof > 0, may be fractional).
 *
 * @example
 * ```ts
 * studentTSf(2, 5) // 0.05096973941492917
 * ```
 */
export function studentTSf(t: number, dof: number): number {
  if (Number.isNaN(t) || !(dof > 0)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const tail = studentTTail(Math.abs(t), dof);
  return t >= 0 ? tail : 1 - tail;
}

/**
 * Lower tail P(T <= t) of Student's t.
 *
 * @example
 * ```ts
 * studentTCdf(0, 3) // 0.5
 * ```
 */
export function studentTCdf(t: number, dof: number): number {
  return studentTSf(-t, dof);
}

/** P(T > t) for t >= 0 via I_x(dof/2, 1/2) with x = dof/(dof+t^2); both x and 1-x are formed without cancellation. */
function studentTTail(t: number, dof: number): number {
  const t2 = t * t;
  const x = dof / (dof + t2);
  const y = t2 / (dof + t2);
  return 0.5 * betaIncReg(dof / 2, 0.5, x, y);
}

function studentTPdf(t: number, dof: number): number {
  return Math.exp(-((dof + 1) / 2) * Math.log1p((t * t) / dof) - 0.5 * Math.log(dof) - logBeta(dof / 2, 0.5));
}

/**
 * Quantile (inverse CDF) of Student's t: the `t` with P(T <= t) = p.
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 10) // 2.228138851986274
 * ```
 */
export function studentTQuantile(p: number, dof: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(dof > 0)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Solve in the lower tail; 1 - p is exact for p > 0.5.
  if (p > 0.5) return -lowerTQuantile(1 - p, dof);
  return lowerTQuantile(p, dof);
}

function lowerTQuantile(p: number, dof: number): number {
  // Closed forms; Cauchy as -cot(pi p) because p - 0.5 would round away small p.
  if (dof === 1) return -1 / Math.tan(Math.PI * p);
  if (dof === 2) return -(1 - 2 * p) / Math.sqrt(2 * p * (1 - p));
  // Bracket [lo, hi] with cdf(lo) < p <= cdf(hi), then safeguarded Newton on log cdf (tails are heavy).
  let hi = 0;
  let lo = -1;
  while (studentTCdf(lo, dof) > p) {
    hi = lo;
    lo *= 4;
    if (!Number.isFinite(lo)) return -Infinity;
  }
  const z = normalQuantile(p);
  let x = z >= lo && z <= hi ? z : (lo + hi) / 2;
  const logP = Math.log(p);
  for (let i = 0; i < 200; i++) {
    const c = studentTCdf(x, dof);
    if (c === p) return x;
    if (c < p) lo = x;
    else hi = x;
    const f = studentTPdf(x, dof);
    let next = x - ((Math.log(c) - logP) * c) / f;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 2e-16 * Math.abs(x) || hi - lo <= 4e-16 * Math.abs(x)) return next;
    x = next;
  }
  return x;
}
