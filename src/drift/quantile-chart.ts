import type { NumericAgg } from './aggregate.ts';
import { sketchQuantiles } from './sketch.ts';

/** Probability levels of `baseline.chart` / `current.chart` of a numeric finding (41 levels, tails denser). */
export const CHART_LEVELS: readonly number[] = [
  0, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.825, 0.85, 0.875, 0.9,
  0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995, 0.998, 0.999, 1,
];

/** `chart` of a numeric finding side: value at each probability level (weighted, from the sketches). */
export interface QuantileChart {
  p: number[];
  x: number[];
}

/** A chart number: 4 significant digits, `null` when not finite (JSON has no NaN or Infinity). */
export const chartNumber = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null);

/**
 * Quantiles of a numeric feature over some hours, from the same sketches the summaries use.
 *
 * @example
 * quantileChart(hours.map((h) => h.num.output_tokens)); // { p: [0, 0.01, …], x: [12, 31, …] }
 */
export function quantileChart(aggs: readonly NumericAgg[]): QuantileChart | undefined {
  if (aggs.length === 0) return undefined;
  return chartOfQuantiles(
    sketchQuantiles(
      aggs.map((a) => a.sk),
      CHART_LEVELS,
    ),
  );
}

/**
 * The chart of the {@link CHART_LEVELS} quantiles `xs` of some hours' merged sketches, for a
 * caller that has merged them already; undefined when any is not finite (an empty merge).
 *
 * @example
 * chartOfQuantiles(sketchQuantiles(sketches, CHART_LEVELS));
 */
export function chartOfQuantiles(xs: readonly number[]): QuantileChart | undefined {
  if (!xs.every((x) => Number.isFinite(x))) return undefined;
  return { p: [...CHART_LEVELS], x: xs.map((x) => chartNumber(x) as number) };
}
