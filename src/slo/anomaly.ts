import { HOUR } from '../captures/partitions.ts';
import { parseDuration } from '../config/duration.ts';
import type { DriftOptions, DriftTest } from '../drift/analyze-types.ts';
import { isTest, severityOf } from '../drift/analyze-types.ts';
import { testSigma } from '../drift/analyze-sigma.ts';
import { formatChange, formatP, formatValue } from '../drift/format.ts';
import { decompose, explain } from './decompose.ts';
import { SERIES_VERSION, type Cell, type HourSeries, type SeriesMetric } from '../drift/series.ts';
import type { Finding, Unmeasured } from '../report/types.ts';
import { benjaminiHochberg } from '../stats/index.ts';
import { addCost, byCostDesc, emptyCost, mergeTop, totalCost, type CostCell } from './cells.ts';
import type { CostConfig } from './cost-config.ts';
import type { HourSummary } from './history.ts';
import { fillLinks } from './links.ts';
import type { PriceEvent } from './pricing.ts';

/**
 * Cost anomalies: a route's cost and cost per request over the anomaly window against its
 * seasonal baseline, with the drift module's sigma windows (`testSigma`) on series built from
 * the slo history, every test in one Benjamini–Hochberg family. A finding is decomposed into
 * requests × tokens per request × price per token (`decompose.ts`), so it says why.
 */

export const COST_TOTAL: SeriesMetric = { name: 'cost.total', kind: 'total', label: 'cost', unit: 'USD', log: true };
export const COST_PER_REQUEST: SeriesMetric = { name: 'cost.per_request', kind: 'mean', label: 'cost per request', unit: 'USD', log: false };

const WEEK = 168 * HOUR;

/**
 * Sigma-window series from hour summaries: per route (and `*`), `cost.total` = [Σw·usd, priced
 * rows, priced rows] and `cost.per_request` = [Σw·usd, Σw, Σw²] over priced rows.
 *
 * @example
 * const series = costSeries(summaries);
 */
export function costSeries(hours: ReadonlyMap<number, HourSummary>): Map<number, HourSeries> {
  const out = new Map<number, HourSeries>();
  for (const [h, s] of hours) {
    const routes: Record<string, Record<string, Cell>> = {};
    const add = (route: string, c: CostCell) => {
      if (c.priced === 0) return;
      routes[route] = { [COST_TOTAL.name]: [c.usd, c.priced, c.priced], [COST_PER_REQUEST.name]: [c.usd, c.pw, c.pw2] };
    };
    for (const [route, c] of Object.entries(s.routes)) add(route, c);
    add('*', totalCost(s));
    out.set(h, { v: SERIES_VERSION, start: h, routes });
  }
  return out;
}

/** Sums a route's cells (or every route's for `*`) over `[end − L, end)`; null when an hour is missing. */
function windowCell(hours: ReadonlyMap<number, HourSummary>, route: string, end: number, L: number): CostCell | null {
  const c = emptyCost();
  for (let h = end - L; h < end; h += HOUR) {
    const s = hours.get(h);
    if (!s) return null;
    if (route === '*') addCost(c, totalCost(s));
    else if (s.routes[route]) addCost(c, s.routes[route] as CostCell);
  }
  return c;
}

/** Input of {@link costAnomalies}. */
export interface AnomalyInput {
  hours: ReadonlyMap<number, HourSummary>;
  /** End of the anomaly window (hour-aligned). */
  end: number;
  /** Routes to test (those with priced rows in the window); `*` is added. */
  routes: readonly string[];
  cost: CostConfig;
  drift: DriftOptions;
  priceEvents: readonly PriceEvent[];
  /** Models seen per route in the window (a price event matters to routes using that model). */
  modelsByRoute: ReadonlyMap<string, ReadonlySet<string>>;
  /** Link templates (`alerts.links`) with `{route}`, `{from}`, `{to}`, `{request_ids}`. Default none. */
  links?: readonly { label: string; url: string }[];
}

/** What the anomaly step reports. */
export interface AnomalyResult {
  tests: { route: string; subject: string; test: string; z: number; pValue: number; qValue: number; expected: unknown; value: unknown; effectRatio: number }[];
  findings: Finding[];
  unmeasured: Unmeasured[];
}

/**
 * Tests every route's cost and cost per request over the anomaly window (BH across all tests),
 * and builds a `cost.anomaly` finding, with its decomposition, for each that clears q < α, |z| ≥
 * sigma and the relative-change threshold.
 *
 * @example
 * const { findings } = costAnomalies({ hours, end, routes, cost: config.cost, drift: config.drift, priceEvents, modelsByRoute });
 */
