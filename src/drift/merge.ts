import type { CategoricalAgg, FlagAgg, HourAggregate, NumericAgg, RouteBucket, SampleColumns } from './aggregate.ts';
import {
  capLabels,
  columns,
  DRIFT_AGGREGATE_VERSION,
  EXAMPLES_PER_LIST,
  insertBottomK,
  insertExtreme,
  mergeBottomK,
  mergeExtremes,
  sortLabels,
} from './aggregate-lists.ts';
import { mergeSketchesJson, mergeSketchJson, type SketchJson } from './sketch.ts';

/**
 * Merges of stored hour aggregates: pairwise ({@link mergeHours}, {@link mergeBuckets}) and n-way
 * ({@link mergeHoursN}, used by the pipeline's merge and by the `*` rollup).
 *
 * The n-way merge gives exactly the result of folding its members pairwise left to right — same
 * float additions in the same order, same sketch bins, same samples and example lists — but
 * merges each sketch into one live sketch (one `toJSON` instead of N−1 JSON round trips) and each
 * sample in one k-way pass instead of N−1 reallocated ones. "Exactly" includes the pairwise
 * fold's quirks: a field present in one member only is passed through by reference (untruncated),
 * and each sample is truncated to the reservoir size of the fold step that last merged it (the
 * minimum `k` of the hours up to that member).
 */

/** One member of an n-way merge and the reservoir size its pairwise fold step would use. */
interface Member<T> {
  x: T;
  k: number;
}

// ---------------------------------------------------------------- pairwise

/**
 * Merges two bottom-k samples: the k smallest keys of the union (exactly the sample the union of
 * rows would have produced). A row present in both (a duplicated object) is kept once.
 *
 * @example
 * mergeSamples(a.r, b.r, 512);
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
  for (const src of [a, b]) addLabels(out, src);
  return capLabels(sortLabels(out));
}

/**
 * Adds `src`'s label counts and examples into `out` (mutated). `out`'s lists must be its own
 * (never a member's): `src`'s examples are inserted into them in place.
 */
function addLabels(out: CategoricalAgg, src: CategoricalAgg): void {
  for (const [label, [raw, wt]] of Object.entries(src.c)) {
    const cell = (out.c[label] ??= [0, 0]);
    cell[0] += raw;
    cell[1] += wt;
    const ex = (out.ex[label] ??= []);
    for (const [key, id] of src.ex[label] ?? []) insertBottomK(ex, key, id, EXAMPLES_PER_LIST);
  }
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

// ---------------------------------------------------------------- n-way

/** Members of each key, in member order; keys sorted (as the pairwise `mergeRecords`). */
function mergeRecordsN<T>(members: readonly Member<Record<string, T>>[], f: (list: Member<T>[]) => T): Record<string, T> {
  const groups = new Map<string, Member<T>[]>();
  for (const m of members) {
    for (const key of Object.keys(m.x)) {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ x: m.x[key] as T, k: m.k });
    }
  }
  const out: Record<string, T> = {};
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key) as Member<T>[];
    out[key] = g.length === 1 ? (g[0] as Member<T>).x : f(g);
  }
  return out;
}

/**
 * The k smallest (key, value, weight) entries of the union of sorted samples, in one pass. An entry
 * held by several members is kept as many times as the member holding it most often (what the
 * pairwise dedup keeps), each copy from the earliest member that has it.
 */
