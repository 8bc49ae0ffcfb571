import { HOUR } from '../captures/partitions.ts';
import type { ReadRecord } from '../captures/record.ts';
import { hashSeed } from '../stats/index.ts';
import { BUCKET_MS, byCostDesc, byKeyAsc, emptyCost, emptyHour, emptySloCell, type CostCell, type SloHour } from './cells.ts';
import type { RecordSlo } from './classify.ts';
import type { CostDimension } from './cost-config.ts';
import { recordCost, type PriceTable } from './pricing.ts';

/** Options of {@link createSloAccumulator}. */
export interface AccumulatorOptions {
  readonly table: PriceTable;
  readonly slos: readonly RecordSlo[];
  readonly dimensions: readonly CostDimension[];
  /** Costliest rows kept per route, and bad-event examples per SLO. Default 5. */
  readonly examples?: number;
}

/** Value of a dimension when the record has none. */
export const NONE = '(none)';

/**
 * Adds one record's cost to a cell. HT: Σw·usd, variance term (w² − w)·usd².
 */
function addRecord(c: CostCell, r: ReadRecord, cost: ReturnType<typeof recordCost>): void {
  const w = r.weight;
  c.rows += 1;
  c.w += w;
  if (!('usd' in cost)) {
    c.unpriced += 1;
    c.uw += w;
    return;
  }
  c.priced += 1;
  c.pw += w;
  c.pw2 += w * w;
  c.usd += w * cost.usd;
  c.usdVar += (w * w - w) * cost.usd * cost.usd;
  if (cost.source === 'record') c.fromRecord += 1;
  else c.fromTable += 1;
  if (r.input_tokens !== undefined || r.output_tokens !== undefined) {
    c.inTok += w * (r.input_tokens ?? 0);
    c.outTok += w * (r.output_tokens ?? 0);
    c.tokW += w;
  }
  if (cost.listIn !== undefined) {
    c.listIn += w * cost.listIn;
    c.listOut += w * (cost.listOut ?? 0);
  }
}

/** Inserts into a top-k list kept sorted by `cmp`. */
function pushTop(list: [number, string][], item: [number, string], k: number, cmp: (a: [number, string], b: [number, string]) => number): void {
  if (k === 0) return;
  if (list.length >= k && cmp(item, list[list.length - 1] as [number, string]) >= 0) return;
  list.push(item);
  list.sort(cmp);
  if (list.length > k) list.pop();
}

/** Accumulates the records of one partition hour. */
export interface SloAccumulator {
  add(r: ReadRecord): void;
  addObject(): void;
  finish(): SloHour;
}

/**
 * An accumulator for one partition hour: population rows go into cost cells per route and per
 * dimension value, and into the 5-minute good/total buckets of every SLO whose route matches;
 * flagged rows are only counted. A record's bucket is its timestamp clamped into the hour.
 *
 * @example
 * const acc = createSloAccumulator(hourStart, { table, slos, dimensions: config.cost.dimensions });
 * for (const r of records) acc.add(r);
 * const hour = acc.finish();
 */
export function createSloAccumulator(start: number, options: AccumulatorOptions): SloAccumulator {
  const hour = emptyHour(start);
  const k = options.examples ?? 5;
  for (const d of options.dimensions) hour.dims[d] = {};
  return {
    add(r) {
      if (!r.population) {
        hour.flagged += 1;
        return;
      }
      const cost = recordCost(r, options.table);
      if (!('usd' in cost)) hour.unpricedReasons[cost.unpriced] = (hour.unpricedReasons[cost.unpriced] ?? 0) + 1;
      addRecord((hour.routes[r.route] ??= emptyCost()), r, cost);
      for (const d of options.dimensions) {
        const v = r[d];
        const value = typeof v === 'string' && v !== '' ? v : NONE;
        addRecord(((hour.dims[d] as Record<string, CostCell>)[value] ??= emptyCost()), r, cost);
      }
      if (r.model !== undefined) {
        const models = (hour.models[r.route] ??= []);
        if (!models.includes(r.model)) {
          models.push(r.model);
          models.sort();
        }
      }
      if ('usd' in cost) pushTop((hour.costliest[r.route] ??= []), [cost.usd, r.request_id], k, byCostDesc);
      const t = Math.min(Math.max(r.ts, start), start + HOUR - 1);
      const b = Math.floor((t - start) / BUCKET_MS);
      for (const slo of options.slos) {
        if (!slo.matchesRoute(r.route)) continue;
        const cell = (hour.slos[slo.name] ??= emptySloCell(slo.def));
        const verdict = slo.classify(r, cost);
        if (verdict === undefined) {
          cell.skipped += 1;
          continue;
        }
        cell.total[b] = (cell.total[b] ?? 0) + r.weight;
        cell.rows[b] = (cell.rows[b] ?? 0) + 1;
        if (verdict) cell.good[b] = (cell.good[b] ?? 0) + r.weight;
        else pushTop(cell.bad, [hashSeed(r.request_id), r.request_id], k, byKeyAsc);
      }
    },
    addObject() {
      hour.objects += 1;
    },
    finish() {
      // Every configured SLO gets a cell, so an hour without events is stored as zero events, not a gap.
      for (const slo of options.slos) hour.slos[slo.name] ??= emptySloCell(slo.def);
      return hour;
    },
  };
}
