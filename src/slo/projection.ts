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
 * (+1%/day) breaks it (0–80%). So the projection carries `caveats`: a significant linear trend of
 * the rate days (OLS slope, two-sided 5%), rate days that are not whole weeks, and month hours
 * without history (projected at the daily rate, as if the service ran then).
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
  /** Relative change of the daily rate per day (OLS slope / mean) over the rate days; null below 3 days. */
  trendPerDay: number | null;
  /** Why the interval may not hold its 95% (see the module comment); empty when none applies. */
  caveats: string[];
}

/**
 * OLS slope of the daily totals (oldest first) relative to their mean, and whether it differs
 * from 0 at the two-sided 5% level (t with n − 2 degrees of freedom). `null` below 3 days.
 *
 * @example
 * dailyTrend([100, 110, 121, 133]); // { perDay: 0.094…, significant: true }
 */
export function dailyTrend(daily: readonly number[]): { perDay: number; significant: boolean } | null {
  const n = daily.length;
  if (n < 3) return null;
  const xm = (n - 1) / 2;
  const ym = daily.reduce((t, y) => t + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - xm) ** 2;
    sxy += (i - xm) * ((daily[i] as number) - ym);
  }
  const slope = sxy / sxx;
  const sse = daily.reduce((t, y, i) => t + (y - ym - slope * (i - xm)) ** 2, 0);
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const significant = se > 0 ? Math.abs(slope / se) > studentTQuantile(0.975, n - 2) : slope !== 0;
  return { perDay: ym !== 0 ? slope / ym : 0, significant };
}

const r6 = (x: number): number => Number(x.toPrecision(10));
const DAY = 24 * HOUR;

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
  for (let d = Math.floor(end / DAY) * DAY - DAY; daily.length < days && d >= end - 2 * days * DAY; d -= DAY) {
    let total = 0;
    let complete = true;
    for (let h = d; h < d + DAY; h += HOUR) {
      const s = hours.get(h);
      if (!s) {
        complete = false;
        break;
      }
      total += totalCost(s).usd;
    }
    if (complete) daily.push(total);
  }
  daily.reverse(); // collected newest first
  const n = daily.length;
  const mean = n > 0 ? daily.reduce((t, x) => t + x, 0) / n : null;
  const sd = n > 1 && mean !== null ? Math.sqrt(daily.reduce((t, x) => t + (x - mean) ** 2, 0) / (n - 1)) : null;
  const D = (left + (elapsed - covered)) / 24;
  const trend = dailyTrend(daily);
  const caveats: string[] = [];
  if (trend?.significant) caveats.push(`daily spend is trending ${trend.perDay >= 0 ? '+' : '−'}${(Math.abs(trend.perDay) * 100).toFixed(1)}%/day over the last ${n} days; the projection assumes a flat rate`);
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
    trendPerDay: trend === null ? null : r6(trend.perDay),
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
