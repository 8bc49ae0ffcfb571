import { binomialPower, chiSquarePowerApprox, normalPower, normalQuantile } from '../stats/index.ts';
import { isTest, type DriftOptions, type DriftTest, type MdeInput, type TestOutcome } from './analyze-types.ts';

/**
 * The minimum-detectable-effect policy of drift tests. Every distribution test states, from its
 * sizes and baseline only (never from the window's outcome), its power to detect the configured
 * minimum effect at the run's Bonferroni level α / (tests in the run) — the p-value a lone finding
 * needs to pass Benjamini–Hochberg. Below {@link MIN_POWER}:
 *
 * - an hourly window is pooled with the previous hour for that test (`analyzeDrift`), and
 * - a test that still does not breach is reported `insufficient_data`, not "no drift": a
 *   non-significant result of a test that could not have detected the minimum change is not
 *   evidence that nothing changed. Hysteresis counts it neither as a breach nor as a clean window.
 *
 * Because the decision depends on sizes and the baseline only, choosing the test's span by it does
 * not bias the p-values (independent filtering, Bourgon, Gentleman & Huber 2010).
 */

/** Power below which a window "cannot detect the minimum effect". */
export const MIN_POWER = 0.5;

/**
 * The smallest location shift, in standard deviations, that clears both numeric thresholds for a
 * normal (or, on the log scale, lognormal) feature: KS D = 2Φ(s/2) − 1 ≥ `minKsD` and
 * W1 / IQR = s / 1.349 ≥ `minWasserstein`.
 *
 * @example
 * minStandardizedShift({ minKsD: 0.1, minWasserstein: 0.1 }); // ≈ 0.251
 */
export function minStandardizedShift(opts: Pick<DriftOptions, 'minKsD' | 'minWasserstein'>): number {
  const byD = 2 * normalQuantile((1 + Math.min(opts.minKsD, 0.999999)) / 2);
  const byW = 2 * normalQuantile(0.75) * opts.minWasserstein;
  return Math.max(byD, byW);
}

/**
 * The smallest rate change that clears both rate thresholds from baseline rate `p0`: at least
 * `minRateChange` points and `minRelativeRateChange` of the rarer side.
 *
 * @example
 * minRateDelta(0.015, { minRateChange: 0.01, minRelativeRateChange: 0.25 }); // 0.01
 * minRateDelta(0.97, { minRateChange: 0.01, minRelativeRateChange: 0.25 }); // 0.01 (25% of 3%)
 */
export function minRateDelta(p0: number, opts: Pick<DriftOptions, 'minRateChange' | 'minRelativeRateChange'>): number {
  return Math.max(opts.minRateChange, opts.minRelativeRateChange * Math.min(p0, 1 - p0));
}

/**
 * Power of a test to detect the configured minimum effect at `level` (two-sided), from its
 * {@link MdeInput}:
 *
 * - rate: exact binomial power of the window's count against the baseline rate (the baseline,
 *   ~100× larger, is taken as known) for p0 ± the minimum change, the better direction;
 * - location (numeric): large-sample power of the Mann–Whitney test for the minimum standardized
 *   shift of a normal (on the log scale: lognormal) feature, √(3/π) of the t-test's noncentrality
 *   (its asymptotic relative efficiency 3/π);
 * - categorical: the G-test's noncentrality for the minimum Jensen–Shannon distance d, using
 *   χ²-divergence ≈ 8·ln2·d² for nearby distributions (Patnaik's approximation of the power).
 *
 * @example
 * mdePower({ kind: 'rate', n: 145, p0: 0.009 }, config.drift, 3e-5); // ≈ 0.02: a quiet hour cannot show it
 */
export function mdePower(input: MdeInput, opts: DriftOptions, level: number): number {
  const a = Math.min(Math.max(level, 1e-300), 0.5);
  switch (input.kind) {
    case 'rate': {
      if (!(input.n >= 1) || !Number.isFinite(input.p0)) return 0;
      const p0 = Math.min(1, Math.max(0, input.p0));
      const d = minRateDelta(p0, opts);
      const up = p0 + d <= 1 ? binomialPower(input.n, p0, p0 + d, a / 2).power : 0;
      const down = p0 - d >= 0 ? binomialPower(input.n, p0, p0 - d, a / 2).power : 0;
      return Math.max(up, down);
    }
    case 'location': {
      if (!(input.n >= 2 && input.m >= 2)) return 0;
      const s = minStandardizedShift(opts);
      return normalPower((Math.sqrt(3 / Math.PI) * s) / Math.sqrt(1 / input.n + 1 / input.m), a);
    }
    case 'categorical': {
      if (!(input.n >= 1 && input.m >= 1) || input.labels < 2) return 0;
      const chi2 = 8 * Math.LN2 * opts.minJsDistance * opts.minJsDistance;
      const lambda = (chi2 * input.n * input.m) / (input.n + input.m);
      return chiSquarePowerApprox(lambda, input.labels - 1, a);
    }
  }
}

/**
 * Words for an `insufficient_data` entry of a test that did not breach and could not detect the
 * minimum effect.
 *
 * @example
 * underpoweredDetail(test, 3e-5); // "refusal rate: n = 145 (2h) could detect the minimum change with 2% power at p < 3e-5; p = 0.53 is not evidence of no drift"
 */
export function underpoweredDetail(t: DriftTest, level: number): string {
  const hours = t.pooled ? t.pooled.hours + 1 : t.details?.spanPValues ? 2 : 1;
  const span = hours > 1 ? ` (${hours}h)` : '';
  const n = t.mde ? Math.floor(t.mde.n) : t.n;
  const label = t.headline.split(/ (?:p50|p95|mean|\d)/)[0] ?? t.subject;
  return (
    `${label}: n = ${n}${span} could detect the minimum change with ${Math.round(100 * (t.power ?? 0))}% power at p < ${level.toPrecision(2)}; ` +
    `${t.test} p = ${t.pValue.toPrecision(2)} is not evidence of no drift`
  );
}

/** Two-sided p-value below which one hour alone "shows" a change in the pooled direction. */
export const CORROBORATION_P = 0.2;

/**
 * Whether one hour's own tests show the change a pooled test found: same direction (rates: sign
 * of the rate change; numeric: Mann–Whitney's P(window > baseline) against ½) at two-sided p < {@link CORROBORATION_P}, i.e.
 * one-sided p < 0.1 (categoricals, which have no direction: G-test p < 0.1). Under no change an
 * hour passes 10% of the time, so a pooled breach carried by a one-hour blip is rarely counted
 * for both hours, while a sustained change passes in each hour most of the time.
 *
 * @example
 * corroborates(pooledBreach, testsOfThePreviousHourAlone); // true
 */
export function corroborates(pooled: readonly DriftTest[], hour: readonly TestOutcome[]): boolean {
  const ref = pooled.find((t) => t.test === 'mann_whitney') ?? pooled[0];
  if (!ref) return false;
  const own = hour.filter(isTest).find((t) => t.test === ref.test);
  if (!own) return false;
  if (ref.kind === 'drift.categorical') return own.pValue < CORROBORATION_P / 2;
  const sign = (t: DriftTest) =>
    Math.sign(t.effect.probabilityOfSuperiority !== undefined ? t.effect.probabilityOfSuperiority - 0.5 : (t.effect.absoluteChange ?? 0));
  return own.pValue < CORROBORATION_P && sign(own) !== 0 && sign(own) === sign(ref);
}
