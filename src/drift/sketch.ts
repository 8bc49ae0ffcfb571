import { QuantileSketch, type QuantileSketchJSON } from '../stats/index.ts';

/**
 * The drift aggregates' view of the stats quantile sketch (DDSketch): a live sketch while records
 * are added, its JSON form in stored aggregates, and merges of JSON forms.
 */

/** The stored form of a sketch (opaque to drift). */
export type SketchJson = QuantileSketchJSON;

/** Relative accuracy of every sketch drift keeps: p95 within ±1%. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * A new, empty sketch.
 *
 * @example
 * const s = createSketch(); s.add(420, 1); s.toJSON();
 */
export function createSketch(): QuantileSketch {
  return new QuantileSketch({ alpha: SKETCH_RELATIVE_ACCURACY });
}

// Stored sketches are immutable once loaded; a baseline re-reads the same hours every run.
const parsedCache = new WeakMap<SketchJson, QuantileSketch>();
function parsed(json: SketchJson): QuantileSketch {
  let s = parsedCache.get(json);
  if (!s) parsedCache.set(json, (s = QuantileSketch.fromJSON(json)));
  return s;
}

/**
 * A live sketch of the merge of stored sketches, in order. One sketch is only read, so its cached
 * parse serves; a merge adds into a fresh copy of the first (a cached parse is never changed).
 */
function merged(sketches: readonly SketchJson[]): QuantileSketch {
  if (sketches.length === 1) return parsed(sketches[0] as SketchJson);
  const s = QuantileSketch.fromJSON(sketches[0] as SketchJson);
  for (let i = 1; i < sketches.length; i++) s.merge(parsed(sketches[i] as SketchJson));
  return s;
}

/**
 * Merges stored sketches (in order) into a new stored sketch. The merged sketch is remembered as
 * its own parse (`toJSON` is lossless), so quantiles asked of it next (an hour's `*` rollup, then
 * its series' p95) do not parse it again.
 *
 * @example
 * mergeSketchesJson(routes.map((b) => b.num.output_tokens.sk));
 */
export function mergeSketchesJson(sketches: readonly SketchJson[]): SketchJson {
  const s = merged(sketches);
  const json = s.toJSON();
  parsedCache.set(json, s);
  return json;
}

/**
 * Merges two stored sketches into a new stored sketch.
 *
 * @example
 * mergeSketchJson(a.sk, b.sk);
 */
export function mergeSketchJson(a: SketchJson, b: SketchJson): SketchJson {
  return mergeSketchesJson([a, b]);
}

/**
 * Quantiles of the merge of several stored sketches; NaN for an empty merge.
 *
 * @example
 * sketchQuantiles(hours.map((h) => h.sk), [0.5, 0.95, 0.99]); // [p50, p95, p99]
 */
export function sketchQuantiles(sketches: readonly SketchJson[], qs: readonly number[]): number[] {
  if (sketches.length === 0) return qs.map(() => NaN);
  // Hourly series ask for each hour's p95, then the analysis merges the same hours: cached parses.
  const s = merged(sketches);
  if (s.count === 0) return qs.map(() => NaN);
  return qs.map((q) => s.quantile(q));
}
