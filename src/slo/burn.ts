import { HOUR } from '../captures/partitions.ts';
import { BUCKET_MS } from './cells.ts';
import type { BurnRule } from './slo-config.ts';

/**
 * Error-budget arithmetic. With target T (e.g. 0.999), the allowed bad share is 1 − T.
 *
 * - burn rate over a window  b = (bad / total) / (1 − T)      (1× spends the budget exactly over the period)
 * - budget consumed          c = bad_period / ((1 − T) · total_period),  remaining = 1 − c
 * - time to exhaustion       remaining · period / b           (at the current burn rate)
 *
 * Counts are Horvitz–Thompson estimates (Σw over population rows); a window needs `minEvents`
 * rows and history for at least half of its hours, else it is `insufficient_data`, never healthy.
 */

/** Good and total events (Σw) and rows per 5-minute bucket start, plus the hours history covers. */
export interface EventSeries {
  readonly buckets: ReadonlyMap<number, readonly [good: number, total: number, rows: number]>;
  /** Hour starts present in history (an hour with zero events is present; a gap is not). */
  readonly hours: ReadonlySet<number>;
}

/** Share of a window's hours that history covers below which the window is `insufficient_data`. */
export const MIN_WINDOW_COVERAGE = 0.5;

/** The counts of one window. */
export interface WindowCounts {
  good: number;
  total: number;
  rows: number;
  /** Share of the window's hours present in history. */
  coverage: number;
}

/** A window's burn rate, or why there is none. */
export interface BurnWindow extends WindowCounts {
  window: string;
  status: 'measured' | 'insufficient_data';
  /** Share of bad events (Σw bad / Σw). */
  badShare?: number;
  burnRate?: number;
  detail?: string;
}

/**
 * Sums the buckets of `[end − ms, end)`.
 *
 * @example
 * windowCounts(series, end, 3_600_000); // { good, total, rows, coverage }
 */
export function windowCounts(series: EventSeries, end: number, ms: number): WindowCounts {
  let good = 0;
  let total = 0;
  let rows = 0;
  for (let b = Math.ceil((end - ms) / BUCKET_MS) * BUCKET_MS; b < end; b += BUCKET_MS) {
    const c = series.buckets.get(b);
    if (!c) continue;
    good += c[0];
    total += c[1];
    rows += c[2];
  }
  let hours = 0;
  let covered = 0;
  for (let h = Math.floor((end - ms) / HOUR) * HOUR; h < end; h += HOUR) {
    hours++;
    if (series.hours.has(h)) covered++;
  }
  return { good, total, rows, coverage: hours > 0 ? covered / hours : 0 };
}

/**
 * The burn rate `(bad / total) / (1 − target)`.
 *
 * @example
 * burnRate(990, 1000, 0.999); // 10 — 1% bad where 0.1% is allowed
 */
export function burnRate(good: number, total: number, target: number): number {
  return (total - good) / total / (1 - target);
}

/**
 * The burn rate of one window, or `insufficient_data` (too few rows, or too little history).
 *
 * @example
 * burnWindow(series, end, '1h', 3_600_000, 0.999, 20).burnRate;
 */
export function burnWindow(series: EventSeries, end: number, label: string, ms: number, target: number, minEvents: number): BurnWindow {
  const c = windowCounts(series, end, ms);
  const base = { window: label, good: round(c.good), total: round(c.total), rows: c.rows, coverage: round(c.coverage) };
  if (c.coverage < MIN_WINDOW_COVERAGE) {
    return { ...base, status: 'insufficient_data', detail: `history covers ${Math.round(c.coverage * 100)}% of the ${label} window` };
  }
  if (c.rows < minEvents || !(c.total > 0)) {
    return { ...base, status: 'insufficient_data', detail: `${c.rows} events in ${label}, need ${minEvents}` };
  }
  return { ...base, status: 'measured', badShare: round((c.total - c.good) / c.total), burnRate: round(burnRate(c.good, c.total, target)) };
}

/** The error budget over the period. */
export interface Budget {
  status: 'measured' | 'insufficient_data';
  good: number;
  total: number;
  rows: number;
  coverage: number;
  /** Σw of bad events the period may have: (1 − target) · total. */
  allowedBad?: number;
  bad?: number;
  /** Share of the budget spent (can exceed 1), and what is left (1 − consumed, can be negative). */
  consumed?: number;
  remaining?: number;
  detail?: string;
}

/**
 * The budget of a period: consumed = bad / ((1 − target) · total), remaining = 1 − consumed.
 *
 * @example
 * budgetOf({ good: 9995, total: 10000, rows: 10000, coverage: 1 }, 0.999, 20).remaining; // 0.5
 */
export function budgetOf(c: WindowCounts, target: number, minEvents: number): Budget {
  const base = { good: round(c.good), total: round(c.total), rows: c.rows, coverage: round(c.coverage) };
  if (c.rows < minEvents || !(c.total > 0)) return { ...base, status: 'insufficient_data', detail: `${c.rows} events in the period, need ${minEvents}` };
  const allowedBad = (1 - target) * c.total;
  const bad = c.total - c.good;
  const consumed = bad / allowedBad;
  return { ...base, status: 'measured', allowedBad: round(allowedBad), bad: round(bad), consumed: round(consumed), remaining: round(1 - consumed) };
}

/**
 * Time until the budget is gone at burn rate `b`: remaining · period / b (0 when already gone,
 * `null` when not burning).
 *
 * @example
 * timeToExhaustion(0.5, 30 * 86_400_000, 10); // 1.5 days in ms
 */
export function timeToExhaustion(remaining: number, periodMs: number, burn: number): number | null {
  if (remaining <= 0) return 0;
  if (!(burn > 0)) return null;
  return (remaining * periodMs) / burn;
}

/** One rule's verdict. */
export interface RuleResult {
  rule: string;
  severity: 'critical' | 'warning';
  factor: number;
  /** `firing` when both windows burn at ≥ factor; `insufficient_data` when either cannot be measured. */
  status: 'firing' | 'ok' | 'insufficient_data';
  long: BurnWindow;
  short: BurnWindow;
}

/**
 * Evaluates a multi-window rule: firing when the burn rate over both the long and the short
 * window is at least the factor.
 *
 * @example
 * evaluateRule(rule, series, end, 0.999, 20).status; // 'firing' | 'ok' | 'insufficient_data'
 */
export function evaluateRule(rule: BurnRule, series: EventSeries, end: number, target: number, minEvents: number): RuleResult {
  const long = burnWindow(series, end, rule.long, rule.longMs, target, minEvents);
  const short = burnWindow(series, end, rule.short, rule.shortMs, target, minEvents);
  const status =
    long.status !== 'measured' || short.status !== 'measured'
      ? 'insufficient_data'
      : (long.burnRate as number) >= rule.factor && (short.burnRate as number) >= rule.factor
        ? 'firing'
        : 'ok';
  return { rule: rule.name, severity: rule.severity, factor: rule.factor, status, long, short };
}

const round = (x: number): number => Number(x.toPrecision(10));
