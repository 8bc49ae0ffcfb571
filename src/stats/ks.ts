import { StatsInputError } from './errors.ts';
import { attemptExact, roundHalfEven } from './ks-exact.ts';
import type { Alternative } from './ks-exact.ts';
import { kstwoSf } from './kolmogorov.ts';
import { sortedCopy, sortedTransient } from './sort.ts';

export type { Alternative } from './ks-exact.ts';

/** Options for the two-sample KS test; same names and meanings as `scipy.stats.ks_2samp`. */
export interface Ks2sampOptions {
  /**
   * `two-sided`: the CDFs differ. `less`: F_x(t) < F_y(t) somewhere, statistic max(F_y - F_x).
   * `greater`: F_x(t) > F_y(t) somewhere, statistic max(F_x - F_y). Default `two-sided`.
   */
  alternative?: Alternative;
  /** `auto` = exact when max(n1, n2) <= 10,000, else asymptotic. Default `auto`. */
  method?: 'auto' | 'exact' | 'asymp';
}

/** Result of a two-sample KS test, field-for-field like scipy's `KstestResult`. */
export interface Ks2sampResult {
  statistic: number;
  pValue: number;
  /** The method actually used: `exact` can fall back to `asymp` (scipy warns; see `warning`). */
  method: 'exact' | 'asymp';
  /** The data value at which the ECDF difference attains the statistic. */
  statisticLocation: number;
  /** +1 if F_x - F_y attains the statistic there, -1 if F_y - F_x does. */
  statisticSign: 1 | -1;
  /** Set when scipy would have emitted a RuntimeWarning (exact impossible → asymp). */
  warning?: string;
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/**
 * Two-sample Kolmogorov–Smirnov test with the semantics and numbers of `scipy.stats.ks_2samp` (scipy 1.17):
 * exact p-values (Hodges lattice paths) when max(n1, n2) <= 10,000 under `auto`, otherwise
 * `kstwo.sf(D, round(n1·n2/(n1+n2)))` two-sided or Hodges' one-sided approximation; when the exact
 * computation overflows it switches to `asymp` exactly where scipy does and says so in `method`/`warning`.
 *
 * Input: NaN is rejected with `StatsInputError('nan')` (scipy would propagate NaN; we never guess),
 * an empty sample throws `StatsInputError('empty')`. ±Infinity is accepted. Inputs are not mutated.
 *
 * @example
 * ```ts
 * const r = ks2samp([0.1, 0.4, 0.7], [0.5, 0.9, 1.3, 2.0])
 * // r.statistic === 0.75, r.method === 'exact'
 * ```
 */
export function ks2samp(x: ArrayLike<number>, y: ArrayLike<number>, opts: Ks2sampOptions = {}): Ks2sampResult {
  checkNonEmpty(x.length, y.length);
  // The sorted copies are only needed during this call, so they live in reused buffers.
  return ks2sampOnSorted(sortedTransient(x, 'x', 0), sortedTransient(y, 'y', 1), opts);
}

/**
 * A validated, sorted private copy of a reference sample, for repeated `ks2sampSorted` calls. Sorting
 * and the NaN check happen once here; the copy is private so a caller cannot un-sort it later.
 *
 * @example
 * ```ts
 * const ref = new SortedReference(last30DaysLatencies) // once per cache refresh
 * ks2sampSorted(ref, currentWindow)                    // many times
 * ```
 */
export class SortedReference {
  readonly #values: Float64Array;

  constructor(values: ArrayLike<number>) {
    if (values.length === 0) throw new StatsInputError('empty', 'reference sample is empty');
    this.#values = sortedCopy(values, 'reference');
  }

  /** Number of reference values. */
  get size(): number {
    return this.#values.length;
  }

