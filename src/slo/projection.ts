import { HOUR } from '../captures/partitions.ts';
import { studentTQuantile } from '../stats/index.ts';
import { totalCost } from './cells.ts';
import type { HourSummary } from './history.ts';

/**
 * Month-to-date spend and a month-end projection (UTC months).
 *
 * - Month to date: the HT total over the month's hours up to the run's end that history holds
 *   (a missing hour is reported in `hoursCovered`, and projected like a future hour).
 * - Daily rate: mean m and standard deviation s of the last `days` complete UTC days (all 24
 *   hours in history) before the run's end, whatever month they are in.
 * - Projection: MTD + D·m, where D = (hours left in the month + missing hours) / 24.
 * - Interval (95%): ± t(0.975, n − 1) · √(D·s² + D²·s²/n + Var_HT(MTD)): day-to-day variation of
 *   the D days to come (treated as independent), the uncertainty of the mean rate, and the
 *   sampling error of what was already spent. Weekly seasonality is not modelled beyond averaging
 *   whole days; with fewer than two complete days there is no interval (`insufficient_data`).
 *
 * Limits (simulated in `scripts/stats/make_slo_reference.py`, `projectionCoverage`): the interval
 * holds its 95% for independent days; with 7 rate days and a weekday/weekend pattern it is wide
 * (the pattern inflates s, but a whole week averages it out of m); with fewer than 7 days it is
 * biased by the weekday mix (75–85% coverage); correlated days (AR(1) 0.6) give 70–88%; a trend
 * (+1%/day) breaks it (0–80%). So the projection carries `caveats`: a significant week-over-week
 * change (the last 7 complete days against the 7 before, paired by weekday), rate days that are
 * not whole weeks, and month hours without history (projected at the daily rate, as if the
 * service ran then).
 */

/** What the report says about the month. */
export interface MonthProjection {
  month: string;
  /** HT estimate of the spend so far, and its standard error. */
  usd: number;
  se: number;
  hoursElapsed: number;
  hoursCovered: number;
  hoursLeft: number;
  /** The complete days the daily rate was estimated from. */
  rateDays: number;
  dailyMean: number | null;
  dailySd: number | null;
  projection: { status: 'measured' | 'insufficient_data'; usd: number | null; low: number | null; high: number | null; detail?: string };
  /** Hours of the month so far without history, projected at the daily rate. */
  imputedHours: number;
  /** Relative change of the last 7 complete days' spend against the 7 before (paired by weekday); null without 14 days. */
  weekOverWeek: number | null;
  /** Why the interval may not hold its 95% (see the module comment); empty when none applies. */
  caveats: string[];
}

/**
 * Change of the daily spend from the 7 days before to the last 7 complete days, paired by weekday
 * so a weekday/weekend pattern cancels (a slope over one week cannot tell a weekend dip from a
 * trend): relative change of the weekly total and whether the paired differences differ from 0
 * (two-sided 5%, t with 6 degrees of freedom). `null` without 14 complete days.
 *
 * @example
 * weekOverWeek([110, 112, 108, 111, 109, 60, 55], [100, 101, 99, 100, 100, 55, 50]); // { change: 0.094…, significant: true }
 */
export function weekOverWeek(last: readonly number[], prior: readonly number[]): { change: number; significant: boolean } | null {
  if (last.length !== 7 || prior.length !== 7) return null;
  const diffs = last.map((x, i) => x - (prior[i] as number));
  const md = diffs.reduce((t, x) => t + x, 0) / 7;
  const sd = Math.sqrt(diffs.reduce((t, x) => t + (x - md) ** 2, 0) / 6);
  const before = prior.reduce((t, x) => t + x, 0);
  const significant = sd > 0 ? Math.abs(md / (sd / Math.sqrt(7))) > studentTQuantile(0.975, 6) : md !== 0;
  return { change: before > 0 ? (7 * md) / before : 0, significant };
}

const r6 = (x: number): number => Number(x.toPrecision(10));
const DAY = 24 * HOUR;

