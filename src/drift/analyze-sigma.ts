import { HOUR } from '../captures/partitions.ts';
import { studentTSf } from '../stats/index.ts';
import { rareSideRelativeChange } from './analyze-rate.ts';
import type { DriftOptions, TestOutcome } from './analyze-types.ts';
import { formatChange, formatRate, formatValue } from './format.ts';
import type { Cell, HourSeries, SeriesMetric } from './series.ts';

const WEEK = 168 * HOUR;

/** Options of {@link testSigma} beyond `config.drift`. */
export interface SigmaOptions {
  /** Same-slot weeks that must exist for the seasonal baseline. Default 2. */
  minSeasonalWeeks?: number;
  /** Smallest relative change of a mean or p95 that is worth a finding. Default 0.1 (10%). */
  minRelativeChange?: number;
  /** Smallest relative change of a total (calls, spend) worth a finding. Default 0.25. */
  minRelativeTotalChange?: number;
}

/** A metric's value over a window, and its precision (Kish effective rows; rows for totals). */
export interface Point {
  y: number;
  a: number;
}

/**
 * The value of a metric over `[end − L, end)` from the hourly series, or `undefined` when an hour
 * is missing from history (a gap is never read as zero) or the route had no rows for it.
 * Exported for the report's sigma chart (`chart-data.ts`), which draws the same values.
 *
 * @example
 * valueAt(series, 'answer', metric, windowEnd, 1)?.y;
 */
export function valueAt(series: ReadonlyMap<number, HourSeries>, route: string, metric: SeriesMetric, end: number, hours: number): Point | undefined {
  if (metric.kind === 'p95' && hours !== 1) return undefined;
  let s = 0;
  let w = 0;
  let w2 = 0;
  for (let h = end - hours * HOUR; h < end; h += HOUR) {
    const hs = series.get(h);
    if (!hs) return undefined;
    const cell: Cell | undefined = hs.routes[route]?.[metric.name];
    if (!cell) continue;
    s += cell[0];
    w += cell[1];
    w2 += cell[2];
  }
  // Totals: log1p of the sum, precision = rows (Poisson: var(log N) ≈ 1/N).
  if (metric.kind === 'total') return { y: Math.log1p(Math.max(0, s)), a: Math.max(1, w) };
  if (!(w > 0)) return undefined;
  const ess = (w * w) / w2;
  return { y: metric.kind === 'p95' ? s : s / w, a: ess };
}

const mean = (xs: readonly number[]): number => xs.reduce((t, x) => t + x, 0) / xs.length;

interface Residual {
  r: number;
  g: number;
  v: number;
}

/**
 * Fits var(r) = τ²·g + c·v to squared residuals by non-negative least squares: τ² is the
 * week-to-week variation of the metric, c·v the sampling noise that shrinks with volume. Modelling
 * both keeps quiet night hours (large v) from alarming, and busy hours (small v) from hiding.
 */
function fitVariance(res: readonly Residual[]): { tau2: number; c: number } {
  let sgg = 0;
  let svv = 0;
  let sgv = 0;
  let sgr = 0;
  let svr = 0;
  for (const { r, g, v } of res) {
    const r2 = r * r;
    sgg += g * g;
    svv += v * v;
    sgv += g * v;
    sgr += g * r2;
    svr += v * r2;
  }
  const det = sgg * svv - sgv * sgv;
  if (det > 1e-12 * sgg * svv) {
    const tau2 = (sgr * svv - svr * sgv) / det;
    const c = (svr * sgg - sgr * sgv) / det;
    if (tau2 >= 0 && c >= 0) return { tau2, c };
  }
  const sse = (tau2: number, c: number) => res.reduce((t, { r, g, v }) => t + (r * r - tau2 * g - c * v) ** 2, 0);
  const onlyTau = sgg > 0 ? sgr / sgg : 0;
  const onlyC = svv > 0 ? svr / svv : 0;
  return svv > 0 && sse(0, onlyC) < sse(onlyTau, 0) ? { tau2: 0, c: onlyC } : { tau2: onlyTau, c: 0 };
}