  /**
   * Read access to the sorted values without copying (do not mutate them).
   *
   * @example
   * ```ts
   * ks2sampOnSorted(SortedReference.values(ref), sortedCopy(window, 'window'))
   * ```
   */
  static values(ref: SortedReference): Float64Array {
    return ref.#values;
  }
}

/**
 * `ks2samp` for a cached reference (it plays the role of x) against a fresh window y. Only the window is
 * sorted; when the window is much smaller than the reference the ECDF extremes are found by binary
 * searching the window's values into the reference (O(m log n) instead of an O(n + m) walk), with results
 * identical to `ks2samp` bit for bit. Pass a `SortedReference` to skip validation entirely; a plain
 * sorted Float64Array is accepted too but is checked (sorted, NaN-free) in O(n) on every call, because a
 * stale or unsorted cache would silently give a wrong statistic.
 *
 * @example
 * ```ts
 * const ref = new SortedReference([5, 1, 4, 2, 3])
 * ks2sampSorted(ref, [2.5, 3.5, 9]).statistic // 0.4
 * ```
 */
export function ks2sampSorted(
  sortedRef: SortedReference | Float64Array,
  y: ArrayLike<number>,
  opts: Ks2sampOptions = {},
): Ks2sampResult {
  let ref: Float64Array;
  if (sortedRef instanceof SortedReference) {
    ref = SortedReference.values(sortedRef);
  } else {
    ref = sortedRef;
    checkNonEmpty(ref.length, y.length);
    for (let i = 0; i < ref.length; i++) {
      const v = ref[i] as number;
      if (v !== v) throw new StatsInputError('nan', `sortedRef[${i}] is NaN`);
      if (i > 0 && (ref[i - 1] as number) > v) throw new StatsInputError('unsorted', `sortedRef is not sorted at index ${i}`);
    }
  }
  checkNonEmpty(ref.length, y.length);
  return ks2sampOnSorted(ref, sortedTransient(y, 'y', 1), opts);
}

function checkNonEmpty(n1: number, n2: number): void {
  if (n1 === 0 || n2 === 0) {
    throw new StatsInputError('empty', `ks2samp needs two non-empty samples (got sizes ${n1} and ${n2})`);
  }
}

/** Extremes of F_x - F_y over the pooled sample, with scipy's argmax/argmin tie-breaking. */
interface EcdfExtremes {
  maxS: number;
  locMax: number;
  minS: number;
  locMin: number;
}

/**
 * Merge walk over two sorted samples evaluating cdf1 - cdf2 at every distinct pooled value (searchsorted
 * 'right' semantics). scipy takes np.argmax over concat(sorted x, sorted y), i.e. the first occurrence
 * in that order: a value present in x beats any value present only in y; within each, the smallest wins.
 * The differences are computed as i/n1 - j/n2, the same float operations numpy performs, so ties
 * between locations resolve identically.
 */
function ecdfExtremes(a: Float64Array, b: Float64Array): EcdfExtremes {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let max1 = -Infinity;
  let loc1Max = NaN;
  let max2 = -Infinity;
  let loc2Max = NaN;
  let min1 = Infinity;
  let loc1Min = NaN;
  let min2 = Infinity;
  let loc2Min = NaN;
  // Three-way merge on the heads; each branch consumes one distinct value (with all its ties).
  while (i < n1 || j < n2) {
    let v: number;
    let inA: boolean;
    let inB: boolean;
    if (j >= n2) {
      v = a[i] as number;
      inA = true;
      inB = false;
    } else if (i >= n1) {
      v = b[j] as number;
      inA = false;
      inB = true;
    } else {
      const av = a[i] as number;
      const bv = b[j] as number;
      inA = av <= bv;
      inB = bv <= av;
      v = inA ? av : bv;
    }
    if (inA) {
      i++;
      while (i < n1 && (a[i] as number) === v) i++;
    }
    if (inB) {
      j++;
      while (j < n2 && (b[j] as number) === v) j++;
    }
    const diff = i / n1 - j / n2;
    if (inA) {
      if (diff > max1) {
        max1 = diff;
        loc1Max = v;
      }
      if (diff < min1) {
        min1 = diff;
        loc1Min = v;
      }
    }
    if (inB) {
      if (diff > max2) {
        max2 = diff;
        loc2Max = v;
      }
      if (diff < min2) {
        min2 = diff;
        loc2Min = v;
      }
    }
  }
  const maxS = max1 >= max2 ? max1 : max2;
  const locMax = max1 >= max2 ? loc1Max : loc2Max;
  const minDiff = min1 <= min2 ? min1 : min2;
  const locMin = min1 <= min2 ? loc1Min : loc2Min;
  // scipy clips -min to [0, 1] so a "no negative excursion" reads as 0, never -0 or negative.
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return { maxS, locMax, minS, locMin };
}

/**
 * First index k >= lo with a[k] > v (numpy searchsorted side='right'). Gallops from `lo` before
 * bisecting: successive window values land close together, so probes stay in cache instead of
 * jumping across an 8 MB reference (plain bisection was slower than the linear walk at 10^4 vs 10^6).
 */
function upperBound(a: Float64Array, v: number, lo: number): number {
  const n = a.length;
  let step = 1;
  let hi = lo;
  while (hi < n && (a[hi] as number) <= v) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index k >= lo with a[k] >= v (side='left'), galloping like `upperBound`. */
function lowerBound(a: Float64Array, v: number, lo: number): number {
  const n = a.length;
  let step = 1;
  let hi = lo;
  while (hi < n && (a[hi] as number) < v) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Same result as `ecdfExtremes` (including tie-breaking and float operations) in O(m log n) for a small
 * sorted b against a large sorted a. Between consecutive distinct b values, j is constant and
 * i/n1 - j/n2 strictly increases over the a-only values, so only the first a value of each gap can be
 * a minimum and only the last one a maximum; those candidates are visited in ascending order, which is
 * what the strict comparisons of the full walk need.
 */
function ecdfExtremesBySearch(a: Float64Array, b: Float64Array): EcdfExtremes {
  const n1 = a.length;
  const n2 = b.length;
  let max1 = -Infinity;
  let loc1Max = NaN;
  let max2 = -Infinity;
  let loc2Max = NaN;
  let min1 = Infinity;
  let loc1Min = NaN;
  let min2 = Infinity;
  let loc2Min = NaN;
  let iPrev = 0; // count of a <= previous window value
  let j = 0;
  const gap = (end: number): void => {
    // a[iPrev .. end-1] lie strictly between the previous and the next window value.
    if (iPrev >= end) return;
    const first = a[iPrev] as number;
    const dMin = upperBound(a, first, iPrev) / n1 - j / n2;
    if (dMin > max1) {
      max1 = dMin;
      loc1Max = first;
    }
    if (dMin < min1) {
      min1 = dMin;
      loc1Min = first;
    }
    const last = a[end - 1] as number;
    const dMax = end / n1 - j / n2;
    if (dMax > max1) {
      max1 = dMax;
      loc1Max = last;
    }
    if (dMax < min1) {
      min1 = dMax;
      loc1Min = last;
    }
  };
  let k = 0;
  while (k < n2) {
    const w = b[k] as number;
    gap(lowerBound(a, w, iPrev));
    while (k < n2 && (b[k] as number) === w) k++;
    j = k;
    const i = upperBound(a, w, iPrev);
    const diff = i / n1 - j / n2;
    if (i > 0 && (a[i - 1] as number) === w) {
      if (diff > max1) {
        max1 = diff;
        loc1Max = w;
      }
      if (diff < min1) {
        min1 = diff;
        loc1Min = w;
      }
    }
    if (diff > max2) {
      max2 = diff;
      loc2Max = w;
    }
    if (diff < min2) {
      min2 = diff;
      loc2Min = w;
    }
    iPrev = i;
  }
  gap(n1);
  const maxS = max1 >= max2 ? max1 : max2;
  const locMax = max1 >= max2 ? loc1Max : loc2Max;
  const minDiff = min1 <= min2 ? min1 : min2;
  const locMin = min1 <= min2 ? loc1Min : loc2Min;
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return { maxS, locMax, minS, locMin };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Core of ks2samp once both samples are sorted and validated; exported for callers that keep both sides sorted.
 *
 * @example
 * ```ts
 * ks2sampOnSorted(new Float64Array([1, 2]), new Float64Array([3, 4])).pValue // 0.3333333333333333
 * ```
 */
export function ks2sampOnSorted(a: Float64Array, b: Float64Array, opts: Ks2sampOptions = {}): Ks2sampResult {
  const alternative = opts.alternative ?? 'two-sided';
  let mode = opts.method ?? 'auto';
  if (!['two-sided', 'less', 'greater'].includes(alternative)) {
    throw new StatsInputError('range', `invalid alternative: ${String(alternative)}`);
  }
  if (!['auto', 'exact', 'asymp'].includes(mode)) throw new StatsInputError('range', `invalid method: ${String(mode)}`);
  checkNonEmpty(a.length, b.length);
  const n1 = a.length;
  const n2 = b.length;
  // Small window vs big reference: binary search beats walking the whole reference.
  const ex = b.length * 32 < a.length ? ecdfExtremesBySearch(a, b) : ecdfExtremes(a, b);
  let d: number;
  let location: number;
  let sign: 1 | -1;
  if (alternative === 'less' || (alternative === 'two-sided' && ex.minS > ex.maxS)) {
    d = ex.minS;
    location = ex.locMin;
    sign = -1;
  } else {
    d = ex.maxS;
    location = ex.locMax;
    sign = 1;
  }
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let prob = -Infinity;
  let warning: string | undefined;
  if (mode === 'auto') {
    mode = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  } else if (mode === 'exact' && n1g >= INT32_MAX / n2g) {
    mode = 'asymp';
    warning = `Exact ks_2samp calculation not possible with samples sizes ${n1} and ${n2}. Switching to 'asymp'.`;
  }
  if (mode === 'exact') {
    const attempt = attemptExact(n1, n2, g, d, alternative);
    d = attempt.d;
    prob = attempt.prob;
    if (!attempt.success) {
      mode = 'asymp';
      warning = 'ks_2samp: Exact calculation unsuccessful. Switching to method=asymp.';
    }
  }
  if (mode === 'asymp') {
    // The one-sided formula is not symmetric in the sizes: m must be the larger.
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    if (alternative === 'two-sided') {
      prob = kstwoSf(roundHalfEven(en), d);
    } else {
      // Hodges (1958) eq. 5.3
      const z = Math.sqrt(en) * d;
      const expt = -2 * z ** 2 - (((2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n))) / 3.0);
      prob = Math.exp(expt);
    }
  }
  prob = Math.min(Math.max(prob, 0), 1);
  const result: Ks2sampResult = {
    statistic: d,
    pValue: prob,
    method: mode === 'exact' ? 'exact' : 'asymp',
    // -0 and +0 tie in sorting, so which one scipy reports depends on numpy's sort internals; use +0.
    statisticLocation: location === 0 ? 0 : location,
    statisticSign: sign,
  };
  if (warning !== undefined) result.warning = warning;
  return result;
}
