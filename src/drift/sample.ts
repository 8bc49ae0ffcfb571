import type { NumericAgg } from './aggregate.ts';

/**
 * Assembling a window's or a baseline's value sample from hourly bottom-k samples, and the effect
 * sizes computed on it.
 */

/** Values with Horvitz–Thompson weights, sorted by value. */
export interface WeightedSample {
  readonly values: Float64Array;
  readonly weights: Float64Array;
  /** Every weight is the same: unweighted tests (with exact p-values) apply. */
  readonly equalWeights: boolean;
  /** Kish effective sample size of the sample itself. */
  readonly ess: number;
}

/**
 * Concatenates hourly samples into one sample of the whole span. An hour that had more rows than
 * its sample keeps (busy hours) is scaled up: every sampled value carries `w · (Σw_hour / Σw_sample)`,
 * so a baseline is not tilted toward quiet night hours, whose rows all fit in the sample.
 * Optionally maps values (log1p for skewed features).
 *
 * @example
 * const s = assembleSample(hours.map((h) => h.num.output_tokens).filter(Boolean));
 * s.values.length; // Σ sample sizes
 */
export function assembleSample(aggs: readonly NumericAgg[], map?: (x: number) => number): WeightedSample {
  let total = 0;
  for (const a of aggs) total += a.r.k.length;
  const pairs = new Float64Array(total * 2);
  let o = 0;
  for (const a of aggs) {
    const r = a.r;
    let sw = 0;
    for (let i = 0; i < r.k.length; i++) sw += r.w?.[i] ?? 1;
    const inflate = sw > 0 ? a.w / sw : 1;
    for (let i = 0; i < r.k.length; i++) {
      const v = r.v[i] as number;
      pairs[o++] = map ? map(v) : v;
      pairs[o++] = (r.w?.[i] ?? 1) * inflate;
    }
  }
  const idx = new Uint32Array(total);
  for (let i = 0; i < total; i++) idx[i] = i;
  idx.sort((i, j) => (pairs[2 * i] as number) - (pairs[2 * j] as number));
  const values = new Float64Array(total);
  const weights = new Float64Array(total);
  let s = 0;
  let s2 = 0;
  const w0 = total > 0 ? (pairs[1] as number) : 1;
  let equal = true;
  for (let i = 0; i < total; i++) {
    const j = idx[i] as number;
    values[i] = pairs[2 * j] as number;
    const w = pairs[2 * j + 1] as number;
    weights[i] = w;
    s += w;
    s2 += w * w;
    if (equal && Math.abs(w - w0) > 1e-9 * w0) equal = false;
  }
  return { values, weights, equalWeights: equal, ess: s2 > 0 ? (s * s) / s2 : 0 };
}

/**
 * Weighted quantile (inverse of the weighted ECDF, lower value at a step) of a sorted sample.
 *
 * @example
 * weightedQuantile(assembleSample(aggs), 0.5);
 */
export function weightedQuantile(s: WeightedSample, q: number): number {
  const n = s.values.length;
  if (n === 0) return NaN;
  let total = 0;
  for (let i = 0; i < n; i++) total += s.weights[i] as number;
  const target = q * total;
  let cum = 0;
  for (let i = 0; i < n; i++) {
    cum += s.weights[i] as number;
    if (cum >= target - 1e-12 * total) return s.values[i] as number;
  }
  return s.values[n - 1] as number;
}

/**
 * Wasserstein-1 distance between two weighted samples: ∫|F − G|, walking both sorted samples once.
 *
 * @example
 * wasserstein1(a, b) / iqr(a); // the normalized effect the numeric test reports
 */
export function wasserstein1(a: WeightedSample, b: WeightedSample): number {
  const na = a.values.length;
  const nb = b.values.length;
  if (na === 0 || nb === 0) return NaN;
  let ta = 0;
  let tb = 0;
  for (let i = 0; i < na; i++) ta += a.weights[i] as number;
  for (let i = 0; i < nb; i++) tb += b.weights[i] as number;
  let i = 0;
  let j = 0;
  let fa = 0;
  let fb = 0;
  let prev = Math.min(a.values[0] as number, b.values[0] as number);
  let area = 0;
  while (i < na || j < nb) {
    const va = i < na ? (a.values[i] as number) : Infinity;
    const vb = j < nb ? (b.values[j] as number) : Infinity;
    const x = Math.min(va, vb);
    area += Math.abs(fa - fb) * (x - prev);
    prev = x;
    while (i < na && a.values[i] === x) fa += (a.weights[i++] as number) / ta;
    while (j < nb && b.values[j] === x) fb += (b.weights[j++] as number) / tb;
  }
  return area;
}

/**
 * The scale a numeric effect is normalized by: the interquartile range, or when that is 0 (a
 * feature with a dominant value) 1.4826·MAD, or when that is 0 too the standard deviation.
 * Returns 0 only for a constant sample.
 *
 * @example
 * robustScale(baselineSample); // IQR
 */
export function robustScale(s: WeightedSample): number {
  const iqr = weightedQuantile(s, 0.75) - weightedQuantile(s, 0.25);
  if (iqr > 0) return iqr;
  const med = weightedQuantile(s, 0.5);
  const dev = Float64Array.from(s.values, (v) => Math.abs(v - med));
  const order = Array.from(dev.keys()).sort((x, y) => (dev[x] as number) - (dev[y] as number));
  const sorted: WeightedSample = {
    values: Float64Array.from(order, (i) => dev[i] as number),
    weights: Float64Array.from(order, (i) => s.weights[i] as number),
    equalWeights: s.equalWeights,
    ess: s.ess,
  };
  const mad = 1.4826 * weightedQuantile(sorted, 0.5);
  if (mad > 0) return mad;
  let t = 0;
  let m = 0;
  for (let i = 0; i < s.values.length; i++) {
    t += s.weights[i] as number;
    m += (s.weights[i] as number) * (s.values[i] as number);
  }
  m /= t;
  let v = 0;
  for (let i = 0; i < s.values.length; i++) v += (s.weights[i] as number) * ((s.values[i] as number) - m) ** 2;
  return Math.sqrt(v / t);
}
