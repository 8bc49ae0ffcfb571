import { HOUR } from '../captures/partitions.ts';
import type { ReadRecord } from '../captures/record.ts';
import {
  CATEGORICAL_FEATURES,
  FLAG_FEATURES,
  NUMERIC_FEATURES,
  type FeatureVector,
} from './features.ts';
import { labelHash, rowHash, sampleKey, type RowHash } from './hash.ts';
import { capLabels, columns, DRIFT_AGGREGATE_VERSION, EXAMPLES_PER_LIST, insertBottomK, insertExtreme, MAX_LABELS, sortLabels } from './aggregate-lists.ts';
import { mergeBucketsAll } from './merge.ts';
import { createSketch, type SketchJson } from './sketch.ts';

/**
 * Hourly drift aggregates: per (partition hour, route), everything the analysis needs so that any
 * window and any baseline is assembled from stored history without re-reading captures.
 *
 * Two forms: a live {@link HourAccumulator} that records are added to (hot path, holds live
 * sketches), and the plain-JSON {@link HourAggregate} it finishes into, which is what is stored and
 * merged (merges in `merge.ts`, list helpers in `aggregate-lists.ts`). Every merge is commutative
 * and associative: counts add, bottom-k samples keep the k smallest hash keys of the union, example
 * lists keep the k best by a total order, and label caps keep the labels with the smallest label
 * hashes. Float sums are commutative; for bit-identical
 * sums across groupings the pipeline merges partials sorted by unit id (DESIGN: Pipeline.merge).
 */

export { DRIFT_AGGREGATE_VERSION, EXAMPLES_PER_LIST, MAX_LABELS, OTHER_LABEL } from './aggregate-lists.ts';
export { mergeBuckets, mergeHours, mergeHoursN, mergeSamples } from './merge.ts';

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

  /**
   * Keeps the k smallest entries by (key, value, weight), in no particular order. The k-th key
   * comes from a quickselect over a copy of the keys (O(n), where sorting every entry with a
   * comparator was the cost); only entries tied on that key are compared in full.
   */
  private prune(): void {
    const { keys, values, weights, k } = this;
    if (keys.length <= k) return;
    const kth = kthSmallest(new Float64Array(keys), k - 1);
    let below = 0;
    const ties: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      if ((keys[i] as number) < kth) below++;
      else if (keys[i] === kth) ties.push(i);
    }
    // Usually the k-th key is unique and every tie is kept; otherwise the smallest ties by value.
    let keptTies: Set<number> | null = null;
    if (ties.length > k - below) keptTies = new Set(ties.sort((i, j) => compareEntries(keys, values, weights, i, j)).slice(0, k - below));
    const nk: number[] = [];
    const nv: number[] = [];
    const nw: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key < kth || (key === kth && (keptTies === null || keptTies.has(i)))) {
        nk.push(key);
        nv.push(values[i] as number);
        nw.push(weights[i] as number);
      }
    }
    this.keys = nk;
    this.values = nv;
    this.weights = nw;
    this.threshold = kth;
  }

  finish(): SampleColumns {
    this.prune();
    // Sorted by (key, value, weight) once, at the end.
    const { keys, values, weights } = this;
    const order = keys.map((_, i) => i).sort((i, j) => compareEntries(keys, values, weights, i, j));
    return columns(
      order.map((i) => keys[i] as number),
      order.map((i) => values[i] as number),
      order.map((i) => weights[i] as number),
    );
  }
}

/**
 * The value that would stand at index `n` if `a` were sorted ascending (Hoare's quickselect,
 * median-of-three pivots; reorders `a`). O(length) on average instead of a full sort.
 *
 * @example
 * kthSmallest(Float64Array.of(5, 1, 4, 2, 3), 1); // 2
 */
export function kthSmallest(a: Float64Array, n: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot: sorted input (keys often arrive nearly sorted) stays O(n).
    if ((a[mid] as number) < (a[lo] as number)) swap(a, mid, lo);
    if ((a[hi] as number) < (a[lo] as number)) swap(a, hi, lo);
    if ((a[hi] as number) < (a[mid] as number)) swap(a, hi, mid);
    const pivot = a[mid] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (n <= j) hi = j;
    else if (n >= i) lo = i;
    else return a[n] as number;
  }
  return a[n] as number;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

function compareEntries(keys: number[], values: number[], weights: number[], i: number, j: number): number {
  return (
    (keys[i] as number) - (keys[j] as number) ||
    (values[i] as number) - (values[j] as number) ||
    (weights[i] as number) - (weights[j] as number)
  );
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
  return { ...hour.routes, [ALL_ROUTES]: mergeBucketsAll(routes, hour.k) };
}
