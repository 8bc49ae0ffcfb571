import { HOUR } from '../captures/partitions.ts';
import type { ReadRecord } from '../captures/record.ts';
import {
  CATEGORICAL_FEATURES,
  FLAG_FEATURES,
  NUMERIC_FEATURES,
  type FeatureVector,
} from './features.ts';
import { labelHash, rowHash, sampleKey, type RowHash } from './hash.ts';
import { createSketch, mergeSketchJson, type SketchJson } from './sketch.ts';

/**
 * Hourly drift aggregates: per (partition hour, route), everything the analysis needs so that any
 * window and any baseline is assembled from stored history without re-reading captures.
 *
 * Two forms: a live {@link HourAccumulator} that records are added to (hot path, holds live
 * sketches), and the plain-JSON {@link HourAggregate} it finishes into, which is what is stored and
 * merged. Every merge is commutative and associative: counts add, bottom-k samples keep the k
 * smallest hash keys of the union, example lists keep the k best by a total order, and label caps
 * keep the labels with the smallest label hashes. Float sums are commutative; for bit-identical
 * sums across groupings the pipeline merges partials sorted by unit id (DESIGN: Pipeline.merge).
 */

/** Version of the stored aggregate JSON; a file of another version is reported as a gap. */
export const DRIFT_AGGREGATE_VERSION = 1;

/** Example request_ids kept per numeric extreme, per flag value and per categorical label. */
export const EXAMPLES_PER_LIST = 5;
/**
 * Labels kept per categorical feature and bucket. Labels beyond the cap fold into `__other__`;
 * which labels stay is decided by label hash, not frequency, because only a hash rule keeps the cap
 * associative (a top-k by count would depend on merge order). Scripts and status classes have
 * ≤ 11 labels; the cap exists for unbounded dimensions (model, template version).
 */
export const MAX_LABELS = 64;
export const OTHER_LABEL = '__other__';

/** [sample key, value, weight] columns of a bottom-k sample, sorted by key. */
export interface SampleColumns {
  /** Sampling keys (ascending). */
  k: number[];
  /** Values. */
  v: number[];
  /** Weights (1 / sample_rate); omitted when every weight is 1. */
  w?: number[];
}

/** A numeric feature in one (hour, route). */
export interface NumericAgg {
  /** Rows with a value. */
  n: number;
  /** Σ weight, Σ weight². */
  w: number;
  w2: number;
  /** Σ w·x, Σ w·x². */
  s: number;
  s2: number;
  /** Σ w·ln(1+x), Σ w·ln(1+x)² (skewed features are summarised on the log scale). */
  ls: number;
  ls2: number;
  /** Mergeable quantile sketch over every row (weighted). */
  sk: SketchJson;
  /** Bottom-k sample keyed by hash(request_id, feature). */
  r: SampleColumns;
  /** Largest and smallest values with their request_ids: [value, request_id], best first. */
  hi: [number, string][];
  lo: [number, string][];
}

/** A boolean feature in one (hour, route). */
export interface FlagAgg {
  /** Trials (rows where the flag applies), Σw, Σw². */
  n: number;
  w: number;
  w2: number;
  /** Successes, raw and weighted. */
  k: number;
  kw: number;
  /** Example request_ids of true and false rows: [key, request_id], smallest keys first. */
  ex1: [number, string][];
  ex0: [number, string][];
}

/** A categorical feature in one (hour, route). */
export interface CategoricalAgg {
  n: number;
  w: number;
  w2: number;
  /** label → [raw count, weighted count]. */
  c: Record<string, [number, number]>;
  /** label → example request_ids, [key, request_id], smallest keys first. */
  ex: Record<string, [number, string][]>;
}

