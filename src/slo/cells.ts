/**
 * Mergeable sums the slo pipeline keeps per partition hour. Every field is a plain sum (or a
 * top-k list merged by a total order), so hours merge associatively and commutatively whatever
 * the order of units, and the stored history of an hour is the same however it was computed.
 *
 * Weights are Horvitz–Thompson weights w = 1/π with π = `sample_rate` (Poisson sampling): the
 * estimated total of a value y is Σ w·y, and its variance is estimated by
 * Σ (1 − π)/π² · y² = Σ (w² − w) · y² (zero for rows captured with certainty).
 */

/** Version of the stored hour files; a different version is a gap in history. */
export const SLO_HOUR_VERSION = 1;

/** 5-minute buckets per hour. */
export const BUCKETS_PER_HOUR = 12;
export const BUCKET_MS = 300_000;

/** Cost sums of one route or dimension value in one hour (population rows only). */
export interface CostCell {
  /** Population rows, and their Σw. */
  rows: number;
  w: number;
  /** Rows that have a cost, their Σw, Σw², Σw·usd and the HT variance term Σ(w² − w)·usd². */
  priced: number;
  pw: number;
  pw2: number;
  usd: number;
  usdVar: number;
  /** Rows that could not be priced (`unpriced`), and their Σw. Never counted as $0. */
  unpriced: number;
  uw: number;
  /** Priced rows whose cost came from `cost_usd` vs from the pricing table. */
  fromRecord: number;
  fromTable: number;
  /** Σw·input tokens and Σw·output tokens over priced rows, and those rows' Σw. */
  inTok: number;
  outTok: number;
  tokW: number;
  /** Σw·(tokens × uncached list price), input and output, over priced rows whose model has a price. */
  listIn: number;
  listOut: number;
}

/** Good/total events of one SLO in the 12 five-minute buckets of an hour. */
export interface SloCell {
  /** Hash of the definition that classified the events; another definition's buckets are not comparable. */
  def: string;
  /** Σw of good events, Σw of all events, and rows (events), per bucket. */
  good: number[];
  total: number[];
  rows: number[];
  /** Population rows of the SLO's routes without the field the SLO reads (not events). */
  skipped: number;
  /** `[sampling key, request_id]` of bad events, the smallest keys kept. */
  bad: [number, string][];
}

/** Everything one partition hour contributes. */
export interface SloHour {
  v: typeof SLO_HOUR_VERSION;
  start: number;
  /** Capture objects read for this hour; a later, less complete run does not overwrite it. */
  objects: number;
  /** route → cost (the `*` rollup is derived, not stored). */
  routes: Record<string, CostCell>;
  /** dimension → value → cost. */
  dims: Record<string, Record<string, CostCell>>;
  /** route → `[usd, request_id]` of its costliest priced rows, largest first. */
  costliest: Record<string, [number, string][]>;
  /** route → models seen (sorted): a price event explains a route's cost only if it uses that model. */
  models: Record<string, string[]>;
  /** SLO name → its events. */
  slos: Record<string, SloCell>;
  /** Rows not in the population (flagged captures): shown, never counted. */
  flagged: number;
  /** Unpriced rows by reason. */
  unpricedReasons: Record<string, number>;
}

/**
 * An empty cost cell.
 *
 * @example
 * const c = emptyCost(); c.usd; // 0
 */
export function emptyCost(): CostCell {
  return { rows: 0, w: 0, priced: 0, pw: 0, pw2: 0, usd: 0, usdVar: 0, unpriced: 0, uw: 0, fromRecord: 0, fromTable: 0, inTok: 0, outTok: 0, tokW: 0, listIn: 0, listOut: 0 };
}

/**
 * Adds `b` into `a` (in place) and returns `a`.
 *
 * @example
 * addCost(total, cell);
 */
export function addCost(a: CostCell, b: CostCell): CostCell {
  for (const k of Object.keys(a) as (keyof CostCell)[]) a[k] += b[k] ?? 0;
  return a;
}

/**
 * An empty SLO cell for a definition hash.
 *
 * @example
 * emptySloCell('a1b2').total.length; // 12
 */
