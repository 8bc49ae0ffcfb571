import { deserialize, serialize } from 'node:v8';
import { HOUR } from '../captures/partitions.ts';
import { aggregatePrefix } from '../store/keys.ts';
import type { ResultsStore } from '../store/types.ts';
import { digestBaseline, type BaselineDigest, type NumericBaseline } from './baseline.ts';
import type { HourBuckets } from './buckets.ts';
import { aggregateFileKey, loadWindowHistory, type HistoryGap, type HistoryOptions } from './history.ts';
import { MAX_POOLED_WINDOWS_DEFAULT } from './hysteresis-store.ts';
import { allEqual, type WeightedSample } from './sample.ts';
import type { HourSeries } from './series.ts';

/**
 * Everything a drift finalize reads of history, already reduced: the baseline digest, the sigma
 * series and the few single hours an hourly window pools with. It depends only on the window's
 * span and the stored history, never on the window's own captures, so the queue runner builds it
 * in a `prepare` job that runs beside the units, and the finalize (the one serial step of a run)
 * receives it as bytes instead of reading and reducing ~170 hourly aggregates itself.
 */

/** The history ranges of one window (epoch ms, hour-aligned). */
export interface DriftHistoryRange {
  /** Baseline: aggregates of `[baselineFrom, to)`. */
  readonly baselineFrom: number;
  /** Sigma windows: series of `[seriesFrom, to)`. */
  readonly seriesFrom: number;
  /** The window's start. */
  readonly to: number;
  /** Baseline hours from here on are kept whole (`recent`); `to` for a window longer than an hour. */
  readonly recentFrom: number;
}

/** A window's history as the drift analysis reads it. */
export interface DriftHistory {
  readonly baseline: BaselineDigest;
  /** Baseline hours present in history. */
  readonly baselineHours: number;
  /** Baseline hours missing or unusable, ascending. */
  readonly gaps: readonly HistoryGap[];
  /** Series of `[seriesFrom, to)`, ascending; gaps are absent keys. */
  readonly series: ReadonlyMap<number, HourSeries>;
  /**
   * Whole buckets of the baseline hours of `[recentFrom, to)`: what a pending episode and the
   * previous-hour pooling of an hourly window read.
   */
  readonly recent: ReadonlyMap<number, HourBuckets>;
}

const WEEK = 7 * 24 * HOUR;

/**
 * The history ranges of a window `[start, end)`: the baseline before it, `seasonalWeeks + 1`
 * weeks of series ending at its end, and for an hourly window the hours a pending episode may
 * pool (at most `MAX_POOLED_WINDOWS_DEFAULT − 1` before it).
 *
 * @example
 * driftHistoryRange({ start, end: start + HOUR }, 7 * DAY, 4);
 */
export function driftHistoryRange(span: { readonly start: number; readonly end: number }, baselineMs: number, seasonalWeeks: number): DriftHistoryRange {
  const hourly = span.end - span.start === HOUR;
  return {
    baselineFrom: span.start - baselineMs,
    seriesFrom: span.end - (seasonalWeeks + 1) * WEEK,
    to: span.start,
    recentFrom: hourly ? span.start - (MAX_POOLED_WINDOWS_DEFAULT - 1) * HOUR : span.start,
  };
}

/**
 * Reads a window's history from the results store and reduces it ({@link digestBaseline}).
 *
 * @example
 * const history = await loadDriftHistory(store, driftHistoryRange(span, baselineMs, 4));
 */
export async function loadDriftHistory(store: ResultsStore, range: DriftHistoryRange, options: HistoryOptions = {}): Promise<DriftHistory> {
  const { baseline, series } = await loadWindowHistory(store, range, options);
  const starts = [...baseline.hours.keys()].sort((a, b) => a - b);
  const hours = starts.map((h) => baseline.hours.get(h) as HourBuckets);
  const recent = new Map<number, HourBuckets>();
  starts.forEach((h, i) => h >= range.recentFrom && recent.set(h, hours[i] as HourBuckets));
  return { baseline: digestBaseline(hours), baselineHours: starts.length, gaps: baseline.gaps, series, recent };
}

/** How far back a finalize looks for hours written after its history was prepared. */
const RECHECK_MS = 24 * HOUR;

/**
 * Baseline hours of the last day before the window that were missing when the history was
 * prepared and have an aggregate now: written by a run that finished after the prepare job read
 * history (overlapping runs: a slow previous hour, a backfill). A finalize given such a history
 * reads history itself instead, so it sees what an inline finalize would. One listing per day
 * folder (at most two), whatever the number of gaps.
 *
 * @example
 * if ((await hoursWrittenSince(store, history, range)).length > 0) history = await loadDriftHistory(store, range);
 */