/** Everything about one route in one partition hour. */
export interface RouteBucket {
  /** Population rows, Σw, Σw². */
  rows: number;
  w: number;
  w2: number;
  /** Flagged rows (`explicit_flag`, `anomaly_detected`): counted, never part of the population. */
  flagged: number;
  /** Rows whose timestamp lies outside their partition hour by more than `captures.partitionSlack`. */
  outsidePartition: number;
  /** Smallest and largest weight seen: equal means unweighted tests are exact. */
  minW: number;
  maxW: number;
  num: Record<string, NumericAgg>;
  flag: Record<string, FlagAgg>;
  cat: Record<string, CategoricalAgg>;
}

/** The stored aggregate of one partition hour, all routes (the `*` rollup is derived on load). */
export interface HourAggregate {
  v: typeof DRIFT_AGGREGATE_VERSION;
  /** Partition hour start, epoch ms and ISO. */
  start: number;
  hour: string;
  /** Capture objects folded in. */
  objects: number;
  /** Bottom-k sample size the hour was built with (merges keep the smaller of two). */
  k: number;
  routes: Record<string, RouteBucket>;
}

/** Options of {@link createHourAccumulator}. */
export interface AccumulatorOptions {
  /** Bottom-k sample size per (route, numeric feature). Default 512 (`drift.reservoirSize`). */
  reservoirSize?: number;
  /** Allowed distance of a record's timestamp outside its partition hour, ms. Default 1 hour. */
  partitionSlackMs?: number;
}



// ---------------------------------------------------------------- small mergeable lists

function insertBottomK(list: [number, string][], key: number, id: string, k: number): void {
  if (list.length >= k) {
    const last = list[list.length - 1] as [number, string];
    if (key > last[0] || (key === last[0] && id >= last[1])) return;
  }
  let i = list.length;
  while (i > 0) {
    const prev = list[i - 1] as [number, string];
    if (prev[0] < key || (prev[0] === key && prev[1] <= id)) break;
    i--;
  }
  if (i < list.length && (list[i] as [number, string])[1] === id && (list[i] as [number, string])[0] === key) return;
  list.splice(i, 0, [key, id]);
  if (list.length > k) list.pop();
}

function mergeBottomK(a: [number, string][], b: [number, string][], k: number): [number, string][] {
  const out = a.map((e) => [e[0], e[1]] as [number, string]);
  for (const [key, id] of b) insertBottomK(out, key, id, k);
  return out;
}

/** Whether [value, id] ranks before `x` in a `hi` (descending) or `lo` (ascending) list; ties by id. */
function ranksBefore(value: number, id: string, x: [number, string], high: boolean): boolean {
  if (value === x[0]) return id < x[1];
  return high ? value > x[0] : value < x[0];
}

/** Top-k by value descending (`hi`) or ascending (`lo`), ties by request_id. Hot path: no closures. */
function insertExtreme(list: [number, string][], value: number, id: string, k: number, high: boolean): void {
  if (list.length >= k && !ranksBefore(value, id, list[list.length - 1] as [number, string], high)) return;
  for (const e of list) if (e[1] === id && e[0] === value) return;
  let i = list.length;
  while (i > 0 && ranksBefore(value, id, list[i - 1] as [number, string], high)) i--;
  list.splice(i, 0, [value, id]);
  if (list.length > k) list.pop();
}

function mergeExtremes(a: [number, string][], b: [number, string][], high: boolean): [number, string][] {
  const out = a.map((e) => [e[0], e[1]] as [number, string]);
  for (const [v, id] of b) insertExtreme(out, v, id, EXAMPLES_PER_LIST, high);
  return out;
}

// ---------------------------------------------------------------- bottom-k value sample

/** Mutable bottom-k sample used while accumulating; pruned lazily to keep inserts O(1) amortised. */
class BottomKSample {
  private keys: number[] = [];
  private values: number[] = [];
  private weights: number[] = [];
  private threshold = Infinity;
  constructor(private readonly k: number) {}

  add(key: number, value: number, weight: number): void {
    if (key >= this.threshold) return;
    this.keys.push(key);
    this.values.push(value);
    this.weights.push(weight);
    if (this.keys.length >= 2 * this.k) this.prune();
  }

