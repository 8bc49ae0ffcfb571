import { HOUR } from '../captures/partitions.ts';
import { aggregateKey } from '../store/keys.ts';
import type { ResultsStore } from '../store/types.ts';
import { mapLimit } from '../runtime/map-limit.ts';
import { DRIFT_AGGREGATE_VERSION, type HourAggregate, withRollup } from './aggregate.ts';
import type { HourBuckets } from './analyze.ts';
import { hourSeries, SERIES_VERSION, type HourSeries } from './series.ts';

/**
 * Drift history in the results store: per partition hour, the full aggregate (samples, sketches,
 * examples) and its scalar series, at
 *
 *   aggregates/drift/dt=<YYYY-MM-DD>/hour=<HH>/aggregate.json
 *   aggregates/drift/dt=<YYYY-MM-DD>/hour=<HH>/series.json
 *
 * Baselines (7 days) read full aggregates; sigma windows (K weeks) read only the series, which is
 * why the two are separate files.
 */


/** Key of an hour's full aggregate. */
export const aggregateFileKey = (start: number): string => aggregateKey('drift', start, 'aggregate');
/** Key of an hour's series. */
export const seriesFileKey = (start: number): string => aggregateKey('drift', start, 'series');

/** Options of the history loaders. */
export interface HistoryOptions {
  /** Store reads in flight. Default 16. */
  readonly concurrency?: number;
}

/** Hours that could not be used, and why. */
export interface HistoryGap {
  hour: string;
  reason: 'missing' | 'schema_version' | 'invalid_json';
  detail?: string;
}

function hoursIn(from: number, to: number): number[] {
  const out: number[] = [];
  for (let h = Math.ceil(from / HOUR) * HOUR; h < to; h += HOUR) out.push(h);
  return out;
}