export function costAnomalies(input: AnomalyInput): AnomalyResult {
  const a = input.cost.anomaly;
  const L = Math.max(HOUR, Math.round(parseDuration(a.window) / HOUR) * HOUR);
  const hoursN = L / HOUR;
  const opts: DriftOptions = { ...input.drift, sigma: a.sigma ?? input.drift.sigma, seasonalWeeks: a.seasonalWeeks ?? input.drift.seasonalWeeks };
  const alpha = a.alpha ?? input.drift.alpha;
  const series = costSeries(input.hours);
  const tests: DriftTest[] = [];
  const unmeasured: Unmeasured[] = [];
  for (const route of [...new Set([...input.routes, '*'])].sort()) {
    for (const metric of [COST_TOTAL, COST_PER_REQUEST]) {
      const o = testSigma(route, metric, series, input.end, hoursN, opts, { minRelativeChange: a.minRelativeChange, minRelativeTotalChange: a.minRelativeChange });
      if (o === null) continue;
      if (isTest(o)) tests.push({ ...o, kind: 'cost.anomaly' as DriftTest['kind'], subject: metric.name });
      else unmeasured.push({ route: o.route, subject: metric.name, reason: o.reason, ...(o.detail ? { detail: o.detail } : {}) });
    }
  }
  const q = benjaminiHochberg(tests.map((t) => t.pValue));
  tests.forEach((t, i) => (t.qValue = q[i] as number));
  const findings: Finding[] = [];
  for (const t of tests) {
    if (!((t.qValue as number) < alpha && t.effectRatio >= 1)) continue;
    findings.push(toFinding(t, input, L, opts.seasonalWeeks, a.driverThreshold));
  }
  findings.sort((x, y) => (x.severity === y.severity ? (x.fingerprint < y.fingerprint ? -1 : 1) : x.severity === 'critical' ? -1 : 1));
  return {
    tests: tests.map((t) => ({
      route: t.route,
      subject: t.subject,
      test: t.test,
      z: t.statistic,
      pValue: t.pValue,
      qValue: t.qValue as number,
      expected: t.baseline.expected,
      value: t.current.value,
      effectRatio: Number(t.effectRatio.toPrecision(4)),
    })),
    findings,
    unmeasured,
  };
}

/** The comparison windows the sigma test used: same window 1…K weeks earlier, or the previous week of windows. */
function baselineCell(hours: ReadonlyMap<number, HourSummary>, route: string, end: number, L: number, seasonal: boolean, weeks: number): { cell: CostCell; n: number } {
  const ends = seasonal ? Array.from({ length: weeks }, (_, k) => end - (k + 1) * WEEK) : Array.from({ length: Math.max(1, Math.floor(WEEK / L)) }, (_, j) => end - (j + 1) * L);
  const sum = emptyCost();
  let n = 0;
  for (const e of ends) {
    const c = windowCell(hours, route, e, L);
    if (!c) continue;
    addCost(sum, c);
    n++;
  }
  if (n > 0) for (const k of Object.keys(sum) as (keyof CostCell)[]) sum[k] /= n;
  return { cell: sum, n };
}

function toFinding(t: DriftTest, input: AnomalyInput, L: number, weeks: number, threshold: number): Finding {
  const { hours, end } = input;
  const cur = windowCell(hours, t.route, end, L) ?? emptyCost();
  const base = baselineCell(hours, t.route, end, L, t.test === 'sigma_seasonal', weeks);
  const d = decompose(cur, base.cell, base.n);
  const models = t.route === '*' ? null : input.modelsByRoute.get(t.route);
  const events = input.priceEvents.filter((e) => models === null || models?.has(e.model));
  const expected = Number(t.baseline.expected);
  const value = Number(t.current.value);
  const span = L === 24 * HOUR ? 'daily cost' : `cost over ${L / HOUR}h`;
  const what = t.subject === COST_TOTAL.name ? span : 'cost per request';
  const route = t.route === '*' ? 'all routes' : t.route;
  const now = L === 24 * HOUR ? 'today' : 'this window';
  const why = d ? `; ${explain(d, threshold, events)}` : '';
  const summary = `${route}: ${what} ${formatChange(expected, value)} (normally ${formatValue(expected, 'USD')}, ${now} ${formatValue(value, 'USD')})${why}; ${t.testText}, ${formatP('q', t.qValue as number)}`;
  let top: [number, string][] = [];
  for (let h = end - L; h < end; h += HOUR) {
    const s = hours.get(h);
    if (!s) continue;
    const lists = t.route === '*' ? Object.values(s.costliest) : [s.costliest[t.route] ?? []];
    for (const l of lists) top = mergeTop(top, l, 10, byCostDesc);
  }
  return {
    fingerprint: `cost.anomaly:${t.route}:${t.subject}`,
    kind: 'cost.anomaly',
    severity: severityOf(t.effectRatio),
    route: t.route,
    subject: t.subject,
    summary,
    stats: {
      test: t.test,
      statistic: t.statistic,
      pValue: t.pValue,
      qValue: t.qValue as number,
      effect: t.effect,
      effectRatio: Number(t.effectRatio.toPrecision(4)),
      n: t.n,
      ...(t.details ?? {}),
    },
    baseline: { ...t.baseline, requests: Number(base.cell.pw.toPrecision(6)), usd: Number(base.cell.usd.toPrecision(6)), windows: base.n },
    current: { ...t.current, requests: Number(cur.pw.toPrecision(6)), usd: Number(cur.usd.toPrecision(6)), ...(d ? { decomposition: d } : {}), ...(events.length ? { priceEvents: events } : {}) },
    examples: top.map(([, id]) => id),
    links: fillLinks(input.links, { route: t.route, from: end - L, to: end, ids: top.map(([, id]) => id) }),
    state: 'firing',
  };
}