/** Spend of the UTC day starting at `d`, or null when an hour of it is missing from history. */
function dayTotal(hours: ReadonlyMap<number, HourSummary>, d: number): number | null {
  let total = 0;
  for (let h = d; h < d + DAY; h += HOUR) {
    const s = hours.get(h);
    if (!s) return null;
    total += totalCost(s).usd;
  }
  return total;
}

/**
 * Month-to-date and month-end projection at `end` from hour summaries (which must cover the month
 * so far and the `days` complete days before `end`).
 *
 * @example
 * projectMonth(summaries, Date.UTC(2026, 2, 20), 7).projection; // { status: 'measured', usd: 12040, low: 11390, high: 12690 }
 */
export function projectMonth(hours: ReadonlyMap<number, HourSummary>, end: number, days: number): MonthProjection {
  const last = new Date(end - 1);
  const monthStart = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), 1);
  const monthEnd = Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1);
  let usd = 0;
  let v = 0;
  let covered = 0;
  for (let h = monthStart; h < end; h += HOUR) {
    const s = hours.get(h);
    if (!s) continue;
    covered++;
    const t = totalCost(s);
    usd += t.usd;
    v += t.usdVar;
  }
  const elapsed = Math.round((end - monthStart) / HOUR);
  const left = Math.round((monthEnd - end) / HOUR);

  const daily: number[] = [];
  // Complete days newest first, null for an incomplete one: the rate days, and the two weeks
  // the week-over-week caveat compares.
  const lastDays: (number | null)[] = [];
  const firstDay = Math.floor(end / DAY) * DAY - DAY;
  for (let d = firstDay; d >= firstDay - 13 * DAY; d -= DAY) lastDays.push(dayTotal(hours, d));
  for (let d = firstDay; daily.length < days && d >= end - 2 * days * DAY; d -= DAY) {
    const total = dayTotal(hours, d);
    if (total !== null) daily.push(total);
  }
  daily.reverse(); // collected newest first
  const n = daily.length;
  const mean = n > 0 ? daily.reduce((t, x) => t + x, 0) / n : null;
  const sd = n > 1 && mean !== null ? Math.sqrt(daily.reduce((t, x) => t + (x - mean) ** 2, 0) / (n - 1)) : null;
  const D = (left + (elapsed - covered)) / 24;
  const twoWeeks = lastDays.every((x) => x !== null);
  const trend = twoWeeks ? weekOverWeek((lastDays.slice(0, 7) as number[]).reverse(), (lastDays.slice(7) as number[]).reverse()) : null;
  const caveats: string[] = [];
  if (trend?.significant) caveats.push(`daily spend ${trend.change >= 0 ? 'rose' : 'fell'} ${(Math.abs(trend.change) * 100).toFixed(0)}% week over week; the projection assumes a flat rate`);
  if (n >= 2 && n % 7 !== 0) caveats.push(`${n} rate days are not whole weeks: a weekday/weekend pattern biases the rate`);
  if (elapsed > covered) caveats.push(`${elapsed - covered} h of the month have no history and are projected at the daily rate`);
  const base = {
    month: new Date(monthStart).toISOString().slice(0, 7),
    usd: r6(usd),
    se: r6(Math.sqrt(v)),
    hoursElapsed: elapsed,
    hoursCovered: covered,
    hoursLeft: left,
    rateDays: n,
    dailyMean: mean === null ? null : r6(mean),
    dailySd: sd === null ? null : r6(sd),
    imputedHours: elapsed - covered,
    weekOverWeek: trend === null ? null : r6(trend.change),
    caveats,
  };
  if (mean === null) {
    return { ...base, projection: { status: 'insufficient_data', usd: null, low: null, high: null, detail: 'no complete day of cost history to estimate a daily rate' } };
  }
  const point = usd + D * mean;
  if (sd === null) {
    return { ...base, projection: { status: 'insufficient_data', usd: r6(point), low: null, high: null, detail: 'one complete day of history: no interval until there are two' } };
  }
  const half = studentTQuantile(0.975, n - 1) * Math.sqrt(D * sd * sd + (D * D * sd * sd) / n + v);
  return { ...base, projection: { status: 'measured', usd: r6(point), low: r6(Math.max(usd, point - half)), high: r6(point + half) } };
}
