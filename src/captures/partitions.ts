import type { TimeWindow } from './source.ts';

const HOUR = 3_600_000;

/**
 * A partition layout: how the hour of a capture object is written into its key.
 * `hive` → `dt=2026-11-23/hour=14/`, `firehose` → `2026/11/23/14/`, or a custom template with
 * `{YYYY}`, `{MM}`, `{DD}`, `{HH}` tokens ending in `/`.
 */
export interface KeyTemplate {
  readonly template: string;
  /** The key prefix (relative to the source root) of the partition that starts at `hourStart`. */
  prefixFor(hourStart: number): string;
  /** The partition hour (epoch ms) a key belongs to, or `null` when the key is outside the layout. */
  hourOf(key: string): number | null;
}

const NAMED: Record<string, string> = {
  hive: 'dt={YYYY}-{MM}-{DD}/hour={HH}/',
  firehose: '{YYYY}/{MM}/{DD}/{HH}/',
};

/**
 * Parses a key template (a name or a token pattern).
 *
 * @example
 * const t = keyTemplate('hive');
 * t.prefixFor(Date.UTC(2026, 10, 23, 14)); // 'dt=2026-11-23/hour=14/'
 * t.hourOf('dt=2026-11-23/hour=14/part-0.jsonl.gz'); // Date.UTC(2026, 10, 23, 14)
 */
export function keyTemplate(nameOrPattern: string): KeyTemplate {
  const template = NAMED[nameOrPattern] ?? nameOrPattern;
  for (const token of ['{YYYY}', '{MM}', '{DD}', '{HH}']) {
    if (!template.includes(token)) {
      throw new Error(`captures.keyTemplate: "${nameOrPattern}" must contain ${token} (or be "hive" or "firehose")`);
    }
  }
  if (!template.endsWith('/')) {
    throw new Error(`captures.keyTemplate: "${nameOrPattern}" must end with "/"`);
  }
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const order: string[] = [];
  const pattern = escaped.replace(/\{(YYYY|MM|DD|HH)\}/g, (_m, t: string) => {
    order.push(t);
    return t === 'YYYY' ? '(\\d{4})' : '(\\d{2})';
  });
  const re = new RegExp(`^${pattern}`);
  return {
    template,
    prefixFor(hourStart) {
      const d = new Date(hourStart);
      return template
        .replace('{YYYY}', String(d.getUTCFullYear()).padStart(4, '0'))
        .replace('{MM}', String(d.getUTCMonth() + 1).padStart(2, '0'))
        .replace('{DD}', String(d.getUTCDate()).padStart(2, '0'))
        .replace('{HH}', String(d.getUTCHours()).padStart(2, '0'));
    },
    hourOf(key) {
      const m = re.exec(key);
      if (!m) return null;
      const parts: Record<string, number> = {};
      order.forEach((t, i) => (parts[t] = Number(m[i + 1])));
      const { YYYY = NaN, MM = NaN, DD = NaN, HH = NaN } = parts;
      if (MM < 1 || MM > 12 || DD < 1 || DD > 31 || HH > 23) return null;
      const ts = Date.UTC(YYYY, MM - 1, DD, HH);
      // Reject impossible dates such as 02-31 that Date.UTC silently rolls over.
      if (new Date(ts).getUTCDate() !== DD) return null;
      return ts;
    },
  };
}

/**
 * The start of every partition hour that overlaps `[start, end)`.
 *
 * @example
 * hoursOverlapping({ start: Date.UTC(2026, 0, 1, 10, 30), end: Date.UTC(2026, 0, 1, 12) });
 * // [10:00, 11:00]
 */
export function hoursOverlapping(window: TimeWindow): number[] {
  const out: number[] = [];
  for (let h = Math.floor(window.start / HOUR) * HOUR; h < window.end; h += HOUR) out.push(h);
  return out;
}

export { HOUR };
