import { HOUR } from '../captures/partitions.ts';
import { parseDuration } from '../config/duration.ts';
import { formatRate } from '../drift/format.ts';
import type { Finding } from '../report/types.ts';
import { BUCKET_MS, byKeyAsc, type SloCell } from './cells.ts';
import { budgetOf, burnWindow, evaluateRule, timeToExhaustion, windowCounts, type BurnWindow, type Budget, type EventSeries, type RuleResult } from './burn.ts';
import { definitionHash } from './classify.ts';
import type { HourSummary } from './history.ts';
import { fillLinks } from './links.ts';
import { burnRules, type SloConfig } from './slo-config.ts';

/**
 * Evaluates each SLO at the end of a run: its error budget over the period, the burn rate of
 * every window its rules use, each rule's verdict, and a `slo.burn` finding when a rule fires
 * (severity of the rule: `critical` pages, `warning` tickets).
 */

/** What the report says about one SLO. */
export interface SloResult {
  name: string;
  kind: SloConfig['kind'];
  route: string;
  objective: string;
  target: number;
  period: string;
  /**
   * `burning` when a rule fires; `insufficient_data` when the budget cannot be measured or no rule
   * could be evaluated (never `ok` without a measured rule); else `ok`.
   */
  status: 'burning' | 'ok' | 'insufficient_data';
  /** Why the SLO is `insufficient_data`. */
  detail?: string;
  budget: Budget;
  windows: BurnWindow[];
  rules: RuleResult[];
  /** Hours until the budget is gone at the burn rate of the shortest measured long window; null when not burning. */
  exhaustsInHours: number | null;
  exhaustionBasis?: string;
  /** Population rows of the SLO's routes that lacked the field it reads (not events). */
  skipped: number;
  /** Hours of the period whose stored events used another SLO definition (a gap). */
  definitionChangedHours: number;
}

/**
 * Events of a record-based SLO from stored hour summaries. Hours whose cell has another
 * definition hash are gaps (the SLO was redefined); so are hours missing from history.
 *
 * @example
 * const { series, examples } = recordEvents(slo, summaries);
 */
export function recordEvents(slo: SloConfig, hours: ReadonlyMap<number, HourSummary>): { series: EventSeries; skipped: number; redefined: number; badByHour: Map<number, [number, string][]> } {
  const def = definitionHash(slo);
  const buckets = new Map<number, [number, number, number]>();
  const covered = new Set<number>();
  const badByHour = new Map<number, [number, string][]>();
  let skipped = 0;
  let redefined = 0;
  for (const [h, s] of hours) {
    const cell: SloCell | undefined = s.slos[slo.name];
    if (!cell) continue;
    if (cell.def !== def) {
      redefined++;
      continue;
    }
    covered.add(h);
    skipped += cell.skipped;
    if (cell.bad.length) badByHour.set(h, cell.bad);
    for (let i = 0; i < cell.total.length; i++) {
      const total = cell.total[i] ?? 0;
      if (total > 0 || (cell.rows[i] ?? 0) > 0) buckets.set(h + i * BUCKET_MS, [cell.good[i] ?? 0, total, cell.rows[i] ?? 0]);
    }
  }
  return { series: { buckets, hours: covered }, skipped, redefined, badByHour };
}

/**
 * The objective in words: "total latency ≤ 4,000 ms", "downstream status 2xx/3xx".
 *
 * @example
 * objectiveText({ kind: 'availability', goodStatuses: ['2xx'], … }); // 'downstream status 2xx'
 */