function mergeSamplesN(samples: readonly SampleColumns[], k: number): SampleColumns {
  const n = samples.length;
  // Columns hoisted once: the loop below runs up to k times over every member's head.
  const ks = samples.map((s) => s.k);
  const vs = samples.map((s) => s.v);
  const ws = samples.map((s) => s.w);
  const pos = new Array<number>(n).fill(0);
  const keys: number[] = [];
  const values: number[] = [];
  const weights: number[] = [];
  while (keys.length < k) {
    let best = -1;
    let bk = 0;
    let bv = 0;
    let bw = 0;
    for (let m = 0; m < n; m++) {
      const i = pos[m] as number;
      const km = ks[m] as number[];
      if (i >= km.length) continue;
      const kk = km[i] as number;
      if (best >= 0 && kk > bk) continue;
      const vv = (vs[m] as number[])[i] as number;
      const ww = ws[m]?.[i] ?? 1;
      if (best < 0 || kk < bk || vv < bv || (vv === bv && ww < bw)) {
        best = m;
        bk = kk;
        bv = vv;
        bw = ww;
      }
    }
    if (best < 0) break;
    // Every member holding the entry at its head: copies up to the largest run, earliest holder first.
    let emitted = 0;
    for (let m = best; m < n && keys.length < k; m++) {
      const km = ks[m] as number[];
      const vm = vs[m] as number[];
      const wm = ws[m];
      const i = pos[m] as number;
      let run = 0;
      while (i + run < km.length && km[i + run] === bk && vm[i + run] === bv && (wm?.[i + run] ?? 1) === bw) run++;
      for (let c = emitted; c < run && keys.length < k; c++) {
        keys.push(km[i + c] as number);
        values.push(vm[i + c] as number);
        weights.push(wm?.[i + c] ?? 1);
      }
      if (run > emitted) emitted = run;
      pos[m] = i + run;
    }
  }
  return columns(keys, values, weights);
}

/**
 * The named counts of the first member plus every later member's, added in member order (the
 * pairwise fold's additions, so the float sums are identical).
 */
function sumCounts<K extends string>(list: readonly Member<Record<K, number>>[], fields: readonly K[]): Record<K, number> {
  const first = (list[0] as Member<Record<K, number>>).x;
  const out = {} as Record<K, number>;
  for (const f of fields) out[f] = first[f];
  for (let i = 1; i < list.length; i++) {
    const x = (list[i] as Member<Record<K, number>>).x;
    for (const f of fields) out[f] += x[f];
  }
  return out;
}

/** Copy of the first list with every later member's entries inserted, in member order. */
function foldLists(lists: readonly [number, string][][], insert: (out: [number, string][], e: [number, string]) => void): [number, string][] {
  const out = (lists[0] as [number, string][]).map((e) => [e[0], e[1]] as [number, string]);
  for (let i = 1; i < lists.length; i++) for (const e of lists[i] as [number, string][]) insert(out, e);
  return out;
}

const insertHi = (out: [number, string][], e: [number, string]) => insertExtreme(out, e[0], e[1], EXAMPLES_PER_LIST, true);
const insertLo = (out: [number, string][], e: [number, string]) => insertExtreme(out, e[0], e[1], EXAMPLES_PER_LIST, false);
const insertEx = (out: [number, string][], e: [number, string]) => insertBottomK(out, e[0], e[1], EXAMPLES_PER_LIST);

function mergeNumericN(list: readonly Member<NumericAgg>[]): NumericAgg {
  const xs = list.map((m) => m.x);
  return {
    ...sumCounts(list, ['n', 'w', 'w2', 's', 's2', 'ls', 'ls2']),
    sk: mergeSketchesJson(xs.map((x) => x.sk)),
    r: mergeSamplesN(xs.map((x) => x.r), (list[list.length - 1] as Member<NumericAgg>).k),
    hi: foldLists(xs.map((x) => x.hi), insertHi),
    lo: foldLists(xs.map((x) => x.lo), insertLo),
  };
}

function mergeFlagN(list: readonly Member<FlagAgg>[]): FlagAgg {
  return { ...sumCounts(list, ['n', 'w', 'w2', 'k', 'kw']), ex1: foldLists(list.map((m) => m.x.ex1), insertEx), ex0: foldLists(list.map((m) => m.x.ex0), insertEx) };
}

/** Label counts merged member by member into one accumulator, capped after each (as the fold does). */
function mergeCategoricalN(list: readonly Member<CategoricalAgg>[]): CategoricalAgg {
  const out: CategoricalAgg = { ...sumCounts(list, ['n', 'w', 'w2']), c: {}, ex: {} };
  addLabels(out, (list[0] as Member<CategoricalAgg>).x);
  for (let i = 1; i < list.length; i++) {
    addLabels(out, (list[i] as Member<CategoricalAgg>).x);
    capLabels(out);
  }
  return sortLabels(out);
}