function robustFit(res: readonly Residual[]): { tau2: number; c: number; used: number } {
  let fit = fitVariance(res);
  // One refit without past anomalies (|z| > 5), so an old incident does not blunt the baseline.
  const kept = res.filter(({ r, g, v }) => r * r <= 25 * (fit.tau2 * g + fit.c * v) || fit.tau2 * g + fit.c * v === 0);
  if (kept.length >= 8 && kept.length < res.length) fit = fitVariance(kept);
  return { ...fit, used: kept.length >= 8 ? kept.length : res.length };
}

const display = (metric: SeriesMetric, y: number): number => (metric.log ? Math.expm1(y) : y);

/**
 * A sigma window on one metric of one route: is the window's value where its history says it
 * should be?
 *
 * - Seasonal (preferred): expected = mean of the same window 1…K weeks earlier (at least
 *   `minSeasonalWeeks` present); spread pooled over the previous week of windows, each with its own
 *   seasonal expectation, modelled as week-to-week variation plus volume-dependent sampling noise;
 *   z against a t distribution with the pooled degrees of freedom.
 * - Trailing (short history): the previous week of windows, prediction interval
 *   mean ± t_{1−α/2, n−1}·s·√(1 + 1/n) — not a bare 3σ band, which is too tight for small n.
 *
 * A finding needs q < α, |z| ≥ `sigma`, and a practically relevant change (10% for means/p95,
 * the rate thresholds for rates, 25% for totals).
 *
 * @example
 * testSigma('answer', metric, series, windowEnd, 1, config.drift);
 */