export function objectiveText(slo: SloConfig): string {
  switch (slo.kind) {
    case 'latency':
      return `${slo.metric === 'ttft' ? 'time to first token' : 'total latency'} ≤ ${slo.thresholdMs.toLocaleString('en-US')} ms`;
    case 'availability':
      return `downstream status ${slo.goodStatuses.join('/')}`;
    case 'cost_per_request':
      return `cost ≤ $${slo.maxUsd} per request`;
    case 'schema_valid':
      return 'schema-valid output';
    case 'judge': {
      const dim = slo.dimension ?? slo.rubric;
      if (slo.atLeast !== undefined && slo.atMost !== undefined) return `${dim} score in [${slo.atLeast}, ${slo.atMost}]`;
      if (slo.atLeast !== undefined) return `${dim} score ≥ ${slo.atLeast}`;
      if (slo.atMost !== undefined) return `${dim} score ≤ ${slo.atMost}`;
      return `${dim} passes (judge)`;
    }
  }
}

const routeLabel = (r: string | readonly string[]): string => (typeof r === 'string' ? r : r.join(','));

function humanHours(h: number): string {
  if (h < 1) return `${Math.max(1, Math.round(h * 60))} min`;
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

/** A share as a percentage with the digits it needs: 99.9%, 98%, 99.95%. */
const pct = (x: number): string => `${Number((x * 100).toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 3 })}%`;

/** "page-fast: 13 events in 5m, need 20; …" — why each rule has no verdict. */
const ruleGaps = (rules: readonly RuleResult[]): string =>
  rules.map((r) => `${r.rule}: ${[r.long, r.short].find((w) => w.status !== 'measured')?.detail ?? 'not measured'}`).join('; ');

const burnText = (w: BurnWindow): string => `${(w.burnRate as number).toFixed(1)}× over ${w.window}`;

/** Input of {@link evaluateSlo}. */
export interface EvaluateInput {
  slo: SloConfig;
  series: EventSeries;
  end: number;
  skipped: number;
  redefined: number;
  /** request_ids of bad events, most relevant first (for the finding's examples). */
  badExamples: string[];
  /** Link templates `{route}`, `{from}`, `{to}`, `{request_ids}`. Default none. */
  links?: readonly { label: string; url: string }[];
}

/**
 * Evaluates one SLO at `end` (budget, windows, rules) and builds its `slo.burn` finding when a
 * rule fires.
 *
 * @example
 * const { result, finding } = evaluateSlo({ slo, series, end, skipped: 0, redefined: 0, badExamples: [] });
 */
export function evaluateSlo(input: EvaluateInput): { result: SloResult; finding?: Finding } {
  const { slo, series, end } = input;
  const periodMs = parseDuration(slo.period);
  const rules = burnRules(slo);
  const budget = budgetOf(windowCounts(series, end, periodMs), slo.target, slo.minEvents);
  const results = rules.map((r) => evaluateRule(r, series, end, slo.target, slo.minEvents));
  const windows = new Map<number, BurnWindow>();
  for (const r of rules) {
    for (const [label, ms] of [
      [r.short, r.shortMs],
      [r.long, r.longMs],
    ] as const) {
      if (!windows.has(ms)) windows.set(ms, burnWindow(series, end, label, ms, slo.target, slo.minEvents));
    }
  }
  // Exhaustion at the burn of the shortest measured long window: recent, yet not a 5-minute blip.
  const basis = [...rules].sort((a, b) => a.longMs - b.longMs).map((r) => windows.get(r.longMs) as BurnWindow).find((w) => w.status === 'measured');
  const ttl = budget.status === 'measured' && basis ? timeToExhaustion(budget.remaining as number, periodMs, basis.burnRate as number) : null;
  const firing = results
    .filter((r) => r.status === 'firing')
    .sort((a, b) => (a.severity === b.severity ? b.factor - a.factor : a.severity === 'critical' ? -1 : 1));
  const route = routeLabel(slo.route);
  // Not `ok` unless at least one rule was evaluated: a budget alone cannot say the burn is fine.
  const unmeasured = budget.status !== 'measured' ? budget.detail : results.every((r) => r.status === 'insufficient_data') ? `no burn rule could be evaluated (${ruleGaps(results)})` : undefined;
  const result: SloResult = {
    name: slo.name,
    kind: slo.kind,
    route,
    objective: objectiveText(slo),
    target: slo.target,
    period: slo.period,
    status: firing.length ? 'burning' : unmeasured !== undefined ? 'insufficient_data' : 'ok',
    ...(!firing.length && unmeasured !== undefined ? { detail: unmeasured } : {}),
    budget,
    windows: [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => w),
    rules: results,
    exhaustsInHours: ttl === null ? null : Number((ttl / HOUR).toPrecision(4)),
    ...(basis && ttl !== null ? { exhaustionBasis: basis.window } : {}),
    skipped: input.skipped,
    definitionChangedHours: input.redefined,
  };
  const top = firing[0];
  if (!top) return { result };
  const good = 1 - (top.long.badShare as number);
  // With history over part of the period the budget is the bad share of the events seen (as a
  // rolling-window query over short history would say): name the coverage, so "spent" on two
  // days of history is not read as a month's budget gone.
  const partial = budget.coverage < 1 ? ` (history covers ${formatRate(budget.coverage)} of the ${slo.period})` : '';
  const left =
    budget.status === 'measured'
      ? (budget.remaining as number) <= 0
        ? `the ${slo.period} budget is spent (${formatRate(budget.consumed as number)} used)${partial}`
        : `${formatRate(budget.remaining as number)} of the ${slo.period} budget left${partial}${ttl !== null ? `, gone in ${humanHours(ttl / HOUR)} at this rate` : ''}`
      : `budget over ${slo.period} not measurable yet`;
  const summary =
    `${slo.name}${route === '*' ? '' : ` (${route})`}: error budget burning ${burnText(top.long)} and ${burnText(top.short)} ` +
    `(rule ${top.rule}: ≥ ${Number(top.factor.toPrecision(4))}×); ${pct(good)} of requests met "${objectiveText(slo)}" over ${top.long.window} vs target ${pct(slo.target)}; ${left}`;
  const from = end - Math.max(...rules.map((r) => r.longMs));
  const examples = input.badExamples.slice(0, 10);
  const finding: Finding = {
    fingerprint: `slo.burn:${slo.name}`,
    kind: 'slo.burn',
    severity: top.severity,
    route,
    subject: slo.name,
    summary,
    stats: {
      test: 'burn_rate',
      burnRate: top.long.burnRate as number,
      effect: { burnLong: top.long.burnRate as number, burnShort: top.short.burnRate as number, factor: top.factor },
      n: top.long.rows,
      rule: top.rule,
      firingRules: firing.map((r) => r.rule),
    },
    // Same keys on both sides where a person compares them: the target vs the good share, the
    // rule's factor vs the long window's burn.
    baseline: { goodShare: slo.target, burnRate: top.factor, period: slo.period, objective: objectiveText(slo) },
    current: {
      goodShare: Number(good.toPrecision(6)),
      burnRate: top.long.burnRate as number,
      windows: { [top.long.window]: top.long.burnRate, [top.short.window]: top.short.burnRate },
      budgetRemaining: budget.remaining ?? null,
      exhaustsInHours: result.exhaustsInHours,
    },
    examples,
    links: fillLinks(input.links, { route, from, to: end, ids: examples }),
    state: 'firing',
  };
  return { result, finding };
}

/**
 * request_ids of bad events in `[from, end)` from per-hour example lists, newest hours first.
 *
 * @example
 * badExamplesFrom(badByHour, end - 3_600_000, end);
 */
export function badExamplesFrom(badByHour: ReadonlyMap<number, [number, string][]>, from: number, end: number, k = 10): string[] {
  const hours = [...badByHour.keys()].filter((h) => h + HOUR > from && h < end).sort((a, b) => b - a);
  const out: string[] = [];
  for (const h of hours) for (const [, id] of [...(badByHour.get(h) ?? [])].sort(byKeyAsc)) if (out.length < k) out.push(id);
  return out;
}
