import { HOUR } from '../captures/partitions.ts';
import { parseDuration } from '../config/duration.ts';
import type { DriftOptions, DriftTest } from '../drift/analyze-types.ts';
import { isTest, severityOf } from '../drift/analyze-types.ts';
import { testSigma } from '../drift/analyze-sigma.ts';
import { formatChange, formatP, formatValue } from '../drift/format.ts';
import { SERIES_VERSION, type Cell, type HourSeries, type SeriesMetric } from '../drift/series.ts';
import type { Finding, Unmeasured } from '../report/types.ts';
import { benjaminiHochberg } from '../stats/index.ts';
import { addCost, byCostDesc, emptyCost, mergeTop, totalCost, type CostCell } from './cells.ts';
import type { CostConfig } from './cost-config.ts';
import type { HourSummary } from './history.ts';
import type { PriceEvent } from './pricing.ts';

/**
 * Cost anomalies: a route's cost and cost per request over the anomaly window against its
 * seasonal baseline, with the drift module's sigma windows (`testSigma`) on series built from
 * the slo history, every test in one Benjamini–Hochberg family. A finding is decomposed into
 * requests × tokens per request × price per token, so it says why:
 *
 *   ln(C₁/C₀) = ln(R₁/R₀) + ln(T) + ln(P)
 *
 * with R the estimated priced requests, T = s_in·(I₁/I₀) + s_out·(O₁/O₀) the change of tokens per
 * request weighted by the baseline's input/output shares of list-price cost (token shares when no
 * price is known), and P = (C₁/R₁)/(C₀/R₀)/T the change of cost per token at a fixed mix (price).
 * The largest term names the cause.
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

/** The drivers of a cost change. */
export interface Decomposition {
  requests: number;
  inputTokensPerRequest: number | null;
  outputTokensPerRequest: number | null;
  tokens: number;
  price: number;
  costPerRequest: number;
  /** Log contributions: traffic + tokens + price = ln(C₁/C₀). */
  contributions: { traffic: number; tokens: number; price: number };
  cause: 'traffic' | 'tokens' | 'price';
  baselineWindows: number;
}

/**
 * Decomposes the change from a baseline cell (the mean of comparison windows) to the current one.
 * `null` when either side has no priced requests or no cost.
 *
 * @example
 * decompose(current, baseline)?.cause; // 'tokens'
 */
export function decompose(cur: CostCell, base: CostCell, baselineWindows = 1): Decomposition | null {
  if (!(cur.pw > 0 && base.pw > 0 && cur.usd > 0 && base.usd > 0)) return null;
  const rReq = cur.pw / base.pw;
  const rCpr = cur.usd / cur.pw / (base.usd / base.pw);
  const tok = cur.tokW > 0 && base.tokW > 0;
  const rIn = tok && base.inTok > 0 ? cur.inTok / cur.tokW / (base.inTok / base.tokW) : null;
  const rOut = tok && base.outTok > 0 ? cur.outTok / cur.tokW / (base.outTok / base.tokW) : null;
  const listTotal = base.listIn + base.listOut;
  const sIn = listTotal > 0 ? base.listIn / listTotal : tok && base.inTok + base.outTok > 0 ? base.inTok / (base.inTok + base.outTok) : 0.5;
  const tokens = rIn !== null || rOut !== null ? sIn * (rIn ?? 1) + (1 - sIn) * (rOut ?? 1) : 1;
  const price = rCpr / tokens;
  const contributions = { traffic: Math.log(rReq), tokens: Math.log(tokens), price: Math.log(price) };
  const total = contributions.traffic + contributions.tokens + contributions.price;
  const entries = Object.entries(contributions) as [Decomposition['cause'], number][];
  // The cause is the term that moves most in the direction of the change.
  const cause = entries.sort((a, b) => Math.sign(total) * (b[1] - a[1]))[0]?.[0] ?? 'traffic';
  const r = (x: number) => Number(x.toPrecision(10));
  return {
    requests: r(rReq),
    inputTokensPerRequest: rIn === null ? null : r(rIn),
    outputTokensPerRequest: rOut === null ? null : r(rOut),
    tokens: r(tokens),
    price: r(price),
    costPerRequest: r(rCpr),
    contributions: { traffic: r(contributions.traffic), tokens: r(contributions.tokens), price: r(contributions.price) },
    cause,
    baselineWindows,
  };
}

function pct(ratio: number): string {
  return formatChange(1, ratio);
}

/**
 * The "why" of a cost change: "requests +2%, output tokens per request +28% — a prompt or model
 * change, not traffic".
 *
 * @example
 * explain(decomposition, 0.05, []); // 'requests +2%, output tokens per request +28% — a prompt or model change, not traffic'
 */
export function explain(d: Decomposition, threshold: number, priceEvents: readonly PriceEvent[]): string {
  const parts = [`requests ${pct(d.requests)}`];
  if (d.inputTokensPerRequest !== null && Math.abs(d.inputTokensPerRequest - 1) >= threshold) parts.push(`input tokens per request ${pct(d.inputTokensPerRequest)}`);
  if (d.outputTokensPerRequest !== null && Math.abs(d.outputTokensPerRequest - 1) >= threshold) parts.push(`output tokens per request ${pct(d.outputTokensPerRequest)}`);
  if (Math.abs(d.price - 1) >= threshold) parts.push(`cost per token ${pct(d.price)}`);
  const up = d.contributions.traffic + d.contributions.tokens + d.contributions.price >= 0;
  let why: string;
  if (d.cause === 'traffic') why = up ? 'more traffic, not longer prompts or answers: check callers (a retry loop, a new client, a batch job)' : 'less traffic';
  else if (d.cause === 'tokens') why = 'a prompt or model change, not traffic';
  else if (priceEvents.length) why = `a price change (${priceEvents.map((e) => `${e.model} on ${e.at.slice(0, 10)}`).join(', ')}; a pricing-table event, not drift)`;
  else why = 'a model or price change (cost per token moved), not traffic or token counts';
  return `${parts.join(', ')} — ${why}`;
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
    links: (input.links ?? []).map((l) => ({
      label: l.label,
      url: l.url
        .replaceAll('{route}', encodeURIComponent(t.route))
        .replaceAll('{from}', encodeURIComponent(new Date(end - L).toISOString()))
        .replaceAll('{to}', encodeURIComponent(new Date(end).toISOString()))
        .replaceAll('{request_ids}', encodeURIComponent(top.map(([, id]) => id).join(','))),
    })),
    state: 'firing',
  };
}
