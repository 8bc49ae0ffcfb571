import { ks2sampSorted, ks2sampWeighted, logGamma, mannWhitneyUSorted } from '../stats/index.ts';
import type { NumericAgg } from './aggregate.ts';
import { weightTotals, type DriftOptions, type DriftTest, type TestOutcome } from './analyze-types.ts';
import type { NumericFeature } from './features.ts';
import { formatChange, formatValue } from './format.ts';
import type { NumericBaseline } from './baseline.ts';
import { assembleSample, log1pScale, wasserstein1 } from './sample.ts';
import { sketchQuantiles } from './sketch.ts';

/**
 * Fewest effective observations per side for any drift test. Below it a "significant" result
 * would rest on one or two extreme values, and the effect sizes (KS D ≥ 0.5 for n = 1) mean
 * nothing.
 */
export const MIN_EFFECTIVE_N = 5;

/**
 * The smallest two-sided p-value a KS test of sizes n and m can return: both samples perfectly
 * separated (D = 1), probability 2 / C(n+m, n) under the null. When it is not below α, no data
 * could ever make the test significant: the honest answer is `insufficient_data`, not "no drift".
 *
 * @example
 * ksMinPValue(3, 3); // 0.1
 * ksMinPValue(5, 50) < 0.01; // true
 */
export function ksMinPValue(n: number, m: number): number {
  if (n < 1 || m < 1) return 1;
  const logC = logGamma(n + m + 1) - logGamma(n + 1) - logGamma(m + 1);
  return Math.min(1, 2 * Math.exp(-logC));
}

/** The levels of a summary's p50, p95 and p99. */
export const SUMMARY_LEVELS: readonly number[] = [0.5, 0.95, 0.99];

/**
 * Summary of a numeric feature over some hours (the `baseline`/`current` of a finding).
 * `quantiles`: the {@link SUMMARY_LEVELS} quantiles of the merge of the hours' sketches, when the
 * caller has merged them already (default: merged here).
 *
 * @example
 * numericSummary(hours.map((h) => h.num.output_tokens), feature).p95;
 */
export function numericSummary(
  aggs: readonly NumericAgg[],
  feature: NumericFeature,
  quantiles: readonly number[] = sketchQuantiles(
    aggs.map((a) => a.sk),
    SUMMARY_LEVELS,
  ),
): Record<string, number | string> {
  const { n, w, ess } = weightTotals(aggs);
  let s = 0;
  for (const a of aggs) s += a.s;
  const [p50, p95, p99] = quantiles as [number, number, number];
  return { n, weightedN: round(w), effectiveN: round(ess), mean: round(w > 0 ? s / w : NaN), p50: round(p50), p95: round(p95), p99: round(p99), unit: feature.unit };
}

const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);

