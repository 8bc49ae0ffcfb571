import { HOUR } from '../captures/partitions.ts';
import type { Finding } from '../report/types.ts';
import { testHours, type AnalysisInput } from './analyze.ts';
import { valueAt, type Point } from './analyze-sigma.ts';
import type { DriftTest } from './analyze-types.ts';
import { NUMERIC_FEATURES } from './features.ts';
import { SERIES_METRICS } from './series.ts';
import { numericBaselineOf } from './baseline.ts';
import { collect } from './buckets.ts';
import { chartNumber, quantileChart } from './quantile-chart.ts';

/**
 * Compact chart data for the HTML report, attached to drift findings only (never to the tests of
 * the `results` list), so report.json stays bounded: 41 quantiles per side of a numeric finding,
 * at most 200 points of a sigma finding's series.
 */

/** Most points of a sigma series chart (the alerting window included). */
export const MAX_SERIES_POINTS = 200;

const WEEK = 168 * HOUR;

/** `current.chart` of a sigma finding: the metric per window, its expected band, oldest first; the last point is the window that alerted. */
export interface SeriesChart {
  /** Start of the first window's end (epoch ms): point i is the window ending at `t0 + i·step`. */
  t0: number;
  step: number;
  y: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  expected: (number | null)[];
  /** Band half-width in units of the test's spread (`drift.sigma`). */
  sigma: number;
}

const mean = (ps: readonly Point[]): number => ps.reduce((t, p) => t + p.y, 0) / ps.length;

/**
 * The series of a sigma finding's metric over the windows before it (a week of them, at most
 * {@link MAX_SERIES_POINTS}) with the band `expected ± sigma·spread` the test used: for the
 * seasonal test, each window's own same-slot mean and the fitted week-to-week plus sampling
 * variance (`baseline.tau`, `baseline.samplingScale`); for the trailing test, the previous
 * windows' prediction interval. Values are shown on the metric's scale (log1p undone).
 *
 * @example
 * sigmaChart(test, input.series, input.window.end, input.options.sigma, input.options.seasonalWeeks, 2);
 */
export function sigmaChart(
  test: DriftTest,
  series: AnalysisInput['series'],
  end: number,
  sigma: number,
  seasonalWeeks: number,
  minSeasonalWeeks = 2,
): SeriesChart | undefined {
  const [name, suffix] = test.subject.split('@');
  const metric = SERIES_METRICS.find((m) => m.name === name);
  if (!metric) return undefined;
  const hours = suffix ? Number.parseInt(suffix, 10) : 1;
  if (!(hours >= 1)) return undefined;
  const L = hours * HOUR;
  const count = Math.min(MAX_SERIES_POINTS, Math.max(1, Math.floor(WEEK / L)) + 1);
  const t0 = end - (count - 1) * L;
  const at = (t: number) => valueAt(series, test.route, metric, t, hours);
  // Every drift metric is non-negative (tokens, ms, USD, counts, rates): a band is cut at 0.
  const show = (y: number) => {
    const v = Math.max(0, metric.log ? Math.expm1(y) : y);
    return chartNumber(metric.kind === 'rate' ? Math.min(1, v) : v);
  };
  const points = Array.from({ length: count }, (_, i) => at(t0 + i * L));
  const out: SeriesChart = { t0, step: L, y: [], lo: [], hi: [], expected: [], sigma };
  const band = (i: number, expected: number, spread: number) => {
    out.expected[i] = show(expected);
    out.lo[i] = show(expected - sigma * spread);
    out.hi[i] = show(expected + sigma * spread);
  };
  if (test.test === 'sigma_seasonal') {
    const tau = Number(test.baseline.tau);
    const c = Number(test.baseline.samplingScale) ** 2;
    for (let i = 0; i < count; i++) {
      const t = t0 + i * L;
      const slots: Point[] = [];
      for (let k = 1; k <= seasonalWeeks; k++) {
        const p = at(t - k * WEEK);
        if (p) slots.push(p);
      }
      out.lo[i] = out.hi[i] = out.expected[i] = null;
      if (slots.length < minSeasonalWeeks || !Number.isFinite(tau)) continue;
      const own = points[i] ? 1 / (points[i] as Point).a : 0;
      const variance = tau * tau * (1 + 1 / slots.length) + c * (own + slots.reduce((s, p) => s + 1 / p.a, 0) / slots.length ** 2);
      band(i, mean(slots), Math.sqrt(variance));
    }
  } else {
    const before = points.slice(0, -1).filter((p): p is Point => p !== undefined);
    if (before.length < 2) return undefined;
    const m = mean(before);
    const s = Math.sqrt(before.reduce((t, p) => t + (p.y - m) ** 2, 0) / (before.length - 1));
    for (let i = 0; i < count; i++) band(i, m, s * Math.sqrt(1 + 1 / before.length));
  }
  out.y = points.map((p) => (p ? show(p.y) : null));
  // History that has not begun yet is not drawn: start at the first window with a value.
  const first = out.y.findIndex((y) => y !== null);
  if (first > 0) {
    out.t0 += first * L;
    for (const k of ['y', 'lo', 'hi', 'expected'] as const) out[k] = out[k].slice(first);
  }
  return out;
}

/**
 * Adds chart data to the drift findings of a run: `baseline.chart` / `current.chart` quantiles
 * for numeric findings (the hours its test covered, see `testHours`), and
 * `current.chart` series with the band for sigma findings. Rate and categorical findings already
 * carry what their charts need (rates with Wilson intervals, top label shares).
 *
 * @example
 * attachDriftCharts(findings, byFingerprint, analysisInput);
 */
export function attachDriftCharts(findings: Finding[], testOf: ReadonlyMap<string, DriftTest>, input: AnalysisInput): void {
  for (const f of findings) {
    const t = testOf.get(f.fingerprint);
    if (!t) continue;
    if (t.kind === 'drift.numeric') {
      const feature = NUMERIC_FEATURES.find((x) => x.name === t.subject);
      if (!feature) continue;
      const cur = quantileChart(collect(testHours(input, t), t.route, (b) => b.num[feature.name]));
      const base = numericBaselineOf(input.baseline, t.route, feature.name)?.chart;
      if (cur && base) {
        f.current.chart = cur;
        f.baseline.chart = base;
      }
    } else if (t.kind === 'drift.sigma') {
      const chart = sigmaChart(t, input.series, input.window.end, input.options.sigma, input.options.seasonalWeeks, input.sigma?.minSeasonalWeeks);
      if (chart) f.current.chart = chart;
    }
  }
}