  private prune(): void {
    const order = this.keys.map((_, i) => i);
    order.sort((i, j) => compareEntries(this.keys, this.values, this.weights, i, j));
    const keep = order.slice(0, this.k);
    this.keys = keep.map((i) => this.keys[i] as number);
    this.values = keep.map((i) => this.values[i] as number);
    this.weights = keep.map((i) => this.weights[i] as number);
    if (this.keys.length >= this.k) this.threshold = this.keys[this.keys.length - 1] as number;
  }

  finish(): SampleColumns {
    this.prune();
    return columns(this.keys, this.values, this.weights);
  }
}

function compareEntries(keys: number[], values: number[], weights: number[], i: number, j: number): number {
  return (
    (keys[i] as number) - (keys[j] as number) ||
    (values[i] as number) - (values[j] as number) ||
    (weights[i] as number) - (weights[j] as number)
  );
}

function columns(k: number[], v: number[], w: number[]): SampleColumns {
  return w.every((x) => x === 1) ? { k, v } : { k, v, w };
}

/**
 * Merges two bottom-k samples: the k smallest keys of the union (exactly the sample the union of
 * rows would have produced). A row present in both (a duplicated object) is kept once.
 */
export function mergeSamples(a: SampleColumns, b: SampleColumns, k: number): SampleColumns {
  const keys: number[] = [];
  const values: number[] = [];
  const weights: number[] = [];
  let i = 0;
  let j = 0;
  const wa = (x: number) => a.w?.[x] ?? 1;
  const wb = (x: number) => b.w?.[x] ?? 1;
  while (keys.length < k && (i < a.k.length || j < b.k.length)) {
    const ka = i < a.k.length ? (a.k[i] as number) : Infinity;
    const kb = j < b.k.length ? (b.k[j] as number) : Infinity;
    const va = a.v[i] ?? Infinity;
    const vb = b.v[j] ?? Infinity;
    if (ka < kb || (ka === kb && (va < vb || (va === vb && wa(i) <= wb(j))))) {
      if (ka === kb && va === vb && wa(i) === wb(j)) j++;
      keys.push(ka);
      values.push(va);
      weights.push(wa(i));
      i++;
    } else {
      keys.push(kb);
      values.push(vb);
      weights.push(wb(j));
      j++;
    }
  }
  return columns(keys, values, weights);
}

// ---------------------------------------------------------------- accumulation

interface NumericAcc {
  n: number;
  w: number;
  w2: number;
  s: number;
  s2: number;
  ls: number;
  ls2: number;
  sketch: ReturnType<typeof createSketch>;
  sample: BottomKSample;
  hi: [number, string][];
  lo: [number, string][];
}

interface RouteAcc {
  rows: number;
  w: number;
  w2: number;
  flagged: number;
  outsidePartition: number;
  minW: number;
  maxW: number;
  num: NumericAcc[];
  flag: FlagAgg[];
  cat: CategoricalAgg[];
}

const emptyFlag = (): FlagAgg => ({ n: 0, w: 0, w2: 0, k: 0, kw: 0, ex1: [], ex0: [] });
const emptyCat = (): CategoricalAgg => ({ n: 0, w: 0, w2: 0, c: {}, ex: {} });

/** Salts that make each feature's sampling key independent of the others'. */
const NUMERIC_SALT = NUMERIC_FEATURES.map((f) => labelHash(`num:${f.name}`));
const FLAG_SALT = FLAG_FEATURES.map((f) => labelHash(`flag:${f.name}`));
const CAT_SALT = CATEGORICAL_FEATURES.map((f) => labelHash(`cat:${f.name}`));

/**
 * Collects one partition hour. Records are added with their feature vectors; {@link finish}
 * returns the JSON aggregate.
 */
export interface HourAccumulator {
  readonly start: number;
  /**
   * Adds one record of this partition hour. Flagged rows only count; population rows contribute
   * every feature.
   */
  add(record: ReadRecord, features: FeatureVector | undefined): void;
  /** Counts one capture object folded in. */
  addObject(): void;
  finish(): HourAggregate;
}

