import { sortFloat64 } from '../stats/sort.ts';
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
 * One sample of a whole span from its hourly bottom-k samples. Every hour keeps the rows whose
 * sampling key is below one common threshold τ — the smallest k-th key among hours that had more
 * rows than their sample holds — so each row of the span is kept with the same probability
 * whatever its hour's volume (coordinated bottom-k sampling). Busy hours are therefore not
 * under-represented next to quiet night hours, and no inflation weights are needed: with one
 * sample rate the weights stay equal and the exact unweighted KS applies. Values keep their
 * Horvitz–Thompson weight (1 / sample_rate). Optionally maps values (log1p for skewed features).
 *
 * @example
 * const s = assembleSample(hours.map((h) => h.num.output_tokens).filter(Boolean));
 * s.values.length; // rows of the span kept under the common threshold
 */
export function assembleSample(aggs: readonly NumericAgg[], map?: (x: number) => number): WeightedSample {
  let tau = Infinity;
  for (const a of aggs) {
    if (a.n > a.r.k.length && a.r.k.length > 0) tau = Math.min(tau, a.r.k[a.r.k.length - 1] as number);
  }
  // The columns are sorted by key: the rows an hour keeps are a prefix of them.
  const kept = aggs.map((a) => (tau === Infinity ? a.r.k.length : countAtMost(a.r.k, tau)));
  const shared = sharedWeight(aggs, kept);
  let values: Float64Array;
  let weights: Float64Array;
  if (shared !== undefined) {
    // One weight for every kept row (one sample rate: the common case). The kept values of all
    // hours are gathered and sorted once; with equal weights, ties are indistinguishable.
    values = gatherKept(aggs, kept, map);
    sortFloat64(values);
    weights = new Float64Array(values.length).fill(shared);
    // A weight of exactly 1: the sums are exact integers.
    if (shared === 1) return { values, weights, equalWeights: true, ess: values.length };
  } else {
    // Weights differ: each hour's kept rows are sorted with their weights (cached), then the
    // sorted runs are merged pairwise.
    let runs = aggs.map((a, i) => sortedRun(a, kept[i] as number, map)).filter((r) => r.values.length > 0);
    while (runs.length > 1) {
      const next: SortedRun[] = [];
      for (let i = 0; i < runs.length; i += 2) {
        const a = runs[i] as SortedRun;
        const b = runs[i + 1];
        next.push(b ? mergeRuns(a, b) : a);
      }
      runs = next;
    }
    ({ values, weights } = runs[0] ?? { values: new Float64Array(0), weights: new Float64Array(0) });
  }
  if (values.length === 0) return { values, weights, equalWeights: true, ess: 0 };
  let s = 0;
  let s2 = 0;
  const w0 = weights[0] as number;
  let equal = true;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    s += w;
    s2 += w * w;
    if (equal && Math.abs(w - w0) > 1e-9 * w0) equal = false;
  }
  return { values, weights, equalWeights: equal, ess: s2 > 0 ? (s * s) / s2 : 0 };
}

/** The weight every kept row of every hour has, when it is one and the same; else undefined. */
function sharedWeight(aggs: readonly NumericAgg[], kept: readonly number[]): number | undefined {
  let shared: number | undefined;
  for (let j = 0; j < aggs.length; j++) {
    const n = kept[j] as number;
    if (n === 0) continue;
    const w = (aggs[j] as NumericAgg).r.w;
    const w0 = w ? (w[0] as number) : 1;
    if (shared !== undefined && w0 !== shared) return undefined;
    shared = w0;
    if (w && !allEqual(w, n)) return undefined;
  }
  return shared ?? 1;
}

/**
 * Whether the first `n` numbers (default: all) are one and the same value, exactly.
 *
 * @example
 * allEqual(sample.weights); // one sample rate
 */
export function allEqual(xs: ArrayLike<number>, n: number = xs.length): boolean {
  const x0 = xs[0];
  for (let i = 1; i < n; i++) if (xs[i] !== x0) return false;
  return true;
}

/** The kept values of every hour, (mapped and) concatenated. */
function gatherKept(aggs: readonly NumericAgg[], kept: readonly number[], map?: (x: number) => number): Float64Array {
  let total = 0;
  for (const n of kept) total += n;
  const out = new Float64Array(total);
  let o = 0;
  for (let j = 0; j < aggs.length; j++) {
    const v = (aggs[j] as NumericAgg).r.v;
    const n = kept[j] as number;
    if (map) for (let i = 0; i < n; i++) out[o++] = map(v[i] as number);
    else for (let i = 0; i < n; i++) out[o++] = v[i] as number;
  }
  return out;
}

