import { HOUR } from '../captures/partitions.ts';
import { parseDuration } from '../config/duration.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import type { Finding, Unmeasured } from '../report/types.ts';
import { costAnomalies } from './anomaly.ts';
import { longTail, rankValues, sumDims, topMovers } from './attribution.ts';
import { addCost, emptyCost, totalCost, type SloHour } from './cells.ts';
import { badExamplesFrom, evaluateSlo, recordEvents, type SloResult } from './evaluate-slo.ts';
import { loadDims, loadSummaries, saveHour, type HourSummary } from './history.ts';
import { judgeEvents, readScoreLines } from './judge-events.ts';
import { PriceTable } from './pricing.ts';
import { projectMonth } from './projection.ts';
import { burnRules } from './slo-config.ts';

/**
 * The finalize step of the slo pipeline past the unit work: persist the window's hours, read the
 * history each part needs, and build `sections.cost`, `sections.slo`, the findings and the
 * unmeasured list.
 */

const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const r6 = (x: number): number => Number(x.toPrecision(6));

/** What {@link buildSections} returns to the pipeline. */
export interface SloFinalizeResult {
  sections: { cost: Record<string, unknown>; slo: Record<string, unknown> };
  findings: Finding[];
  unmeasured: Unmeasured[];
  unpricedRows: number;
  populationRows: number;
}

/**
 * Persists `windowHours` (one per hour of `span`, empty hours included) and evaluates cost and
 * SLOs at `span.end` against the stored history. With `persist: false` (a run that found no
 * capture object at all) nothing is written: an empty listing is more likely a source that is
 * late or misconfigured than a day without traffic, and stored zeros would read as $0 and as
 * event-free hours of every SLO.
 *
 * @example
 * const { sections, findings } = await buildSections(ctx, span, windowHours);
 */
