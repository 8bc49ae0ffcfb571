import { studentTQuantile, wilsonInterval } from '../stats/index.ts';

/** One judged capture's contribution to an aggregate. */
export interface WeightedValue {
  /** Horvitz-Thompson weight: 1 / (capture sample_rate × judge selection probability). */
  readonly weight: number;
  readonly value: number;
}

/** A weighted estimate of a mean (or a rate) with its uncertainty. */
export interface Estimate {
  /** Hájek (ratio) estimate Σwy / Σw. */
  estimate: number;
  /** Linearisation standard error (with-replacement approximation, n/(n-1) corrected). */
  se: number;
  /** 95% interval: Student t on the linearised SE for means, Wilson on Kish n for rates. */
  ci: [number, number];
  /** Scored captures. */
  n: number;
  /** Kish effective sample size (Σw)² / Σw². */
  nEff: number;
  /** Estimated number of production calls these captures stand for (Σw). */
  represented: number;
}

/**
 * The weighted mean of judged values over a population, with standard error and a 95% interval.
 * `undefined` when fewer than two captures were scored: one value has no spread to report.
 *
 * Var(ȳ) ≈ n/(n−1) · Σ wᵢ²(yᵢ − ȳ)² / (Σ wᵢ)²  (Taylor linearisation of the ratio estimator).
 *
 * @param kind `rate` for 0/1 values: the interval is Wilson's on the Kish effective n, which
 * stays inside [0, 1] and does not collapse to zero width when every capture passed.
 * @example
 * weightedMean([{ weight: 10, value: 4 }, { weight: 10, value: 5 }, { weight: 20, value: 2 }]);
 * // { estimate: 3.25, se: 0.9622…, n: 3, nEff: 2.667, represented: 40, ci: […] }
 */
export function weightedMean(values: readonly WeightedValue[], kind: 'mean' | 'rate' = 'mean'): Estimate | undefined {
  const n = values.length;
  if (n < 2) return undefined;
  let sw = 0;
  let sw2 = 0;
  let swy = 0;
  for (const { weight, value } of values) {
    sw += weight;
    sw2 += weight * weight;
    swy += weight * value;
  }
  if (!(sw > 0)) return undefined;
  const mean = swy / sw;
  let ss = 0;
  for (const { weight, value } of values) ss += weight * weight * (value - mean) ** 2;
  const se = Math.sqrt(((n / (n - 1)) * ss) / (sw * sw));
  const nEff = (sw * sw) / sw2;
  let ci: [number, number];
  if (kind === 'rate') {
    ci = wilson(mean, nEff);
  } else {
    const t = studentTQuantile(0.975, n - 1);
    ci = [mean - t * se, mean + t * se];
  }
  return { estimate: mean, se, ci, n, nEff, represented: sw };
}

/**
 * Wilson score interval for a proportion `p` observed with an effective sample size `n` (which
 * need not be an integer: the Kish n of weighted data): `wilsonInterval` of the stats module on
 * p·n successes, clipped to [0, 1] against rounding.
 *
 * @example
 * wilson(1, 20); // [0.8389…, 1]
 */
export function wilson(p: number, n: number, confidence = 0.95): [number, number] {
  const { lower, upper } = wilsonInterval(p * n, n, confidence);
  return [Math.max(0, lower), Math.min(1, upper)];
}
