import type { RouteBucket } from './aggregate.ts';
import { FLAG_FEATURES, NUMERIC_FEATURES } from './features.ts';
import { sketchQuantiles } from './sketch.ts';

/**
 * The scalar series sigma windows read: per hour and route, a few mergeable numbers per metric.
 * Stored beside each hourly aggregate (`<HH>.series.json`, a few KB) so that a seasonal baseline
 * over K weeks reads K·168 small files instead of K·168 full aggregates with their samples.
 */

export const SERIES_VERSION = 1;

/** How a metric's value is computed from its per-hour cells. */
export type MetricKind = 'mean' | 'p95' | 'rate' | 'total';

/** One metric a sigma window watches. */
export interface SeriesMetric {
  /** `<feature>.<kind>`, e.g. `ttft_ms.p95`, `refusal.rate`, `cost_usd.total`. */
  readonly name: string;
  readonly kind: MetricKind;
  /** Words for summaries: "TTFT p95". */
  readonly label: string;
  readonly unit: string;
  /** Values live on the log1p scale (skewed features); shown back on the original scale. */
  readonly log: boolean;
}

/**
 * Every sigma metric: mean and p95 of each numeric feature (log scale when skewed), each
 * non-missing flag's rate, estimated calls and spend per window.
 */
export const SERIES_METRICS: readonly SeriesMetric[] = [
  ...NUMERIC_FEATURES.flatMap((f): SeriesMetric[] => [
    { name: `${f.name}.mean`, kind: 'mean', label: f.name === 'cost_usd' ? 'cost per request' : `${f.label} mean`, unit: f.unit, log: f.skewed },
    { name: `${f.name}.p95`, kind: 'p95', label: `${f.label} p95`, unit: f.unit, log: f.skewed },
  ]),
  ...FLAG_FEATURES.filter((f) => f.group !== 'missing').map(
    (f): SeriesMetric => ({ name: `${f.name}.rate`, kind: 'rate', label: f.label, unit: '', log: false }),
  ),
  // Totals vary multiplicatively (Poisson arrivals, traffic noise): compared on the log scale.
  { name: 'calls.total', kind: 'total', label: 'estimated calls', unit: '', log: true },
  { name: 'cost_usd.total', kind: 'total', label: 'spend', unit: 'USD', log: true },
];

/**
 * A metric's cell for one hour: `[Σ w·value, Σw, Σw²]` for means and rates, `[p95, Σw, Σw²]` for
 * p95 (not mergeable across hours), `[total, rows, rows]` for totals (rows give the sampling
 * precision of the total).
 */
export type Cell = [number, number, number];

export interface HourSeries {
  v: typeof SERIES_VERSION;
  start: number;
  /** route (and `*`) → metric name → cell. A route absent here had no rows in that hour. */
  routes: Record<string, Record<string, Cell>>;
}

/**
 * The series cells of one route bucket.
 *
 * @example
 * seriesCells(bucket)['refusal.rate']; // [Σw·refusal, Σw, Σw²]
 */
export function seriesCells(b: RouteBucket): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const f of NUMERIC_FEATURES) {
    const a = b.num[f.name];
    if (!a) continue;
    out[`${f.name}.mean`] = [f.skewed ? a.ls : a.s, a.w, a.w2];
    const [p95] = sketchQuantiles([a.sk], [0.95]) as [number];
    out[`${f.name}.p95`] = [f.skewed ? Math.log1p(Math.max(0, p95)) : p95, a.w, a.w2];
  }
  for (const f of FLAG_FEATURES) {
    if (f.group === 'missing') continue;
    const a = b.flag[f.name];
    if (a) out[`${f.name}.rate`] = [a.kw, a.w, a.w2];
  }
  out['calls.total'] = [b.w, b.rows, b.rows];
  out['cost_usd.total'] = [b.num.cost_usd?.s ?? 0, b.num.cost_usd?.n ?? 0, b.num.cost_usd?.n ?? 0];
  return out;
}

/**
 * The series of one hour from its buckets (routes plus the `*` rollup).
 *
 * @example
 * hourSeries(hour.start, withRollup(hour));
 */
export function hourSeries(start: number, buckets: Record<string, RouteBucket>): HourSeries {
  const routes: Record<string, Record<string, Cell>> = {};
  for (const route of Object.keys(buckets).sort()) routes[route] = seriesCells(buckets[route] as RouteBucket);
  return { v: SERIES_VERSION, start, routes };
}