export async function buildSections(
  ctx: PipelineContext,
  span: { start: number; end: number },
  windowHours: readonly SloHour[],
  options: { persist?: boolean } = {},
): Promise<SloFinalizeResult> {
  const { config, store } = ctx;
  const cost = config.cost;

  // 1. Persist the window (zero traffic is a fact, a missing file a gap).
  const known = new Map<number, HourSummary>();
  if (options.persist !== false) {
    for (const h of windowHours) known.set(h.start, (await saveHour(store, h, { maxValuesPerHour: cost.maxValuesPerHour })).summary);
  }

  // 2. History: every summary any part needs, read once.
  const periods = config.slos.map((s) => parseDuration(s.period));
  const weeks = cost.anomaly.seasonalWeeks ?? config.drift.seasonalWeeks;
  const last = new Date(span.end - 1);
  const monthStart = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), 1);
  const from = Math.min(span.start, span.end - Math.max(0, ...periods), span.end - (weeks + 1) * WEEK, monthStart, span.end - 2 * cost.projectionDays * DAY);
  const { hours, gaps } = await loadSummaries(store, from, span.end, { known });

  // 3. Attribution of the window, against the window of the same length before it.
  const L = span.end - span.start;
  const windowDims = await loadDims(store, span.start, span.end);
  const prevDims = await loadDims(store, span.start - L, span.start);
  const cur = sumDims(windowDims.hours.values());
  const prev = sumDims(prevDims.hours.values());
  const total = emptyCost();
  const unpricedReasons: Record<string, number> = {};
  let flagged = 0;
  const modelsByRoute = new Map<string, Set<string>>();
  const daily = new Map<string, { hours: number; cell: ReturnType<typeof emptyCost> }>();
  for (let h = span.start; h < span.end; h += HOUR) {
    const s = hours.get(h);
    if (!s) continue;
    const t = totalCost(s);
    addCost(total, t);
    flagged += s.flagged;
    for (const [k, n] of Object.entries(s.unpricedReasons)) unpricedReasons[k] = (unpricedReasons[k] ?? 0) + n;
    const day = new Date(h).toISOString().slice(0, 10);
    const d = daily.get(day) ?? { hours: 0, cell: emptyCost() };
    d.hours++;
    addCost(d.cell, t);
    daily.set(day, d);
  }
  const table = new PriceTable(config.pricing);
  const priceEvents = table.eventsIn(span.start, span.end);
  const byDimension: Record<string, unknown> = {};
  const movers: Record<string, unknown> = {};
  const tails: Record<string, unknown> = {};
  for (const dim of cost.dimensions) {
    byDimension[dim] = rankValues(cur[dim] ?? {}, cost.topValues);
    movers[dim] = topMovers(cur[dim] ?? {}, prev[dim] ?? {}, cost.topMovers);
    tails[dim] = longTail(dim, cur[dim] ?? {}, cost.longTailShare);
  }

  // 4. Cost anomalies over the anomaly window ending at the run's end.
  const findings: Finding[] = [];
  const unmeasured: Unmeasured[] = [];
  let anomaly: Record<string, unknown> = { enabled: false };
  if (cost.anomaly.enabled) {
    const aL = Math.max(HOUR, Math.round(parseDuration(cost.anomaly.window) / HOUR) * HOUR);
    const routes = new Set<string>();
    for (let h = span.end - aL - WEEK; h < span.end; h += HOUR) {
      const s = hours.get(h);
      for (const [r, models] of Object.entries(s?.models ?? {})) for (const m of models) (modelsByRoute.get(r) ?? modelsByRoute.set(r, new Set()).get(r))?.add(m);
      if (h >= span.end - aL) for (const [r, c] of Object.entries(s?.routes ?? {})) if (c.priced > 0) routes.add(r);
    }
    const res = costAnomalies({
      hours,
      end: span.end,
      routes: [...routes],
      cost,
      drift: config.drift,
      priceEvents: table.eventsIn(span.end - aL - WEEK, span.end),
      modelsByRoute,
      links: config.alerts.links,
    });
    findings.push(...res.findings);
    unmeasured.push(...res.unmeasured);
    anomaly = { enabled: true, window: cost.anomaly.window, tests: res.tests };
  }

  // 5. SLOs: record SLOs from the stored buckets, judge SLOs from scores/.
  const judgePeriod = Math.max(0, ...config.slos.filter((s) => s.kind === 'judge').map((s) => parseDuration(s.period)));
  const scoreLines = judgePeriod > 0 ? await readScoreLines(store, span.end - judgePeriod, span.end) : [];
  const slos: SloResult[] = [];
  for (const slo of config.slos) {
    const periodStart = span.end - parseDuration(slo.period);
    const shortest = Math.min(...burnRules(slo).map((r) => r.longMs));
    let evaluated;
    if (slo.kind === 'judge') {
      const ev = judgeEvents(slo, scoreLines, periodStart, span.end);
      evaluated = evaluateSlo({ slo, series: ev.series, end: span.end, skipped: ev.skipped, redefined: 0, badExamples: ev.bad.map((b) => b.id), links: config.alerts.links });
    } else {
      const inPeriod = new Map([...hours].filter(([h]) => h >= periodStart - HOUR));
      const ev = recordEvents(slo, inPeriod);
      evaluated = evaluateSlo({
        slo,
        series: ev.series,
        end: span.end,
        skipped: ev.skipped,
        redefined: ev.redefined,
        badExamples: badExamplesFrom(ev.badByHour, span.end - shortest, span.end),
        links: config.alerts.links,
      });
    }
    slos.push(evaluated.result);
    if (evaluated.finding) findings.push(evaluated.finding);
    if (evaluated.result.status === 'insufficient_data') {
      unmeasured.push({ route: evaluated.result.route, subject: slo.name, reason: 'insufficient_data', ...(evaluated.result.detail ? { detail: evaluated.result.detail } : {}) });
    }
  }
  findings.sort((a, b) => (a.severity === b.severity ? (a.fingerprint < b.fingerprint ? -1 : 1) : a.severity === 'critical' ? -1 : b.severity === 'critical' ? 1 : a.severity === 'warning' ? -1 : 1));

  const iso = (t: number) => new Date(t).toISOString();
  return {
    sections: {
      cost: {
        window: { start: iso(span.start), end: iso(span.end) },
        total: {
          usd: r6(total.usd),
          se: r6(Math.sqrt(total.usdVar)),
          requests: r6(total.w),
          pricedRequests: r6(total.pw),
          costPerRequest: total.pw > 0 ? r6(total.usd / total.pw) : null,
          rows: total.rows,
          unpricedRows: total.unpriced,
          unpricedShare: total.rows > 0 ? r6(total.unpriced / total.rows) : 0,
          unpricedReasons,
          fromRecord: total.fromRecord,
          fromTable: total.fromTable,
          flaggedRows: flagged,
        },
        daily: [...daily.entries()].map(([day, d]) => ({ day, hours: d.hours, usd: r6(d.cell.usd), se: r6(Math.sqrt(d.cell.usdVar)) })),
        byDimension,
        movers: { against: { start: iso(span.start - L), end: iso(span.start) }, hoursWithHistory: prevDims.hours.size, byDimension: movers },
        longTail: tails,
        month: projectMonth(hours, span.end, cost.projectionDays),
        priceEvents,
        anomaly,
        history: { hours: hours.size, gaps: gaps.length, firstGaps: gaps.slice(0, 5) },
      },
      slo: { evaluatedAt: iso(span.end), slos },
    },
    findings,
    unmeasured,
    unpricedRows: total.unpriced,
    populationRows: total.rows,
  };
}
