import { chooseStatistic, ExtremesTracker } from './ecdf-extremes.ts';
import { StatsInputError } from './errors.ts';
import { roundHalfEven } from './ks-exact.ts';
import type { Alternative } from './ks-exact.ts';
import { kstwoSf } from './kolmogorov.ts';

/** A weighted empirical CDF: distinct sorted values and F at each (right-continuous). */
export interface WeightedEcdf {
  values: Float64Array;
  cdf: Float64Array;
  totalWeight: number;
}

function validateWeighted(values: ArrayLike<number>, weights: ArrayLike<number>, name: string): void {
  if (values.length !== weights.length) {
    throw new StatsInputError('length', `${name}: ${values.length} values but ${weights.length} weights`);
  }
  if (values.length === 0) throw new StatsInputError('empty', `${name} is empty`);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const w = weights[i] as number;
    if (Number.isNaN(v) || Number.isNaN(w)) throw new StatsInputError('nan', `${name}: NaN value or weight at ${i}`);
    if (w < 0 || !Number.isFinite(w)) throw new StatsInputError('range', `${name}: weight at ${i} must be finite and >= 0`);
    total += w;
  }
  if (!(total > 0)) throw new StatsInputError('empty', `${name}: total weight is 0`);
}

/** Sorted (value, weight) pairs; equal weights collapse to weight 1 so CDFs are exact ratios i/n. */
function sortedPairs(values: ArrayLike<number>, weights: ArrayLike<number>): { v: Float64Array; w: Float64Array } {
  const n = values.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => (values[a] as number) - (values[b] as number));
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  const w0 = weights[0] as number;
  let allEqual = true;
  for (let i = 1; i < n && allEqual; i++) allEqual = weights[i] === w0;
  for (let i = 0; i < n; i++) {
    const j = idx[i] as number;
    v[i] = values[j] as number;
    w[i] = allEqual ? 1 : (weights[j] as number);
  }
  return { v, w };
}

/**
 * Weighted empirical CDF: F(t) = Σ_{x_i <= t} w_i / Σ w_i, evaluated at each distinct value.
 *
 * @example
 * ```ts
 * weightedEcdf([3, 1, 2], [1, 2, 1]) // values [1, 2, 3], cdf [0.5, 0.75, 1]
 * ```
 */
export function weightedEcdf(values: ArrayLike<number>, weights: ArrayLike<number>): WeightedEcdf {
  validateWeighted(values, weights, 'values');
  const { v, w } = sortedPairs(values, weights);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i] as number;
  const outV: number[] = [];
  const outF: number[] = [];
  let cum = 0;
  for (let i = 0; i < v.length; i++) {
    cum += w[i] as number;
    if (i + 1 < v.length && v[i + 1] === v[i]) continue;
    outV.push(v[i] as number);
    outF.push(cum / total);
  }
  return { values: Float64Array.from(outV), cdf: Float64Array.from(outF), totalWeight: total };
}

/**
 * Kish effective sample size (Σw)² / Σw²: the number of equally weighted observations carrying the same
 * information. Equals n for equal weights and shrinks as weights get more uneven.
 *
 * @example
 * ```ts
 * kishEffectiveSampleSize([1, 1, 1, 1]) // 4
 * kishEffectiveSampleSize([1, 1, 1, 9]) // 1.714… (= 144 / 84)
 * ```
 */
export function kishEffectiveSampleSize(weights: ArrayLike<number>): number {
  if (weights.length === 0) throw new StatsInputError('empty', 'weights is empty');
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (Number.isNaN(w)) throw new StatsInputError('nan', `weights[${i}] is NaN`);
    if (w < 0 || !Number.isFinite(w)) throw new StatsInputError('range', `weights[${i}] must be finite and >= 0`);
    s += w;
    s2 += w * w;
  }
  if (s2 === 0) throw new StatsInputError('empty', 'all weights are 0');
  return (s * s) / s2;
}

/** Result of the weighted two-sample KS test. */
export interface WeightedKsResult {
  statistic: number;
  /** Asymptotic only (see `ks2sampWeighted`). */
  pValue: number;
  method: 'asymp';
  statisticLocation: number;
  statisticSign: 1 | -1;
  /** Kish effective sizes used for the p-value. */
  effectiveSizes: [number, number];
}

/**
 * Two-sample KS on weighted samples (e.g. stratified/importance-sampled captures).
 *
 * Statistic: sup of the difference of the weighted ECDFs, with the same alternative/sign/location
 * conventions as `ks2samp`; with all-equal weights it equals `ks2samp`'s statistic exactly.
 * p-value: APPROXIMATION — the asymptotic formula of `ks2samp(method: 'asymp')` with the Kish effective
 * sizes n_eff in place of n (en = round(n_eff,x·n_eff,y / (n_eff,x + n_eff,y))). There is no exact
 * weighted null distribution; with equal weights this reproduces ks2samp's asymptotic p-value.
 *
 * @example
 * ```ts
 * ks2sampWeighted([1, 2, 3], [1, 1, 1], [2.5, 3.5], [2, 1]).statistic // 0.6666666666666667
 * ```
 */
export function ks2sampWeighted(
  x: ArrayLike<number>,
  wx: ArrayLike<number>,
  y: ArrayLike<number>,
  wy: ArrayLike<number>,
  opts: { alternative?: Alternative } = {},
): WeightedKsResult {
  validateWeighted(x, wx, 'x');
  validateWeighted(y, wy, 'y');
  const alternative = opts.alternative ?? 'two-sided';
  const a = sortedPairs(x, wx);
  const b = sortedPairs(y, wy);
  let ta = 0;
  for (let i = 0; i < a.w.length; i++) ta += a.w[i] as number;
  let tb = 0;
  for (let i = 0; i < b.w.length; i++) tb += b.w[i] as number;
  // Same walk and tie-breaking as ks2samp (value present in x wins, then smallest value).
  const t = new ExtremesTracker();
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  const n1 = a.v.length;
  const n2 = b.v.length;
  while (i < n1 || j < n2) {
    const av = i < n1 ? (a.v[i] as number) : Infinity;
    const bv = j < n2 ? (b.v[j] as number) : Infinity;
    const v = av <= bv ? av : bv;
    let inA = false;
    let inB = false;
    while (i < n1 && a.v[i] === v) {
      ca += a.w[i] as number;
      i++;
      inA = true;
    }
    while (j < n2 && b.v[j] === v) {
      cb += b.w[j] as number;
      j++;
      inB = true;
    }
    // Exhausted sides are exactly 1 (avoids a cumulative-sum rounding residue at the top).
    const diff = (i === n1 ? 1 : ca / ta) - (j === n2 ? 1 : cb / tb);
    if (inA) t.inX(diff, v);
    if (inB) t.inY(diff, v);
  }
  const { d, location: loc, sign } = chooseStatistic(t.result(), alternative);
  const ex = kishEffectiveSampleSize(wx);
  const ey = kishEffectiveSampleSize(wy);
  const m = Math.max(ex, ey);
  const n = Math.min(ex, ey);
  const en = (m * n) / (m + n);
  let p: number;
  if (alternative === 'two-sided') {
    p = kstwoSf(Math.max(1, roundHalfEven(en)), d);
  } else {
    const z = Math.sqrt(en) * d;
    p = Math.exp(-2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3.0);
  }
  return {
    statistic: d,
    pValue: Math.min(Math.max(p, 0), 1),
    method: 'asymp',
    statisticLocation: loc === 0 ? 0 : loc,
    statisticSign: sign,
    effectiveSizes: [ex, ey],
  };
}
