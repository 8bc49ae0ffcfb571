import { chooseStatistic, ecdfExtremes } from './ecdf-extremes.ts';
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
   * SortedReference.values(ref)[0] // the smallest reference value
   * ```
   */
  static values(ref: SortedReference): Float64Array {
    return ref.#values;
  }
}

/**
 * `ks2samp` for a cached reference (it plays the role of x) against a fresh window y. Only the window is
 * sorted; the ECDF walk skips runs of reference values by galloping search, so a window much smaller than
 * the reference costs O(m log n) rather than O(n + m), with results identical to `ks2samp` bit for bit.
 * Pass a `SortedReference` to skip validation entirely; a plain sorted Float64Array is accepted too but is checked (sorted, NaN-free) in O(n) on every call, because a
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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Core of ks2samp once both samples are sorted and validated (it checks neither). */
function ks2sampOnSorted(a: Float64Array, b: Float64Array, opts: Ks2sampOptions = {}): Ks2sampResult {
  const alternative = opts.alternative ?? 'two-sided';
  let mode = opts.method ?? 'auto';
  if (!['two-sided', 'less', 'greater'].includes(alternative)) {
    throw new StatsInputError('range', `invalid alternative: ${String(alternative)}`);
  }
  if (!['auto', 'exact', 'asymp'].includes(mode)) throw new StatsInputError('range', `invalid method: ${String(mode)}`);
  checkNonEmpty(a.length, b.length);
  const n1 = a.length;
  const n2 = b.length;
  const chosen = chooseStatistic(ecdfExtremes(a, b), alternative);
  let d = chosen.d;
  const { location, sign } = chosen;
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
