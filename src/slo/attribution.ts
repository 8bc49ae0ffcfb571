import { addCost, emptyCost, type CostCell } from './cells.ts';
import { OTHER, type HourDims } from './history.ts';

/**
 * Cost attribution: who spent what in a window, by dimension value, with Horvitz–Thompson
 * standard errors, the values that moved most against the previous window, and the long tail.
 *
 * Totals are HT estimates Ŷ = Σ w·cost over population rows (w = 1/sample_rate); their standard
 * error is √(Σ (w² − w)·cost²), the Poisson-sampling variance estimate. Rows that could not be
 * priced are counted per value (`unpricedRows`), never added as $0.
 */

/** One dimension value's cost. */
export interface ValueCost {
  value: string;
  usd: number;
  /** HT standard error of `usd`. */
  se: number;
  /** Share of the dimension's priced spend. */
  share: number;
  /** Estimated requests (Σw over population rows). */
  requests: number;
  /** usd / priced requests; null without priced rows. */
  costPerRequest: number | null;
  unpricedRows: number;
}

/** A value whose cost moved most against the comparison window. */
export interface Mover {
  value: string;
  usd: number;
  previousUsd: number;
  /** usd − previousUsd. */
  change: number;
  /** Relative change; null when the value had no spend before. */
  relative: number | null;
  /** Standard error of the change (HT, both windows independent). */
  se: number;
}

/** The fewest values that make up `share` of the spend. */
export interface LongTail {
  /** The share asked for (`cost.longTailShare`). */
  share: number;
  /** Values needed, of how many with spend. */
  values: number;
  of: number;
  /** values / of, and the spend share they actually hold (≥ share). */
  valuesShare: number;
  spendShare: number;
  /** "15% of prompt templates (3 of 20) were 60% of spend". */
  text: string;
}

/**
 * Sums the dimension cells of several hours: dimension → value → cell.
 *
 * @example
 * const window = sumDims([...dims.values()]);
 */
export function sumDims(hours: Iterable<HourDims>): Record<string, Record<string, CostCell>> {
  const out: Record<string, Record<string, CostCell>> = {};
  for (const h of hours) {
    for (const [dim, values] of Object.entries(h.dims)) {
      const d = (out[dim] ??= {});
      for (const [v, c] of Object.entries(values)) addCost((d[v] ??= emptyCost()), c);
    }
  }
  return out;
}

const r6 = (x: number): number => Number(x.toPrecision(6));

/**
 * The values of one dimension, costliest first; the ones past `top` summed into `(other)`.
 *
 * @example
 * rankValues(window.route ?? {}, 20); // [{ value: 'answer', usd: 412.5, se: 3.1, share: 0.62, … }, …]
 */
export function rankValues(cells: Record<string, CostCell>, top: number): ValueCost[] {
  const total = Object.values(cells).reduce((t, c) => t + c.usd, 0);
  const entries = Object.entries(cells).sort((a, b) => b[1].usd - a[1].usd || b[1].w - a[1].w || (a[0] < b[0] ? -1 : 1));
  const head = entries.filter(([v]) => v !== OTHER).slice(0, top);
  const tail = entries.filter(([v]) => v === OTHER || !head.some(([h]) => h === v));
  const rows: [string, CostCell][] = [...head];
  if (tail.length) rows.push([OTHER, tail.reduce((t, [, c]) => addCost(t, c), emptyCost())]);
  return rows.map(([value, c]) => ({
    value,
    usd: r6(c.usd),
    se: r6(Math.sqrt(c.usdVar)),
    share: total > 0 ? r6(c.usd / total) : 0,
    requests: r6(c.w),
    costPerRequest: c.pw > 0 ? r6(c.usd / c.pw) : null,
    unpricedRows: c.unpriced,
  }));
}

/**
 * The `k` values with the largest absolute change of cost between two windows.
 *
 * @example
 * topMovers(today.route ?? {}, yesterday.route ?? {}, 5)[0]; // { value: 'answer', usd: 540, previousUsd: 412, change: 128, relative: 0.31, se: 4.2 }
 */
export function topMovers(current: Record<string, CostCell>, previous: Record<string, CostCell>, k: number): Mover[] {
  const values = new Set([...Object.keys(current), ...Object.keys(previous)]);
  values.delete(OTHER);
  const out: Mover[] = [];
  for (const value of values) {
    const a = current[value] ?? emptyCost();
    const b = previous[value] ?? emptyCost();
    const change = a.usd - b.usd;
    out.push({ value, usd: r6(a.usd), previousUsd: r6(b.usd), change: r6(change), relative: b.usd > 0 ? r6(change / b.usd) : null, se: r6(Math.sqrt(a.usdVar + b.usdVar)) });
  }
  return out
    .filter((m) => m.change !== 0)
    .sort((x, y) => Math.abs(y.change) - Math.abs(x.change) || (x.value < y.value ? -1 : 1))
    .slice(0, k);
}

/** Plural nouns for the long-tail sentence. */
const NOUNS: Record<string, string> = {
  route: 'routes',
  model: 'models',
  tenant_id: 'tenants',
  prompt_template_version: 'prompt templates',
  service: 'services',
};

/**
 * The fewest values (costliest first) whose spend reaches `share` of the total: the long tail.
 * `(other)` (values folded away in storage) is left out, so the count is a lower bound when
 * folding happened. `null` without spend.
 *
 * @example
 * longTail('prompt_template_version', cells, 0.6)?.text; // '15% of prompt templates (3 of 20) were 60% of spend'
 */
export function longTail(dim: string, cells: Record<string, CostCell>, share: number): LongTail | null {
  const spends = Object.entries(cells)
    .filter(([v, c]) => v !== OTHER && c.usd > 0)
    .map(([, c]) => c.usd)
    .sort((a, b) => b - a);
  const total = Object.values(cells).reduce((t, c) => t + c.usd, 0);
  if (!(total > 0) || spends.length === 0) return null;
  let acc = 0;
  let n = 0;
  while (n < spends.length && acc < share * total - 1e-12 * total) acc += spends[n++] as number;
  const valuesShare = n / spends.length;
  const spendShare = acc / total;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return {
    share,
    values: n,
    of: spends.length,
    valuesShare: r6(valuesShare),
    spendShare: r6(spendShare),
    text: `${pct(valuesShare)} of ${NOUNS[dim] ?? dim} (${n} of ${spends.length}) were ${pct(spendShare)} of spend`,
  };
}