function examples(aggs: readonly NumericAgg[], up: boolean): string[] {
  const all: [number, string][] = [];
  for (const a of aggs) all.push(...(up ? a.hi : a.lo));
  all.sort((x, y) => (up ? y[0] - x[0] : x[0] - y[0]) || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return [...new Set(all.map((e) => e[1]))].slice(0, 5);
}

/**
 * Tests of a numeric feature: the window's values against the baseline's (both assembled from
 * hourly bottom-k samples), with two tests in the run's BH family:
 *
 * - two-sample KS: any change of shape. Unweighted (exact p-values for small samples) when every
 *   value carries the same weight, else the weighted variant with Kish effective sizes;
 * - Mann–Whitney U on the same values (rank-based, so the log scale is irrelevant): a shift of
 *   the bulk, where it needs about a third of the rows KS needs (a +30% answer length on 44 night
 *   rows gives z ≈ 3.8, KS D ≈ 0.23 at p ≈ 0.01). Rank-based rather than Welch's t on log values:
 *   the few error calls with 0 tokens/s sit far below the bulk on the log scale, and a window
 *   without them moved the log mean enough for t ≈ 5 in a null replay (5 false firings a week);
 *   ranks bound each value's influence. Unweighted samples only (mixed sample rates: KS alone).
 *
 * Both carry the same effect sizes and must clear the same thresholds: KS D and the Wasserstein-1
 * distance normalized by the baseline IQR, on the log scale for skewed features. A subject breaches
 * when either test does (one fingerprint for hysteresis).
 *
 * Returns `[]` when neither side has values (the feature does not apply to the route), one
 * `insufficient_data` entry when a side is too small.
 *
 * @example
 * const [ks, mw] = testNumeric('answer', feature, windowAggs, numericBaselineOf(baseline, 'answer', feature.name), config.drift);
 */
export function testNumeric(
  route: string,
  feature: NumericFeature,
  window: readonly NumericAgg[],
  baseline: NumericBaseline | undefined,
  opts: DriftOptions,
): TestOutcome[] {
  const nWin = window.reduce((t, a) => t + a.n, 0);
  const nBase = baseline?.n ?? 0;
  if (nWin === 0 && nBase === 0) return [];
  const miss = (detail: string): TestOutcome[] => [{ route, subject: feature.name, reason: 'insufficient_data', detail }];
  if (nWin === 0) return miss(`no ${feature.label} values in the window (baseline n = ${nBase})`);
  if (nBase === 0 || !baseline) return miss(`no ${feature.label} values in the baseline (window n = ${nWin})`);

  const map = feature.skewed ? log1pScale : undefined;
  const win = assembleSample(window, map);
  const base = baseline.sample;
  const weighted = !(win.equalWeights && base.equalWeights);
  const sizes = weighted ? [Math.floor(win.ess), Math.floor(base.ess)] : [win.values.length, base.values.length];
  if (Math.min(sizes[0] as number, sizes[1] as number) < MIN_EFFECTIVE_N) {
    return miss(`n = ${sizes[0]} vs ${sizes[1]} is below the minimum of ${MIN_EFFECTIVE_N} effective values per side`);
  }
  const minP = ksMinPValue(sizes[0] as number, sizes[1] as number);
  if (minP >= opts.alpha) {
    return miss(
      `KS at n = ${sizes[0]} vs ${sizes[1]} cannot reach p < ${opts.alpha} (smallest possible p = ${minP.toPrecision(2)})`,
    );
  }
  const ks = weighted
    ? ks2sampWeighted(win.values, win.weights, base.values, base.weights)
    : ks2sampSorted(base.values, win.values);
  const scale = baseline.scale;
  const w1 = wasserstein1(win, base);
  const wNorm = scale > 0 ? w1 / scale : w1 > 0 ? Infinity : 0;
  const effectRatio = Math.min(ks.statistic / opts.minKsD, wNorm / opts.minWasserstein);

  const current = numericSummary(window, feature);
  const before = baseline.summary;
  // Show the quantile that moved most: a tail-only change (p95) reads better than an unchanged p50.
  const rel = (q: 'p50' | 'p95') => Math.abs((current[q] as number) / (before[q] as number) - 1);
  const q = rel('p95') > 2 * rel('p50') ? 'p95' : 'p50';
  const from = before[q] as number;
  const to = current[q] as number;
  const up = to > from || (to === from && (current.mean as number) >= (before.mean as number));
  const common = {
    kind: 'drift.numeric' as const,
    route,
    subject: feature.name,
    effect: { ksD: round(ks.statistic), wasserstein: round(wNorm) },
    effectRatio,
    n: nWin,
    m: nBase,
    headline: `${feature.label} ${q} ${formatValue(from, feature.unit)} → ${formatValue(to, feature.unit)} (${formatChange(from, to)})`,
    baseline: before,
    current,
    examples: examples(window, up),
    mde: { kind: 'location' as const, n: sizes[0] as number, m: sizes[1] as number },
  };
  const shared = {
    sampleSizes: [win.values.length, base.values.length],
    effectiveSizes: [round(win.ess), round(base.ess)],
    scale: feature.skewed ? 'log1p' : 'linear',
    normalizedBy: 'baseline IQR',
  };
  const ksTest: DriftTest = {
    ...common,
    test: weighted ? 'ks_weighted' : 'ks',
    statistic: ks.statistic,
    pValue: ks.pValue,
    testText: `KS D = ${ks.statistic.toFixed(2)}`,
    details: { method: weighted ? 'weighted (Kish effective sizes, asymptotic)' : ks.method, ...shared },
  };
  if (weighted) return [ksTest];
  const mw = mannWhitneyUSorted(win.values, base.values);
  const auc = mw.probabilityOfSuperiority;
  const rankTest: DriftTest = {
    ...common,
    effect: { ...common.effect, probabilityOfSuperiority: round(auc) },
    test: 'mann_whitney',
    statistic: mw.statistic,
    pValue: mw.pValue,
    testText: `Mann–Whitney P(window > baseline) = ${auc.toFixed(2)}, KS D = ${ks.statistic.toFixed(2)}`,
    details: { method: 'normal approximation, tie-corrected', ...shared },
  };
  return [ksTest, rankTest];
}
