import { HOUR } from '../captures/partitions.ts';
import { aggregateKey } from '../store/keys.ts';
import type { ResultsStore } from '../store/types.ts';
import { addCost, emptyCost, SLO_HOUR_VERSION, type CostCell, type SloHour } from './cells.ts';

/**
 * SLO and cost history in the results store, one partition hour per folder:
 *
 *   aggregates/slo/dt=<YYYY-MM-DD>/hour=<HH>/summary.json   routes' cost, SLO buckets, examples (small)
 *   aggregates/slo/dt=<YYYY-MM-DD>/hour=<HH>/dims.json      cost per dimension value (can be large)
 *
 * Burn windows (up to the SLO period), the cost sigma windows (weeks) and month-to-date read only
 * summaries; the attribution of the window and its comparison window read dims as well. A missing
 * hour is a gap (never zero traffic): zero traffic is stored as an empty hour.
 */

/** What a summary file holds: the hour without its dimension cells. */
export type HourSummary = Omit<SloHour, 'dims'>;
/** What a dims file holds. */
export interface HourDims {
  v: typeof SLO_HOUR_VERSION;
  start: number;
  dims: SloHour['dims'];
}

/** Value that collects the values beyond `maxValuesPerHour`. */
export const OTHER = '(other)';

export const summaryKey = (start: number): string => aggregateKey('slo', start, 'summary');
export const dimsKey = (start: number): string => aggregateKey('slo', start, 'dims');

/** An hour that could not be used, and why. */
export interface SloGap {
  hour: string;
  reason: 'missing' | 'schema_version' | 'invalid_json';
}

const decoder = new TextDecoder();

async function readJson(store: ResultsStore, key: string): Promise<unknown | null | Error> {
  const bytes = await store.get(key);
  if (bytes === null) return null;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (err) {
    return err as Error;
  }
}

/**
 * Hour starts in `[from, to)`.
 *
 * @example
 * hoursBetween(t, t + 2 * HOUR); // [t, t + HOUR]
 */
export function hoursBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let h = Math.ceil(from / HOUR) * HOUR; h < to; h += HOUR) out.push(h);
  return out;
}

async function loadFiles<T extends { v: number }>(
  store: ResultsStore,
  starts: readonly number[],
  keyOf: (h: number) => string,
  concurrency: number,
): Promise<{ found: Map<number, T>; gaps: SloGap[] }> {
  const found = new Map<number, T>();
  const gaps: SloGap[] = [];
  const results = new Array<unknown>(starts.length);
  let next = 0;
  const lane = async () => {
    while (next < starts.length) {
      const i = next++;
      results[i] = await readJson(store, keyOf(starts[i] as number));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, starts.length) }, lane));
  starts.forEach((h, i) => {
    const got = results[i];
    const hour = new Date(h).toISOString();
    if (got === null) gaps.push({ hour, reason: 'missing' });
    else if (got instanceof Error) gaps.push({ hour, reason: 'invalid_json' });
    else if ((got as T).v !== SLO_HOUR_VERSION) gaps.push({ hour, reason: 'schema_version' });
    else found.set(h, got as T);
  });
  return { found, gaps };
}

/**
 * Loads the hour summaries of `[from, to)`; hours in `known` are taken from it, not read.
 *
 * @example
 * const { hours, gaps } = await loadSummaries(store, end - 30 * 86_400_000, start);
 */
export async function loadSummaries(
  store: ResultsStore,
  from: number,
  to: number,
  options: { known?: ReadonlyMap<number, HourSummary>; concurrency?: number } = {},
): Promise<{ hours: Map<number, HourSummary>; gaps: SloGap[] }> {
  const starts = hoursBetween(from, to);
  const toRead = starts.filter((h) => !options.known?.has(h));
  const { found, gaps } = await loadFiles<HourSummary>(store, toRead, summaryKey, options.concurrency ?? 16);
  const hours = new Map<number, HourSummary>();
  for (const h of starts) {
    const s = options.known?.get(h) ?? found.get(h);
    if (s) hours.set(h, s);
  }
  return { hours, gaps };
}

/**
 * Loads the dimension cells of `[from, to)`.
 *
 * @example
 * const { hours } = await loadDims(store, start - 86_400_000, start);
 */
export async function loadDims(store: ResultsStore, from: number, to: number, concurrency = 16): Promise<{ hours: Map<number, HourDims>; gaps: SloGap[] }> {
  const { found, gaps } = await loadFiles<HourDims>(store, hoursBetween(from, to), dimsKey, concurrency);
  return { hours: found, gaps };
}

/**
 * Keeps the `max` costliest values of each dimension and folds the rest into `(other)`.
 *
 * @example
 * foldDims({ tenant_id: { a: cellA, b: cellB, c: cellC } }, 2); // c folded into '(other)'
 */
export function foldDims(dims: SloHour['dims'], max: number): SloHour['dims'] {
  const out: SloHour['dims'] = {};
  for (const [dim, values] of Object.entries(dims)) {
    const entries = Object.entries(values);
    if (entries.length <= max) {
      out[dim] = values;
      continue;
    }
    const named = entries.filter(([name]) => name !== OTHER);
    named.sort((a, b) => b[1].usd - a[1].usd || b[1].w - a[1].w || (a[0] < b[0] ? -1 : 1));
    const kept: Record<string, CostCell> = Object.fromEntries(named.slice(0, max - 1));
    const other = addCost(emptyCost(), values[OTHER] ?? emptyCost());
    for (const [, c] of named.slice(max - 1)) addCost(other, c);
    kept[OTHER] = other;
    out[dim] = kept;
  }
  return out;
}

/**
 * Stores an hour (summary and dims; idempotent overwrite). An existing hour built from more
 * capture objects is kept: a run that lost objects must not replace more complete history.
 * Resolves to the summary now in the store (the fresh one, or the kept one).
 *
 * @example
 * await saveHour(store, hour, { maxValuesPerHour: 500 });
 */
export async function saveHour(store: ResultsStore, hour: SloHour, options: { maxValuesPerHour: number }): Promise<{ written: boolean; summary: HourSummary }> {
  const prev = await readJson(store, summaryKey(hour.start));
  if (prev && !(prev instanceof Error) && (prev as HourSummary).v === SLO_HOUR_VERSION && (prev as HourSummary).objects > hour.objects) {
    return { written: false, summary: prev as HourSummary };
  }
  const { dims, ...summary } = hour;
  const d: HourDims = { v: SLO_HOUR_VERSION, start: hour.start, dims: foldDims(dims, options.maxValuesPerHour) };
  await store.put(dimsKey(hour.start), JSON.stringify(d));
  await store.put(summaryKey(hour.start), JSON.stringify(summary));
  return { written: true, summary };
}
