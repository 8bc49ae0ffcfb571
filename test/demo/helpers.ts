import { generateTraffic, type TrafficOptions } from '../../src/demo/index.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 2026-01-05 00:00 UTC. */
export const MONDAY = Date.UTC(2026, 0, 5);

export type Rec = Record<string, unknown>;

/** All items of a traffic window as an array. */
export function collect(options: TrafficOptions): Rec[] {
  return [...generateTraffic(options)];
}

export function byRoute(records: Rec[], route: string): Rec[] {
  return records.filter((r) => r.route === route);
}

export const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

/** Records keyed by request_id. */
export function index(records: Rec[]): Map<string, Rec> {
  return new Map(records.map((r) => [r.request_id as string, r]));
}

/** The keys whose values differ between two records (JSON comparison). */
export function changedKeys(a: Rec, b: Rec): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** The set of keys that differ anywhere between paired records. */
export function changedAnywhere(before: Rec[], after: Map<string, Rec>): Set<string> {
  const out = new Set<string>();
  for (const r of before) {
    const other = after.get(r.request_id as string);
    if (!other) {
      out.add('<missing record>');
      continue;
    }
    for (const k of changedKeys(r, other)) out.add(k);
  }
  return out;
}
