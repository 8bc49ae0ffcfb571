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
  const n = daily.length;
  const mean = n > 0 ? daily.reduce((t, x) => t + x, 0) / n : null;
  const sd = n > 1 && mean !== null ? Math.sqrt(daily.reduce((t, x) => t + (x - mean) ** 2, 0) / (n - 1)) : null;
  const D = (left + (elapsed - covered)) / 24;
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