/**
 * Starts the aggregate of the partition hour beginning at `start` (epoch ms).
 *
 * @example
 * const acc = createHourAccumulator(Date.UTC(2026, 10, 23, 14), { reservoirSize: 512 });
 * for (const r of records) acc.add(r, r.population ? extract(r) : undefined);
 * const hour = acc.finish(); // JSON-serializable, mergeable with mergeHours
 */
export function createHourAccumulator(start: number, options: AccumulatorOptions = {}): HourAccumulator {
  const k = options.reservoirSize ?? 512;
  const slack = options.partitionSlackMs ?? HOUR;
  const routes = new Map<string, RouteAcc>();
  let objects = 0;

  const routeAcc = (route: string): RouteAcc => {
    let acc = routes.get(route);
    if (!acc) {
      acc = {
        rows: 0,
        w: 0,
        w2: 0,
        flagged: 0,
        outsidePartition: 0,
        minW: Infinity,
        maxW: 0,
        num: NUMERIC_FEATURES.map(() => ({
          n: 0,
          w: 0,
          w2: 0,
          s: 0,
          s2: 0,
          ls: 0,
          ls2: 0,
          sketch: createSketch(),
          sample: new BottomKSample(k),
          hi: [],
          lo: [],
        })),
        flag: FLAG_FEATURES.map(emptyFlag),
        cat: CATEGORICAL_FEATURES.map(emptyCat),
      };
      routes.set(route, acc);
    }
    return acc;
  };

  return {
    start,
    addObject() {
      objects++;
    },
    add(record, features) {
      const acc = routeAcc(record.route);
      if (record.ts < start - slack || record.ts >= start + HOUR + slack) acc.outsidePartition++;
      if (!record.population || !features) {
        acc.flagged++;
        return;
      }
      const wt = record.weight;
      const id = record.request_id;
      acc.rows++;
      acc.w += wt;
      acc.w2 += wt * wt;
      if (wt < acc.minW) acc.minW = wt;
      if (wt > acc.maxW) acc.maxW = wt;
      let h: RowHash | undefined;
      for (let i = 0; i < NUMERIC_FEATURES.length; i++) {
        const x = features.numeric[i] as number;
        if (x !== x) continue;
        const a = acc.num[i] as NumericAcc;
        const lx = Math.log1p(Math.max(0, x));
        a.n++;
        a.w += wt;
        a.w2 += wt * wt;
        a.s += wt * x;
        a.s2 += wt * x * x;
        a.ls += wt * lx;
        a.ls2 += wt * lx * lx;
        a.sketch.add(x, wt);
        h ??= rowHash(id);
        a.sample.add(sampleKey(h, NUMERIC_SALT[i] as number), x, wt);
        insertExtreme(a.hi, x, id, EXAMPLES_PER_LIST, true);
        insertExtreme(a.lo, x, id, EXAMPLES_PER_LIST, false);
      }
      for (let i = 0; i < FLAG_FEATURES.length; i++) {
        const v = features.flags[i] as number;
        if (v < 0) continue;
        const a = acc.flag[i] as FlagAgg;
        a.n++;
        a.w += wt;
        a.w2 += wt * wt;
        h ??= rowHash(id);
        const key = sampleKey(h, FLAG_SALT[i] as number);
        if (v === 1) {
          a.k++;
          a.kw += wt;
          insertBottomK(a.ex1, key, id, EXAMPLES_PER_LIST);
        } else insertBottomK(a.ex0, key, id, EXAMPLES_PER_LIST);
      }
      for (let i = 0; i < CATEGORICAL_FEATURES.length; i++) {
        const label = features.categorical[i];
        if (label === undefined) continue;
        const a = acc.cat[i] as CategoricalAgg;
        a.n++;
        a.w += wt;
        a.w2 += wt * wt;
        const cell = (a.c[label] ??= [0, 0]);
        cell[0]++;
        cell[1] += wt;
        h ??= rowHash(id);
        insertBottomK((a.ex[label] ??= []), sampleKey(h, CAT_SALT[i] as number), id, EXAMPLES_PER_LIST);
        if (Object.keys(a.c).length > MAX_LABELS * 2) capLabels(a);
      }
    },
    finish() {
      const out: Record<string, RouteBucket> = {};
      for (const route of [...routes.keys()].sort()) {
        const acc = routes.get(route) as RouteAcc;
        const num: Record<string, NumericAgg> = {};
        NUMERIC_FEATURES.forEach((f, i) => {
          const a = acc.num[i] as NumericAcc;
          if (a.n === 0) return;
          num[f.name] = {
            n: a.n,
            w: a.w,
            w2: a.w2,
            s: a.s,
            s2: a.s2,
            ls: a.ls,
            ls2: a.ls2,
            sk: a.sketch.toJSON(),
            r: a.sample.finish(),
            hi: a.hi,
            lo: a.lo,
          };
        });
        const flag: Record<string, FlagAgg> = {};
        FLAG_FEATURES.forEach((f, i) => {
          const a = acc.flag[i] as FlagAgg;
          if (a.n > 0) flag[f.name] = a;
        });
        const cat: Record<string, CategoricalAgg> = {};
        CATEGORICAL_FEATURES.forEach((f, i) => {
          const a = acc.cat[i] as CategoricalAgg;
          if (a.n > 0) cat[f.name] = capLabels(sortLabels(a));
        });
        out[route] = {
          rows: acc.rows,
          w: acc.w,
          w2: acc.w2,
          flagged: acc.flagged,
          outsidePartition: acc.outsidePartition,
          minW: acc.rows > 0 ? acc.minW : 1,
          maxW: acc.rows > 0 ? acc.maxW : 1,
          num,
          flag,
          cat,
        };
      }
      return { v: DRIFT_AGGREGATE_VERSION, start, hour: new Date(start).toISOString(), objects, k, routes: out };
    },
  };
}

