import type { NumericAgg } from './aggregate.ts';
import { labelCounts, type LabelCounts } from './analyze-categorical.ts';
import { numericSummary, SUMMARY_LEVELS } from './analyze-numeric.ts';
import { rateCounts, type RateCounts } from './analyze-rate.ts';
import { collect, type HourBuckets } from './buckets.ts';
import { CHART_LEVELS, chartOfQuantiles, type QuantileChart } from './quantile-chart.ts';
import { CATEGORICAL_FEATURES, FLAG_FEATURES, NUMERIC_FEATURES, type NumericFeature } from './features.ts';
import { assembleSample, log1pScale, robustScale, type WeightedSample } from './sample.ts';
import { sketchQuantiles } from './sketch.ts';

/**
 * A drift baseline reduced to what the analysis reads of it: per route and feature, the assembled
 * value sample with its scale, summary and chart quantiles, the summed rate counts, the summed
 * label counts. Every test compares the window with these, never with the baseline hours
 * themselves, so the reduction can be made once, away from the window (the queue runner builds it
 * in a `prepare` job beside the units), and the analysis is the same whichever process made it.
 *
 * Everything is computed by the functions the tests used on the hour lists (`assembleSample`,
 * `rateCounts`, `labelCounts`, `numericSummary`, the chart's quantiles), over the hours in
 * ascending order, so sums fold in the same order and results are identical to the last bit.
 */

/** A numeric feature's baseline on one route. */
export interface NumericBaseline {
  /** Rows (Σn over the hours). */
  readonly n: number;
  /** The hours' bottom-k samples assembled into one (log1p values for skewed features). */
  readonly sample: WeightedSample;
  /** `robustScale` of the sample: what Wasserstein distances are normalized by. */
  readonly scale: number;
  /** `numericSummary` of the hours: a finding's `baseline`. */
  readonly summary: Record<string, number | string>;
  /** `quantileChart` of the hours: a finding's `baseline.chart`. */
  readonly chart: QuantileChart | undefined;
}

/** A baseline as the analysis reads it. Build with {@link digestBaseline}. */
export interface BaselineDigest {
  /** Routes of any baseline hour, `*` included. */
  readonly routes: readonly string[];
  /** By `<route>|<feature>`: only pairs with at least one hour holding the feature. */
  readonly numeric: ReadonlyMap<string, NumericBaseline>;
  readonly flags: ReadonlyMap<string, RateCounts>;
  readonly cats: ReadonlyMap<string, LabelCounts>;
}

const cell = (route: string, feature: string): string => `${route}|${feature}`;

/**
 * The digest of baseline hours (ascending, each with its `*` rollup): every feature of every
 * route they hold.
 *
 * @example
 * const baseline = digestBaseline(hours);
 * numericBaselineOf(baseline, 'answer', 'output_tokens')?.summary.p50;
 */
export function digestBaseline(hours: readonly HourBuckets[]): BaselineDigest {
  const routes = new Set<string>();
  for (const h of hours) for (const r of Object.keys(h)) routes.add(r);
  const numeric = new Map<string, NumericBaseline>();
  const flags = new Map<string, RateCounts>();
  const cats = new Map<string, LabelCounts>();
  for (const route of routes) {
    for (const f of NUMERIC_FEATURES) {
      const aggs = collect(hours, route, (b) => b.num[f.name]);
      if (aggs.length > 0) numeric.set(cell(route, f.name), numericBaseline(aggs, f));
    }
    for (const f of FLAG_FEATURES) {
      const aggs = collect(hours, route, (b) => b.flag[f.name]);
      if (aggs.length > 0) flags.set(cell(route, f.name), rateCounts(aggs));
    }
    for (const f of CATEGORICAL_FEATURES) {
      const aggs = collect(hours, route, (b) => b.cat[f.name]);
      if (aggs.length > 0) cats.set(cell(route, f.name), labelCounts(aggs));
    }
  }
  return { routes: [...routes], numeric, flags, cats };
}

function numericBaseline(aggs: readonly NumericAgg[], feature: NumericFeature): NumericBaseline {
  const sample = assembleSample(aggs, feature.skewed ? log1pScale : undefined);
  let n = 0;
  for (const a of aggs) n += a.n;
  // The hours' sketches merged once for the summary's quantiles and the chart's.
  const xs = sketchQuantiles(
    aggs.map((a) => a.sk),
    [...SUMMARY_LEVELS, ...CHART_LEVELS],
  );
  const summary = numericSummary(aggs, feature, xs.slice(0, SUMMARY_LEVELS.length));
  return { n, sample, scale: robustScale(sample), summary, chart: chartOfQuantiles(xs.slice(SUMMARY_LEVELS.length)) };
}

/**
 * A numeric feature's baseline on a route; undefined when no baseline hour holds it.
 *
 * @example
 * numericBaselineOf(baseline, 'answer', 'ttft_ms')?.n;
 */
export function numericBaselineOf(d: BaselineDigest, route: string, feature: string): NumericBaseline | undefined {
  return d.numeric.get(cell(route, feature));
}

/**
 * A flag's summed counts on a route (all zero, rate NaN, when no baseline hour holds it).
 *
 * @example
 * rateCountsOf(baseline, 'answer', 'refusal').rate;
 */
export function rateCountsOf(d: BaselineDigest, route: string, feature: string): RateCounts {
  return d.flags.get(cell(route, feature)) ?? rateCounts([]);
}

/**
 * A categorical feature's summed label counts on a route (empty when no baseline hour holds it).
 *
 * @example
 * topShares(labelCountsOf(baseline, 'answer', 'model'), 3);
 */
export function labelCountsOf(d: BaselineDigest, route: string, feature: string): LabelCounts {
  return d.cats.get(cell(route, feature)) ?? labelCounts([]);
}
