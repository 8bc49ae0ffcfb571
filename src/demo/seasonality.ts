/**
 * The expected call rate of a route over the day and the week: a working-hours bump around the
 * route's peak hour over a quiet night floor, and a weekend dip. All in UTC.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Shape of the daily and weekly cycle. */
export interface SeasonalityOptions {
  /** Night-time rate as a share of the peak rate. Default 0.12. */
  readonly nightFloor?: number;
  /** Width (standard deviation, hours) of the working-hours bump. Default 4. */
  readonly dayWidthHours?: number;
  /** Rate on Saturday and Sunday as a share of a weekday's. Default [0.5, 0.4]. */
  readonly weekend?: readonly [saturday: number, sunday: number];
}

/**
 * The daily factor in [nightFloor, 1] at time `t` for a route peaking at `peakHourUtc`.
 *
 * @example
 * dailyFactor(Date.UTC(2026, 0, 5, 14), 14); // 1
 * dailyFactor(Date.UTC(2026, 0, 5, 3), 14); // ≈ 0.12
 */
export function dailyFactor(t: number, peakHourUtc: number, options: SeasonalityOptions = {}): number {
  const floor = options.nightFloor ?? 0.12;
  const width = options.dayWidthHours ?? 4;
  const hourOfDay = (((t % DAY) + DAY) % DAY) / HOUR;
  let d = Math.abs(hourOfDay - peakHourUtc) % 24;
  if (d > 12) d = 24 - d;
  return floor + (1 - floor) * Math.exp(-(d * d) / (2 * width * width));
}

/**
 * The weekly factor at time `t`: 1 on weekdays, the weekend shares on Saturday and Sunday (UTC).
 *
 * @example
 * weeklyFactor(Date.UTC(2026, 0, 10, 12)); // 0.5 (a Saturday)
 */
export function weeklyFactor(t: number, options: SeasonalityOptions = {}): number {
  const [sat, sun] = options.weekend ?? [0.5, 0.4];
  const dow = new Date(t).getUTCDay();
  return dow === 6 ? sat : dow === 0 ? sun : 1;
}

/**
 * The seasonal factor (daily × weekly) for the hour that starts at `hourStart`, evaluated at its
 * middle so that a whole hour carries one rate.
 *
 * @example
 * seasonalFactor(Date.UTC(2026, 0, 5, 14), 14.5); // 1 on a Monday at the peak
 */
export function seasonalFactor(hourStart: number, peakHourUtc: number, options: SeasonalityOptions = {}): number {
  const mid = hourStart + HOUR / 2;
  return dailyFactor(mid, peakHourUtc, options) * weeklyFactor(mid, options);
}