export async function hoursWrittenSince(store: ResultsStore, history: DriftHistory, range: DriftHistoryRange): Promise<string[]> {
  const from = Math.max(range.baselineFrom, range.to - RECHECK_MS);
  const missing = history.gaps.filter((g) => g.reason === 'missing' && Date.parse(g.hour) >= from);
  if (missing.length === 0) return [];
  const days = new Set(missing.map((g) => aggregatePrefix('drift', Date.parse(g.hour))));
  const present = new Set<string>();
  for (const day of days) for await (const key of store.list(day)) present.add(key);
  return missing.filter((g) => present.has(aggregateFileKey(Date.parse(g.hour)))).map((g) => g.hour);
}

/** Bump on any change of {@link DriftHistory} or its encoding: a finalize then ignores older bytes. */
const FORMAT = 'evalwatch.drift-history.1';

/**
 * The bytes of a prepared history (V8's structured serialization: typed arrays, maps, NaN and
 * ±Infinity survive exactly, so the analysis of the decoded history is the analysis of the
 * original to the last bit).
 *
 * @example
 * await store.put(key, encodeDriftHistory(range, history), { durable: false });
 */
export function encodeDriftHistory(range: DriftHistoryRange, history: DriftHistory): Uint8Array {
  const numeric = new Map<string, unknown>();
  for (const [key, nb] of history.baseline.numeric) numeric.set(key, { ...nb, sample: compactSample(nb.sample) });
  return serialize({ format: FORMAT, range, history: { ...history, baseline: { ...history.baseline, numeric } } });
}

/**
 * A sample whose weights are all exactly one value (one sample rate: the usual case) is stored
 * with that value instead of its weight array, which halves the bytes.
 */
function compactSample(s: WeightedSample): WeightedSample | CompactSample {
  if (!allEqual(s.weights)) return s;
  return { values: s.values, weight: s.weights[0] ?? 1, equalWeights: s.equalWeights, ess: s.ess };
}

interface CompactSample {
  values: Float64Array;
  /** Every row's weight. */
  weight: number;
  equalWeights: boolean;
  ess: number;
}

/**
 * The samples of a decoded digest with their weight arrays back. Samples of one shared weight get
 * views of one array filled with it (weights are only read), not an array each.
 */
function expandSamples(numeric: ReadonlyMap<string, NumericBaseline & { sample: WeightedSample | CompactSample }>): Map<string, NumericBaseline> {
  const longest = new Map<number, number>();
  for (const { sample: s } of numeric.values()) if ('weight' in s) longest.set(s.weight, Math.max(longest.get(s.weight) ?? 0, s.values.length));
  const filled = new Map([...longest].map(([w, n]) => [w, new Float64Array(n).fill(w)]));
  const out = new Map<string, NumericBaseline>();
  for (const [key, nb] of numeric) {
    const s = nb.sample;
    const sample = 'weight' in s ? { values: s.values, weights: (filled.get(s.weight) as Float64Array).subarray(0, s.values.length), equalWeights: s.equalWeights, ess: s.ess } : s;
    out.set(key, { ...nb, sample });
  }
  return out;
}

/**
 * A prepared history, when its bytes are of this release's format and of exactly `range` (a
 * config change between the prepare job and the finalize moves the range); else an error saying
 * why, and the caller reads history itself.
 *
 * @example
 * const got = decodeDriftHistory(bytes, range);
 * const history = 'history' in got ? got.history : await loadDriftHistory(store, range);
 */
export function decodeDriftHistory(bytes: Uint8Array, range: DriftHistoryRange): { history: DriftHistory } | { error: string } {
  let value: { format?: unknown; range?: DriftHistoryRange; history?: DriftHistory };
  try {
    value = deserialize(bytes) as typeof value;
  } catch (err) {
    return { error: `not readable: ${(err as Error).message}` };
  }
  if (value?.format !== FORMAT) return { error: `format ${String(value?.format)}, expected ${FORMAT}` };
  const got = value.range;
  const keys = ['baselineFrom', 'seriesFrom', 'to', 'recentFrom'] as const;
  const moved = keys.filter((k) => got?.[k] !== range[k]);
  if (moved.length > 0 || !value.history) return { error: `prepared for another range (${moved.join(', ') || 'no history'})` };
  const { history } = value;
  return { history: { ...history, baseline: { ...history.baseline, numeric: expandSamples(history.baseline.numeric) } } };
}
