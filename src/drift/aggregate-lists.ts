import { labelHash } from './hash.ts';
import type { CategoricalAgg, SampleColumns } from './aggregate.ts';

/**
 * Small mergeable lists shared by the hour accumulator (`aggregate.ts`) and the merges of stored
 * aggregates (`merge.ts`): bottom-k example lists, top-k extremes and the label cap. Each insert
 * keeps a total order, so folding lists in any order keeps the same elements.
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

/**
 * Inserts [key, id] into a list kept ascending by (key, id), at most `k` long; an equal entry is
 * kept once. Mutates `list`.
 *
 * @example
 * const ex: [number, string][] = []; insertBottomK(ex, 0.42, 'req-1', 5);
 */
export function insertBottomK(list: [number, string][], key: number, id: string, k: number): void {
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

/**
 * A new bottom-k list: `a` with every entry of `b` inserted (inputs not modified).
 *
 * @example
 * mergeBottomK(a.ex1, b.ex1, EXAMPLES_PER_LIST);
 */
export function mergeBottomK(a: [number, string][], b: [number, string][], k: number): [number, string][] {
  const out = a.map((e) => [e[0], e[1]] as [number, string]);
  for (const [key, id] of b) insertBottomK(out, key, id, k);
  return out;
}

/** Whether [value, id] ranks before `x` in a `hi` (descending) or `lo` (ascending) list; ties by id. */
function ranksBefore(value: number, id: string, x: [number, string], high: boolean): boolean {
  if (value === x[0]) return id < x[1];
  return high ? value > x[0] : value < x[0];
}

/**
 * Top-k by value descending (`hi`) or ascending (`lo`), ties by request_id. Hot path: no closures.
 * Mutates `list`.
 *
 * @example
 * insertExtreme(acc.hi, 5200, 'req-9', EXAMPLES_PER_LIST, true);
 */
export function insertExtreme(list: [number, string][], value: number, id: string, k: number, high: boolean): void {
  if (list.length >= k && !ranksBefore(value, id, list[list.length - 1] as [number, string], high)) return;
  for (const e of list) if (e[1] === id && e[0] === value) return;
  let i = list.length;
  while (i > 0 && ranksBefore(value, id, list[i - 1] as [number, string], high)) i--;
  list.splice(i, 0, [value, id]);
  if (list.length > k) list.pop();
}

/**
 * A new extremes list: `a` with every entry of `b` inserted (inputs not modified).
 *
 * @example
 * mergeExtremes(a.hi, b.hi, true);
 */
export function mergeExtremes(a: [number, string][], b: [number, string][], high: boolean): [number, string][] {
  const out = a.map((e) => [e[0], e[1]] as [number, string]);
  for (const [v, id] of b) insertExtreme(out, v, id, EXAMPLES_PER_LIST, high);
  return out;
}

/**
 * Sample columns; the weight column is omitted when every weight is 1.
 *
 * @example
 * columns([0.1], [420], [1]); // { k: [0.1], v: [420] }
 */
export function columns(k: number[], v: number[], w: number[]): SampleColumns {
  return w.every((x) => x === 1) ? { k, v } : { k, v, w };
}

/**
 * A copy of `a` with its labels (and their example lists) in sorted key order.
 *
 * @example
 * sortLabels({ n: 2, w: 2, w2: 2, c: { b: [1, 1], a: [1, 1] }, ex: {} }).c; // { a, b }
 */
export function sortLabels(a: CategoricalAgg): CategoricalAgg {
  const c: Record<string, [number, number]> = {};
  const ex: Record<string, [number, string][]> = {};
  for (const label of Object.keys(a.c).sort()) {
    c[label] = a.c[label] as [number, number];
    ex[label] = a.ex[label] ?? [];
  }
  return { ...a, c, ex };
}

/**
 * Folds labels beyond {@link MAX_LABELS} (by label hash) into `__other__`. Mutates and returns `a`.
 *
 * @example
 * capLabels(agg); // ≤ 64 labels + __other__
 */
export function capLabels(a: CategoricalAgg): CategoricalAgg {
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