export function testSigma(
  route: string,
  metric: SeriesMetric,
  series: ReadonlyMap<number, HourSeries>,
  end: number,
  hours: number,
  opts: DriftOptions,
  sigmaOptions: SigmaOptions = {},
): TestOutcome {
  const cur = valueAt(series, route, metric, end, hours);
  if (!cur) return null;
  const minWeeks = sigmaOptions.minSeasonalWeeks ?? 2;
  const L = hours * HOUR;
  const slots = (t: number): Point[] => {
    const out: Point[] = [];
    for (let k = 1; k <= opts.seasonalWeeks; k++) {
      const p = valueAt(series, route, metric, t - k * WEEK, hours);
      if (p) out.push(p);
    }
    return out;
  };
  const J = Math.max(1, Math.floor(WEEK / L));
  const subject = `${metric.name}${hours === 1 ? '' : `@${hours}h`}`;
  let expected: number;
  let z: number;
  let df: number;
  let method: string;
  let history: Record<string, unknown>;

  const now = slots(end);
  const residuals: Residual[] = [];
  if (now.length >= minWeeks) {
    for (let j = 1; j <= J; j++) {
      const t = end - j * L;
      const y = valueAt(series, route, metric, t, hours);
      const s = y ? slots(t) : [];
      if (!y || s.length < minWeeks) continue;
      residuals.push({
        r: y.y - mean(s.map((p) => p.y)),
        g: 1 + 1 / s.length,
        v: 1 / y.a + s.reduce((t2, p) => t2 + 1 / p.a, 0) / (s.length * s.length),
      });
    }
  }
  const minResiduals = Math.max(4, Math.min(24, Math.ceil(J / 3)));
  if (now.length >= minWeeks && residuals.length >= minResiduals) {
    const fit = robustFit(residuals);
    expected = mean(now.map((p) => p.y));
    const variance =
      fit.tau2 * (1 + 1 / now.length) +
      fit.c * (1 / cur.a + now.reduce((t, p) => t + 1 / p.a, 0) / (now.length * now.length));
    z = variance > 0 ? (cur.y - expected) / Math.sqrt(variance) : cur.y === expected ? 0 : Math.sign(cur.y - expected) * Infinity;
    df = Math.max(1, fit.used - 2);
    method = 'sigma_seasonal';
    history = { weeks: now.length, residuals: fit.used, tau: Math.sqrt(fit.tau2), samplingScale: Math.sqrt(fit.c) };
  } else {
    const ys: number[] = [];
    for (let j = 1; j <= J; j++) {
      const p = valueAt(series, route, metric, end - j * L, hours);
      if (p) ys.push(p.y);
    }
    const minPoints = Math.max(4, Math.min(12, Math.ceil(J / 2)));
    if (ys.length < minPoints) {
      return {
        route,
        subject,
        reason: 'insufficient_data',
        detail: `sigma window needs ${minPoints} earlier windows or ${minWeeks} weeks of same-hour history; found ${ys.length} and ${now.length}`,
      };
    }
    expected = mean(ys);
    const s = Math.sqrt(ys.reduce((t, y) => t + (y - expected) ** 2, 0) / (ys.length - 1));
    const scale = s * Math.sqrt(1 + 1 / ys.length);
    z = scale > 0 ? (cur.y - expected) / scale : cur.y === expected ? 0 : Math.sign(cur.y - expected) * Infinity;
    df = ys.length - 1;
    method = 'sigma_trailing';
    history = { windows: ys.length };
  }
  // A normal-theory band is wrong for rare events (one refusal in 25 calls is not a 9σ event when
  // the rate is 0.1%): below 5 expected events or non-events the rate test (Fisher) speaks alone.
  if (metric.kind === 'rate' && Math.min(expected, 1 - expected) * cur.a < 5) return null;
  const pValue = Number.isFinite(z) ? Math.min(1, 2 * studentTSf(Math.abs(z), df)) : 0;

  const shownCur = display(metric, cur.y);
  const shownExp = display(metric, expected);
  let practical: number;
  if (metric.kind === 'rate') {
    const abs = Math.abs(cur.y - expected);
    const rel = rareSideRelativeChange(expected, cur.y);
    practical = Math.min(
      opts.minRateChange > 0 ? abs / opts.minRateChange : Infinity,
      opts.minRelativeRateChange > 0 ? rel / opts.minRelativeRateChange : Infinity,
    );
  } else {
    const minRel = metric.kind === 'total' ? (sigmaOptions.minRelativeTotalChange ?? 0.25) : (sigmaOptions.minRelativeChange ?? 0.1);
    const rel = shownExp !== 0 ? Math.abs(shownCur / shownExp - 1) : shownCur !== 0 ? Infinity : 0;
    practical = rel / minRel;
  }
  const fmt = (y: number) => (metric.kind === 'rate' ? formatRate(y) : formatValue(y, metric.unit));
  const against = method === 'sigma_seasonal' ? `the same ${hours === 1 ? 'hour' : 'window'} of the last ${now.length} weeks` : `the previous ${history.windows} windows`;
  return {
    kind: 'drift.sigma',
    route,
    subject,
    test: method,
    statistic: z,
    pValue,
    effect: { z: Number(z.toPrecision(6)), relative: Number((shownExp !== 0 ? shownCur / shownExp - 1 : 0).toPrecision(6)) },
    effectRatio: Math.min(Math.abs(z) / opts.sigma, practical),
    n: Math.round(cur.a),
    m: 0,
    headline: `${metric.label}${hours === 1 ? '' : ` over ${hours}h`} ${fmt(shownCur)} vs expected ${fmt(shownExp)} (${formatChange(shownExp, shownCur)})`,
    testText: `z = ${Number.isFinite(z) ? z.toFixed(1) : z > 0 ? '+∞' : '−∞'} vs ${against}`,
    baseline: { expected: Number(shownExp.toPrecision(6)), ...history },
    current: { value: Number(shownCur.toPrecision(6)), effectiveN: Number(cur.a.toPrecision(6)) },
    examples: [],
    details: { df, scale: metric.log ? 'log1p' : 'linear' },
  };
}