function sortLabels(a: CategoricalAgg): CategoricalAgg {
  const c: Record<string, [number, number]> = {};
  const ex: Record<string, [number, string][]> = {};
  for (const label of Object.keys(a.c).sort()) {
    c[label] = a.c[label] as [number, number];
    ex[label] = a.ex[label] ?? [];
  }
  return { ...a, c, ex };
}

/** Folds labels beyond {@link MAX_LABELS} (by label hash) into `__other__`. Mutates and returns `a`. */
function capLabels(a: CategoricalAgg): CategoricalAgg {
  const labels = Object.keys(a.c).filter((l) => l !== OTHER_LABEL);
  if (labels.length <= MAX_LABELS) return a;
  const ranked = labels.map((l) => [labelHash(l), l] as const).sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  for (const [, label] of ranked.slice(MAX_LABELS)) {
    const cell = a.c[label] as [number, number];
    const other = (a.c[OTHER_LABEL] ??= [0, 0]);
    other[0] += cell[0];
    other[1] += cell[1];
    a.ex[OTHER_LABEL] = mergeBottomK(a.ex[OTHER_LABEL] ?? [], a.ex[label] ?? [], EXAMPLES_PER_LIST);
    delete a.c[label];
    delete a.ex[label];
  }
  return a;
}

// ---------------------------------------------------------------- merging JSON aggregates

function mergeNumeric(a: NumericAgg, b: NumericAgg, k: number): NumericAgg {
  return {
    n: a.n + b.n,
    w: a.w + b.w,
    w2: a.w2 + b.w2,
    s: a.s + b.s,
    s2: a.s2 + b.s2,
    ls: a.ls + b.ls,
    ls2: a.ls2 + b.ls2,
    sk: mergeSketchJson(a.sk, b.sk),
    r: mergeSamples(a.r, b.r, k),
    hi: mergeExtremes(a.hi, b.hi, true),
    lo: mergeExtremes(a.lo, b.lo, false),
  };
}

