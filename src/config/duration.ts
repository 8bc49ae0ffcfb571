/** The duration syntax of every config key and flag: a whole number and a unit. */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d|w)$/;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * Parses a duration such as `90s`, `15m`, `1h`, `24h`, `7d`, `4w` into milliseconds.
 *
 * @example
 * parseDuration('24h'); // 86_400_000
 */
export function parseDuration(text: string): number {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}" (expected e.g. "15m", "1h", "24h", "7d")`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}
