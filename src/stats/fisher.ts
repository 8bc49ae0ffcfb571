import { StatsInputError } from './errors.ts';
import type { Alternative } from './ks-exact.ts';

/** Result of Fisher's exact test on a 2x2 table. */
export interface FisherResult {
  /** Sample odds ratio a·d/(b·c): Infinity when b·c = 0, NaN when a row or column is all zero. */
  oddsRatio: number;
  pValue: number;
}

/**
 * Hypergeometric distribution of the top-left cell given the margins, evaluated once over its whole
 * support by the pmf ratio recurrence from the mode (relative error ~ a few ulps per step, no lgamma
 * cancellation), then normalised.
 */
class Hypergeom {
  readonly lo: number;
  readonly hi: number;
  private readonly pmfs: Float64Array;

  constructor(total: number, good: number, draws: number) {
    this.lo = Math.max(0, draws - (total - good));
    this.hi = Math.min(good, draws);
    const size = this.hi - this.lo + 1;
    const w = new Float64Array(size);
    const mode = Math.min(this.hi, Math.max(this.lo, Math.floor(((draws + 1) * (good + 1)) / (total + 2))));
    const m = mode - this.lo;
    w[m] = 1;
    // p(k+1)/p(k) = (good-k)(draws-k) / ((k+1)(total-good-draws+k+1))
    for (let i = m; i < size - 1; i++) {
      const k = i + this.lo;
      w[i + 1] = ((w[i] as number) * ((good - k) * (draws - k))) / ((k + 1) * (total - good - draws + k + 1));
    }
    for (let i = m; i > 0; i--) {
      const k = i + this.lo;
      w[i - 1] = ((w[i] as number) * (k * (total - good - draws + k))) / ((good - k + 1) * (draws - k + 1));
    }
    let sum = 0;
    // Sum smallest-first for accuracy.
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => (w[a] as number) - (w[b] as number));
    for (const i of order) sum += w[i] as number;
    for (let i = 0; i < size; i++) w[i] = (w[i] as number) / sum;
    this.pmfs = w;
  }

  pmf(k: number): number {
    if (k < this.lo || k > this.hi) return 0;
    return this.pmfs[k - this.lo] as number;
  }

  /** P(X <= k), summed from the tail inward so small tails keep relative precision. */
  cdf(k: number): number {
    if (k < this.lo) return 0;
    if (k >= this.hi) return 1;
    let s = 0;
    for (let i = this.lo; i <= k; i++) s += this.pmf(i);
    return Math.min(s, 1);
  }

  /** P(X > k). */
  sf(k: number): number {
    if (k >= this.hi) return 0;
    if (k < this.lo) return 1;
    let s = 0;
    for (let i = this.hi; i > k; i--) s += this.pmf(i);
    return Math.min(s, 1);
  }
}

/** Largest i in [lo, hi] with f(i) <= d, for f ascending on the range (scipy's `_binary_search`). */
function binarySearch(f: (i: number) => number, d: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const v = f(mid);
    if (v < d) lo = mid + 1;
    else if (v > d) hi = mid - 1;
    else return mid;
  }
  return f(lo) <= d ? lo : lo - 1;
}

/**
 * Fisher's exact test on the 2x2 table [[a, b], [c, d]], matching `scipy.stats.fisher_exact`.
 * Two-sided p sums the probabilities of all tables no more likely than the observed one, with scipy's
 * relative tolerance 1 + 1e-14 (scipy 1.17 source; older docs mention 1e-7) to absorb rounding.
 * `less`: the odds ratio is < 1 (P(X <= a)); `greater`: > 1.
 *
 * @example
 * ```ts
 * fisherExact(8, 2, 1, 5).pValue // 0.03496503496503495
 * ```
 */
export function fisherExact(a: number, b: number, c: number, d: number, opts: { alternative?: Alternative } = {}): FisherResult {
  for (const v of [a, b, c, d]) {
    if (Number.isNaN(v)) throw new StatsInputError('nan', 'fisherExact: a count is NaN');
    if (v < 0 || !Number.isInteger(v)) throw new StatsInputError('range', 'fisherExact: counts must be non-negative integers');
  }
  const alternative = opts.alternative ?? 'two-sided';
  if (a + c === 0 || b + d === 0 || a + b === 0 || c + d === 0) return { oddsRatio: NaN, pValue: 1 };
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const hg = new Hypergeom(n1 + n2, n1, n);
  let pValue: number;
  if (alternative === 'less') {
    pValue = hg.cdf(a);
  } else if (alternative === 'greater') {
    pValue = new Hypergeom(n1 + n2, n1, b + d).cdf(b);
  } else {
    const mode = Math.floor(((n + 1) * (n1 + 1)) / (n1 + n2 + 2));
    const pexact = hg.pmf(a);
    const pmode = hg.pmf(mode);
    const epsilon = 1e-14;
    const gamma = 1 + epsilon;
    if (Math.abs(pexact - pmode) / Math.max(pexact, pmode) <= epsilon) return { oddsRatio, pValue: 1 };
    if (a < mode) {
      const plower = hg.cdf(a);
      if (hg.pmf(n) > pexact * gamma) return { oddsRatio, pValue: plower };
      const guess = binarySearch((x) => -hg.pmf(x), -pexact * gamma, mode, n);
      pValue = plower + hg.sf(guess);
    } else {
      const pupper = hg.sf(a - 1);
      if (hg.pmf(0) > pexact * gamma) return { oddsRatio, pValue: pupper };
      const guess = binarySearch((x) => hg.pmf(x), pexact * gamma, 0, mode);
      pValue = pupper + hg.cdf(guess);
    }
  }
  return { oddsRatio, pValue: Math.min(pValue, 1) };
}