function mergeFlag(a: FlagAgg, b: FlagAgg): FlagAgg {
  return {
    n: a.n + b.n,
    w: a.w + b.w,
    w2: a.w2 + b.w2,
    k: a.k + b.k,
    kw: a.kw + b.kw,
    ex1: mergeBottomK(a.ex1, b.ex1, EXAMPLES_PER_LIST),
    ex0: mergeBottomK(a.ex0, b.ex0, EXAMPLES_PER_LIST),
  };
}

function mergeCategorical(a: CategoricalAgg, b: CategoricalAgg): CategoricalAgg {
  const out: CategoricalAgg = { n: a.n + b.n, w: a.w + b.w, w2: a.w2 + b.w2, c: {}, ex: {} };
  for (const src of [a, b]) {
    for (const [label, [raw, wt]] of Object.entries(src.c)) {
      const cell = (out.c[label] ??= [0, 0]);
      cell[0] += raw;
      cell[1] += wt;
      out.ex[label] = mergeBottomK(out.ex[label] ?? [], src.ex[label] ?? [], EXAMPLES_PER_LIST);
    }
  }
  return capLabels(sortLabels(out));
}

function mergeRecords<T>(a: Record<string, T>, b: Record<string, T>, f: (x: T, y: T) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[key];
    const y = b[key];
    out[key] = x !== undefined && y !== undefined ? f(x, y) : ((x ?? y) as T);
  }
  return out;
}

/**
 * Merges two buckets of the same route (or of different routes, for the `*` rollup). Commutative
 * and associative; the inputs are not modified.
 *
 * @example
 * const both = mergeBuckets(hourA.routes.chat, hourB.routes.chat, 512);
 */
export function mergeBuckets(a: RouteBucket, b: RouteBucket, reservoirSize: number): RouteBucket {
  return {
    rows: a.rows + b.rows,
    w: a.w + b.w,
    w2: a.w2 + b.w2,
    flagged: a.flagged + b.flagged,
    outsidePartition: a.outsidePartition + b.outsidePartition,
    minW: Math.min(a.minW, b.minW),
    maxW: Math.max(a.maxW, b.maxW),
    num: mergeRecords(a.num, b.num, (x, y) => mergeNumeric(x, y, reservoirSize)),
    flag: mergeRecords(a.flag, b.flag, mergeFlag),
    cat: mergeRecords(a.cat, b.cat, mergeCategorical),
  };
}

/**
 * Merges aggregates of the same partition hour (e.g. from several capture objects).
 *
 * @throws {Error} when the hours differ.
 * @example
 * const hour = mergeHours(partA, partB);
 */
export function mergeHours(a: HourAggregate, b: HourAggregate): HourAggregate {
  if (a.start !== b.start) throw new Error(`mergeHours: different hours ${a.hour} and ${b.hour}`);
  const k = Math.min(a.k, b.k);
  return {
    v: DRIFT_AGGREGATE_VERSION,
    start: a.start,
    hour: a.hour,
    objects: a.objects + b.objects,
    k,
    routes: mergeRecords(a.routes, b.routes, (x, y) => mergeBuckets(x, y, k)),
  };
}

/** The `*` all-routes rollup of an hour: every route merged. */
export const ALL_ROUTES = '*';

/**
 * The buckets of an hour plus the `*` rollup. The rollup's bottom-k samples are exactly those a
 * single all-routes bucket would have kept, because sampling keys do not depend on the route.
 *
 * @example
 * withRollup(hour)['*'].rows === Object.values(hour.routes).reduce((s, b) => s + b.rows, 0);
 */
export function withRollup(hour: HourAggregate): Record<string, RouteBucket> {
  const routes = Object.values(hour.routes);
  if (routes.length === 0) return {};
  let all = routes[0] as RouteBucket;
  for (const b of routes.slice(1)) all = mergeBuckets(all, b, hour.k);
  return { ...hour.routes, [ALL_ROUTES]: all };
}