interface SortedRun {
  values: Float64Array;
  weights: Float64Array;
}

/** Sorted runs by hour aggregate, then by value map, then by the number of rows kept. */
const runCache = new WeakMap<NumericAgg, Map<unknown, Map<number, SortedRun>>>();

/**
 * The first `kept` rows of an hour's sample (those at or below the threshold), sorted by
 * (mapped) value with their weights: natively when the hour's weights are equal, else by an
 * index sort, stable in key order.
 */
function sortedRun(a: NumericAgg, kept: number, map?: (x: number) => number): SortedRun {
  const r = a.r;
  let byMap = runCache.get(a);
  const cacheKey = map ?? 'identity';
  const hit = byMap?.get(cacheKey)?.get(kept);
  if (hit) return hit;
  const values = new Float64Array(kept);
  for (let i = 0; i < kept; i++) values[i] = map ? map(r.v[i] as number) : (r.v[i] as number);
  const w = r.w;
  const w0 = w?.[0] ?? 1;
  let run: SortedRun;
  if (!w || allEqual(w, kept)) {
    run = { values: sortFloat64(values), weights: new Float64Array(kept).fill(w0) };
  } else {
    const idx = Array.from({ length: kept }, (_, i) => i);
    idx.sort((i, j) => (values[i] as number) - (values[j] as number));
    run = { values: Float64Array.from(idx, (i) => values[i] as number), weights: Float64Array.from(idx, (i) => (w as number[])[i] as number) };
  }
  if (!byMap) runCache.set(a, (byMap = new Map()));
  let byKept = byMap.get(cacheKey);
  if (!byKept) byMap.set(cacheKey, (byKept = new Map()));
  byKept.set(kept, run);
  return run;
}

/** How many of the ascending `keys` are at most `tau` (binary search). */
function countAtMost(keys: readonly number[], tau: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) <= tau) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** log(1 + max(0, x)): the scale skewed features are compared on (one shared function, so caches hit). */
export const log1pScale = (x: number): number => Math.log1p(Math.max(0, x));

function mergeRuns(a: SortedRun, b: SortedRun): SortedRun {
  const na = a.values.length;
  const nb = b.values.length;
  const values = new Float64Array(na + nb);
  const weights = new Float64Array(na + nb);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < na && j < nb) {
    if ((a.values[i] as number) <= (b.values[j] as number)) {
      values[o] = a.values[i] as number;
      weights[o++] = a.weights[i++] as number;
    } else {
      values[o] = b.values[j] as number;
      weights[o++] = b.weights[j++] as number;
    }
  }
  while (i < na) {
    values[o] = a.values[i] as number;
    weights[o++] = a.weights[i++] as number;
  }
  while (j < nb) {
    values[o] = b.values[j] as number;
    weights[o++] = b.weights[j++] as number;
  }
  return { values, weights };
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
  const { total, unit } = weightTotal(s.weights);
  const target = q * total;
  if (unit) {
    // Every weight exactly 1: the running sum after index i is exactly i + 1, so the first index
    // the loop below would stop at is computed directly (same comparison, same result).
    const t = target - 1e-12 * total;
    return s.values[Math.min(n - 1, Math.max(0, Math.ceil(t) - 1))] as number;
  }
  let cum = 0;
  for (let i = 0; i < n; i++) {
    cum += s.weights[i] as number;
    if (cum >= target - 1e-12 * total) return s.values[i] as number;
  }
  return s.values[n - 1] as number;
}

const totals = new WeakMap<Float64Array, { total: number; unit: boolean }>();

/** Σ weights (summed in order) and whether every weight is exactly 1; remembered per array (a scale asks for several quantiles). */
function weightTotal(weights: Float64Array): { total: number; unit: boolean } {
  let t = totals.get(weights);
  if (!t) {
    let total = 0;
    let unit = true;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      total += w;
      if (w !== 1) unit = false;
    }
    totals.set(weights, (t = { total, unit }));
  }
  return t;
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
  // The same in-order sums weightedQuantile takes, remembered per array.
  const ta = weightTotal(a.weights).total;
  const tb = weightTotal(b.weights).total;
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
 * feature with a dominant value) the standard deviation. Returns 0 only for a constant sample.
 * No MAD step between the two: an IQR of 0 puts at least half the weight on one value, which is
 * then the median, so at least half the absolute deviations are 0 and the MAD is 0 as well.
 *
 * @example
 * robustScale(baselineSample); // IQR
 */
export function robustScale(s: WeightedSample): number {
  const iqr = weightedQuantile(s, 0.75) - weightedQuantile(s, 0.25);
  if (iqr > 0) return iqr;
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