export function emptySloCell(def: string): SloCell {
  return { def, good: new Array(BUCKETS_PER_HOUR).fill(0), total: new Array(BUCKETS_PER_HOUR).fill(0), rows: new Array(BUCKETS_PER_HOUR).fill(0), skipped: 0, bad: [] };
}

/**
 * An empty hour.
 *
 * @example
 * emptyHour(Date.UTC(2026, 2, 2, 14)).objects; // 0
 */
export function emptyHour(start: number): SloHour {
  return { v: SLO_HOUR_VERSION, start, objects: 0, routes: {}, dims: {}, costliest: {}, models: {}, slos: {}, flagged: 0, unpricedReasons: {} };
}

/**
 * Merges top-k lists by a total order (`cmp`), keeping `k`.
 *
 * @example
 * mergeTop([[3, 'a']], [[5, 'b']], 1, byCostDesc); // [[5, 'b']]
 */
export function mergeTop<T>(a: readonly T[], b: readonly T[], k: number, cmp: (x: T, y: T) => number): T[] {
  return [...a, ...b].sort(cmp).slice(0, k);
}

/** Costliest first; ties by request_id, so the order is total. */
export const byCostDesc = (x: [number, string], y: [number, string]): number => y[0] - x[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
/** Smallest sampling key first; ties by request_id. */
export const byKeyAsc = (x: [number, string], y: [number, string]): number => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);

function mergeCostMap(a: Record<string, CostCell>, b: Record<string, CostCell>): Record<string, CostCell> {
  const out: Record<string, CostCell> = {};
  for (const src of [a, b]) for (const [k, c] of Object.entries(src)) addCost((out[k] ??= emptyCost()), c);
  return out;
}

/**
 * Merges two aggregates of the same hour (associative and commutative). SLO cells of different
 * definitions cannot be merged; the one of `b` is dropped then (both come from one run's config).
 *
 * @example
 * const hour = mergeHour(fromObjectA, fromObjectB);
 */
export function mergeHour(a: SloHour, b: SloHour, examples = 5): SloHour {
  const out = emptyHour(a.start);
  out.objects = a.objects + b.objects;
  out.flagged = a.flagged + b.flagged;
  out.routes = mergeCostMap(a.routes, b.routes);
  for (const dim of new Set([...Object.keys(a.dims), ...Object.keys(b.dims)])) out.dims[dim] = mergeCostMap(a.dims[dim] ?? {}, b.dims[dim] ?? {});
  for (const r of new Set([...Object.keys(a.costliest), ...Object.keys(b.costliest)])) {
    out.costliest[r] = mergeTop(a.costliest[r] ?? [], b.costliest[r] ?? [], examples, byCostDesc);
  }
  for (const r of new Set([...Object.keys(a.models), ...Object.keys(b.models)])) {
    out.models[r] = [...new Set([...(a.models[r] ?? []), ...(b.models[r] ?? [])])].sort();
  }
  for (const src of [a.unpricedReasons, b.unpricedReasons]) for (const [k, n] of Object.entries(src)) out.unpricedReasons[k] = (out.unpricedReasons[k] ?? 0) + n;
  for (const name of new Set([...Object.keys(a.slos), ...Object.keys(b.slos)])) {
    const x = a.slos[name];
    const y = b.slos[name];
    if (!x || !y || x.def !== y.def) {
      out.slos[name] = structuredClone((x ?? y) as SloCell);
      continue;
    }
    const c = emptySloCell(x.def);
    for (let i = 0; i < BUCKETS_PER_HOUR; i++) {
      c.good[i] = (x.good[i] ?? 0) + (y.good[i] ?? 0);
      c.total[i] = (x.total[i] ?? 0) + (y.total[i] ?? 0);
      c.rows[i] = (x.rows[i] ?? 0) + (y.rows[i] ?? 0);
    }
    c.skipped = x.skipped + y.skipped;
    c.bad = mergeTop(x.bad, y.bad, examples, byKeyAsc);
    out.slos[name] = c;
  }
  return out;
}

/**
 * The `*` rollup of an hour's routes.
 *
 * @example
 * totalCost(hour).usd; // Σw·usd over every route
 */
export function totalCost(hour: Pick<SloHour, 'routes'>): CostCell {
  const t = emptyCost();
  for (const c of Object.values(hour.routes)) addCost(t, c);
  return t;
}