async function readJson(store: ResultsStore, key: string): Promise<{ value?: unknown; error?: string } | null> {
  const bytes = await store.get(key);
  if (bytes === null) return null;
  try {
    return { value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch (err) {
    return { error: `${key}: ${(err as Error).message}` };
  }
}

/**
 * Reads one JSON file per hour and keeps those of the expected version; every other hour is a gap.
 * The one loader behind {@link loadHistory} and {@link loadSeries}.
 */
async function loadHours<T extends { v: number }>(
  store: ResultsStore,
  starts: readonly number[],
  keyOf: (start: number) => string,
  version: number,
  options: HistoryOptions,
): Promise<{ found: Map<number, T>; gaps: HistoryGap[] }> {
  const found = new Map<number, T>();
  const gaps: HistoryGap[] = [];
  const loaded = await mapLimit(starts, options.concurrency ?? 16, (h) => readJson(store, keyOf(h)));
  starts.forEach((h, i) => {
    const hour = new Date(h).toISOString();
    const got = loaded[i];
    if (!got) return gaps.push({ hour, reason: 'missing' });
    if (got.error) return gaps.push({ hour, reason: 'invalid_json', detail: got.error });
    const value = got.value as T | undefined;
    if (value?.v !== version) return gaps.push({ hour, reason: 'schema_version', detail: `version ${String(value?.v)}` });
    found.set(h, value);
  });
  return { found, gaps };
}

/**
 * Loads the hourly aggregates of `[from, to)` with their `*` rollups. Missing hours are reported
 * as gaps (never as zero traffic).
 *
 * @example
 * const { hours, gaps } = await loadHistory(store, windowStart - 7 * 86_400_000, windowStart);
 */
export async function loadHistory(
  store: ResultsStore,
  from: number,
  to: number,
  options: HistoryOptions = {},
): Promise<{ hours: Map<number, HourBuckets>; gaps: HistoryGap[] }> {
  const { found, gaps } = await loadHours<HourAggregate>(store, hoursIn(from, to), aggregateFileKey, DRIFT_AGGREGATE_VERSION, options);
  const hours = new Map<number, HourBuckets>();
  for (const [h, agg] of found) hours.set(h, withRollup(agg));
  return { hours, gaps };
}

/**
 * Loads the hourly series of `[from, to)`; absent hours are simply absent from the map. Hours in
 * `known` are taken from it instead of the store (a caller that already holds their aggregates
 * derives their series with `hourSeries`, rather than reading the same history a second time).
 *
 * @example
 * const { series } = await loadSeries(store, end - 5 * 7 * 86_400_000, windowStart);
 */
export async function loadSeries(
  store: ResultsStore,
  from: number,
  to: number,
  options: HistoryOptions & { readonly known?: ReadonlyMap<number, HourSeries> } = {},
): Promise<{ series: Map<number, HourSeries>; gaps: HistoryGap[] }> {
  const starts = hoursIn(from, to);
  const known = options.known;
  const toRead = known ? starts.filter((h) => !known.has(h)) : starts;
  const { found, gaps } = await loadHours<StoredSeries>(store, toRead, seriesFileKey, SERIES_VERSION, options);
  const series = new Map<number, HourSeries>();
  for (const h of starts) {
    const s = known?.get(h) ?? withoutCount(found.get(h));
    if (s) series.set(h, s);
  }
  return { series, gaps };
}

/** An hour's series as stored: with the count of capture objects in the hour (since 2026-12). */
interface StoredSeries extends HourSeries {
  objects?: number;
}

/** A stored series as the analysis sees it, whichever way it was derived: cells only. */
function withoutCount(s: StoredSeries | undefined): HourSeries | undefined {
  if (s?.objects === undefined) return s;
  const { objects: _objects, ...series } = s;
  return series;
}

/** The history a drift analysis reads, as {@link loadWindowHistory} returns it. */
export interface WindowHistory {
  /** Baseline aggregates with their rollups, and the baseline hours that are missing or unusable. */
  readonly baseline: { hours: Map<number, HourBuckets>; gaps: HistoryGap[] };
  /** Series of `[seriesFrom, to)`, ascending. */
  readonly series: Map<number, HourSeries>;
}

/**
 * Loads a window's baseline aggregates (`[baselineFrom, to)`) and sigma series (`[seriesFrom,
 * to)`) at once: the series older than the baseline are read alongside the baseline, and a
 * baseline hour's series is derived from its aggregate (what {@link saveHour} stored beside it),
 * so only a baseline hour without a usable aggregate has its series file read.
 *
 * @example
 * const { baseline, series } = await loadWindowHistory(store, { baselineFrom: start - 7 * DAY, seriesFrom: end - 5 * WEEK, to: start });
 */
export async function loadWindowHistory(
  store: ResultsStore,
  range: { readonly baselineFrom: number; readonly seriesFrom: number; readonly to: number },
  options: HistoryOptions = {},
): Promise<WindowHistory> {
  const olderTo = Math.min(range.baselineFrom, range.to);
  const [baseline, older] = await Promise.all([
    loadHistory(store, range.baselineFrom, range.to, options),
    range.seriesFrom < olderTo ? loadSeries(store, range.seriesFrom, olderTo, options) : { series: new Map<number, HourSeries>() },
  ]);
  const known = new Map([...baseline.hours].map(([h, buckets]) => [h, hourSeries(h, buckets)]));
  const recent = await loadSeries(store, Math.max(range.seriesFrom, range.baselineFrom), range.to, { ...options, known });
  return { baseline, series: new Map([...older.series, ...recent.series]) };
}

/**
 * Stores an hour's aggregate and series (idempotent overwrite). An existing hour built from more
 * capture objects is kept: a later run that lost objects (failed units, retention) must not
 * replace a more complete history. Resolves to whether it wrote. `series` is the hour's series
 * when the caller has already computed it (default: computed here from the hour's rollup).
 *
 * The series is written first and records the object count, so the check reads that small file,
 * not the full aggregate. A crash between the two writes leaves the series' count ahead of the
 * aggregate, never behind it (or a series without an aggregate, which counts as no hour): a later
 * run may skip improving that hour, but never replaces a more complete aggregate with a less
 * complete one.
 *
 * @example
 * await saveHour(store, hourAggregate);
 */
export async function saveHour(store: ResultsStore, hour: HourAggregate, series: HourSeries = hourSeries(hour.start, withRollup(hour))): Promise<boolean> {
  const stored = await storedObjects(store, hour.start);
  if (stored !== undefined && stored > hour.objects) return false;
  await store.put(seriesFileKey(hour.start), JSON.stringify({ ...series, objects: hour.objects } satisfies StoredSeries));
  await store.put(aggregateFileKey(hour.start), JSON.stringify(hour));
  return true;
}

/**
 * Capture objects folded into a stored hour's aggregate: undefined when there is no usable
 * aggregate (one listing of the hour's folder tells); else from its series when that records them,
 * else (a series written before it did, or none) from the aggregate itself.
 */
async function storedObjects(store: ResultsStore, start: number): Promise<number | undefined> {
  const aggKey = aggregateFileKey(start);
  const present = new Set<string>();
  for await (const key of store.list(aggKey.slice(0, aggKey.lastIndexOf('/') + 1))) present.add(key);
  // A series without its aggregate (a crash between the two writes): nothing to keep.
  if (!present.has(aggKey)) return undefined;
  if (present.has(seriesFileKey(start))) {
    const series = (await readJson(store, seriesFileKey(start)))?.value as Partial<StoredSeries> | undefined;
    if (series?.v === SERIES_VERSION && typeof series.objects === 'number') return series.objects;
  }
  const prev = (await readJson(store, aggKey))?.value as HourAggregate | undefined;
  return prev?.v === DRIFT_AGGREGATE_VERSION ? prev.objects : undefined;
}
