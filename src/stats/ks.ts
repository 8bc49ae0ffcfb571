import { StatsInputError } from './errors.ts';
import { attemptExact, roundHalfEven } from './ks-exact.ts';
import type { Alternative } from './ks-exact.ts';
import { kstwoSf } from './kolmogorov.ts';
import { sortedCopy } from './sort.ts';

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
  return ks2sampOnSorted(sortedCopy(x, 'x'), sortedCopy(y, 'y'), opts);
}

/**
 * `ks2samp` for a cached, already-sorted reference (`sortedRef` plays the role of x) against a fresh
 * window y: only the window is sorted, then one merge walk. For a 10^6 reference and 10^4 window this
 * is a few milliseconds. The reference is checked to be sorted and NaN-free (an O(n) pass) because a
 * stale or unsorted cache would silently produce a wrong statistic.
 *
 * @example
 * ```ts
 * const ref = new Float64Array([1, 2, 3, 4, 5]) // sorted once, reused
 * ks2sampSorted(ref, [2.5, 3.5, 9]).statistic // 0.4666666666666667
 * ```
 */
export function ks2sampSorted(sortedRef: Float64Array, y: ArrayLike<number>, opts: Ks2sampOptions = {}): Ks2sampResult {
  checkNonEmpty(sortedRef.length, y.length);
  for (let i = 0; i < sortedRef.length; i++) {
    const v = sortedRef[i] as number;
    if (v !== v) throw new StatsInputError('nan', `sortedRef[${i}] is NaN`);
    if (i > 0 && (sortedRef[i - 1] as number) > v) throw new StatsInputError('unsorted', `sortedRef is not sorted at index ${i}`);
  }
  return ks2sampOnSorted(sortedRef, sortedCopy(y, 'y'), opts);
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
  while (i < n1 || j < n2) {
    const av = i < n1 ? (a[i] as number) : Infinity;
    const bv = j < n2 ? (b[j] as number) : Infinity;
    const v = av <= bv ? av : bv;
    let inA = false;
    let inB = false;
    // Exhausted arrays report +Infinity, so a real +Infinity sample value needs the index guard.
    while (i < n1 && (a[i] as number) === v) {
      i++;
      inA = true;
    }
    while (j < n2 && (b[j] as number) === v) {
      j++;
      inB = true;
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
  const ex = ecdfExtremes(a, b);
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