function mergeBucketsN(list: readonly Member<RouteBucket>[]): RouteBucket {
  const first = (list[0] as Member<RouteBucket>).x;
  if (list.length === 1) return first;
  let minW = first.minW;
  let maxW = first.maxW;
  for (let i = 1; i < list.length; i++) {
    const b = (list[i] as Member<RouteBucket>).x;
    minW = Math.min(minW, b.minW);
    maxW = Math.max(maxW, b.maxW);
  }
  return {
    ...sumCounts(list, ['rows', 'w', 'w2', 'flagged', 'outsidePartition']),
    minW,
    maxW,
    num: mergeRecordsN(list.map((m) => ({ x: m.x.num, k: m.k })), mergeNumericN),
    flag: mergeRecordsN(list.map((m) => ({ x: m.x.flag, k: m.k })), mergeFlagN),
    cat: mergeRecordsN(list.map((m) => ({ x: m.x.cat, k: m.k })), mergeCategoricalN),
  };
}

/**
 * Merges buckets n-way (the `*` rollup): exactly `buckets.reduce((a, b) => mergeBuckets(a, b, k))`.
 *
 * @example
 * const all = mergeBucketsAll(Object.values(hour.routes), hour.k);
 */
export function mergeBucketsAll(buckets: readonly RouteBucket[], reservoirSize: number): RouteBucket {
  if (buckets.length === 0) throw new Error('mergeBucketsAll: no buckets');
  return mergeBucketsN(buckets.map((x) => ({ x, k: reservoirSize })));
}

/**
 * Merges aggregates of one partition hour n-way: exactly `hours.reduce(mergeHours)` (same
 * result, bit for bit), with one live accumulator per field instead of N−1 intermediate hours.
 * Pass the hours in unit-id order for sums that do not depend on how units were produced.
 *
 * @throws {Error} when the list is empty or the hours differ.
 * @example
 * const hour = mergeHoursN([partA, partB, partC]); // deep-equals mergeHours(mergeHours(partA, partB), partC)
 */
export function mergeHoursN(hours: readonly HourAggregate[]): HourAggregate {
  const first = hours[0];
  if (!first) throw new Error('mergeHoursN: no hours');
  if (hours.length === 1) return first;
  let k = first.k;
  let objects = first.objects;
  const members: Member<Record<string, RouteBucket>>[] = [{ x: first.routes, k }];
  for (let i = 1; i < hours.length; i++) {
    const h = hours[i] as HourAggregate;
    if (h.start !== first.start) throw new Error(`mergeHours: different hours ${first.hour} and ${h.hour}`);
    // The fold's step i merges with min(k of hours 0..i): a later, smaller k truncates from there on.
    k = Math.min(k, h.k);
    objects += h.objects;
    members.push({ x: h.routes, k });
  }
  return { v: DRIFT_AGGREGATE_VERSION, start: first.start, hour: first.hour, objects, k, routes: mergeRecordsN(members, mergeBucketsN) };
}

/**
 * Merges lists of hours (one list per partial, in unit-id order): every partition hour merged once,
 * n-way, its members in list order; hours ascending.
 *
 * @example
 * mergeHourLists(parts.map((p) => p.hours)); // [hour 13:00, hour 14:00]
 */
export function mergeHourLists(lists: readonly (readonly HourAggregate[])[]): HourAggregate[] {
  const byHour = new Map<number, HourAggregate[]>();
  for (const list of lists) {
    for (const h of list) {
      const g = byHour.get(h.start);
      if (g) g.push(h);
      else byHour.set(h.start, [h]);
    }
  }
  return [...byHour.keys()].sort((a, b) => a - b).map((start) => mergeHoursN(byHour.get(start) as HourAggregate[]));
}
