import type { ReadRecord } from '../captures/record.ts';
import type { PriceEntry, PricingConfig } from './pricing-config.ts';

/**
 * Prices a capture record. `cost_usd` wins when the record has it (the producer knows its real
 * bill: discounts, batch pricing); otherwise tokens × the list price effective for the record's
 * model at its timestamp. A record that cannot be priced is `unpriced` with a reason, never $0.
 */

/** One effective price, in USD per token (not per million). */
export interface Price {
  readonly from: number;
  readonly until: number;
  readonly input: number;
  readonly output: number;
  readonly cachedInput: number;
  readonly note?: string;
}

/** Why a record has no cost. */
export type UnpricedReason = 'no_model' | 'unknown_model' | 'no_price_at_time' | 'no_tokens';

/** The cost of one record. `listIn`/`listOut`: its tokens at the uncached list price, when known. */
export type RecordCost =
  | { readonly usd: number; readonly source: 'record' | 'table'; readonly listIn?: number; readonly listOut?: number }
  | { readonly unpriced: UnpricedReason };

/** A price boundary inside a window: an annotated config event, never a drift. */
export interface PriceEvent {
  model: string;
  at: string;
  /** USD per 1M tokens before and after; `null` when no price applied on that side. */
  before: { inputPerMTok: number; outputPerMTok: number; cachedInputPerMTok: number } | null;
  after: { inputPerMTok: number; outputPerMTok: number; cachedInputPerMTok: number } | null;
  note?: string;
}

const M = 1e6;

/** A compiled pricing table: effective-dated prices per model, fast to look up. */
export class PriceTable {
  private readonly byModel = new Map<string, Price[]>();

  constructor(readonly config: PricingConfig) {
    for (const [model, entries] of Object.entries(config.models)) {
      const prices = entries.map((e: PriceEntry, i): Price => {
        const next = entries[i + 1];
        const until = e.until !== undefined ? Date.parse(e.until) : next?.from !== undefined ? Date.parse(next.from) : Infinity;
        return {
          from: e.from === undefined ? -Infinity : Date.parse(e.from),
          until,
          input: e.inputPerMTok / M,
          output: e.outputPerMTok / M,
          cachedInput: (e.cachedInputPerMTok ?? e.inputPerMTok) / M,
          ...(e.note !== undefined ? { note: e.note } : {}),
        };
      });
      this.byModel.set(model, prices);
    }
  }

  /** Whether the table knows this model at all. */
  has(model: string): boolean {
    return this.byModel.has(model);
  }

  /**
   * The price in effect for `model` at `ts` (epoch ms): the entry with `from ≤ ts < until`, so a
   * record exactly at a `from` boundary gets the new price. `undefined` when none applies.
   *
   * @example
   * table.priceAt('gpt-4o', Date.parse('2024-10-01T00:00:00Z'))?.input; // 2.5e-6 after a cut on that day
   */
  priceAt(model: string, ts: number): Price | undefined {
    const prices = this.byModel.get(model);
    if (!prices) return undefined;
    // Few entries per model: a linear scan from the newest is faster than a binary search.
    for (let i = prices.length - 1; i >= 0; i--) {
      const p = prices[i] as Price;
      if (ts >= p.from) return ts < p.until ? p : undefined;
    }
    return undefined;
  }

  /**
   * Price boundaries of every model inside `[start, end)`, oldest first.
   *
   * @example
   * table.eventsIn(Date.parse('2024-09-30T00:00:00Z'), Date.parse('2024-10-02T00:00:00Z'));
   * // [{ model: 'gpt-4o', at: '2024-10-01T00:00:00.000Z', before: {…5/15}, after: {…2.5/10} }]
   */
  eventsIn(start: number, end: number): PriceEvent[] {
    const out: PriceEvent[] = [];
    const show = (p: Price | undefined) =>
      p ? { inputPerMTok: round(p.input * M), outputPerMTok: round(p.output * M), cachedInputPerMTok: round(p.cachedInput * M) } : null;
    for (const [model, prices] of this.byModel) {
      const bounds = new Set<number>();
      for (const p of prices) {
        if (p.from >= start && p.from < end) bounds.add(p.from);
        if (p.until >= start && p.until < end) bounds.add(p.until);
      }
      for (const at of [...bounds].sort((a, b) => a - b)) {
        const after = this.priceAt(model, at);
        const note = after?.note;
        out.push({ model, at: new Date(at).toISOString(), before: show(this.priceAt(model, at - 1)), after: show(after), ...(note ? { note } : {}) });
      }
    }
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.model < b.model ? -1 : 1));
  }
}

const round = (x: number): number => Number(x.toPrecision(10));

/** `cached_input_tokens` (or `cache_read_input_tokens`) when a producer records a prompt-cache split. */
function cachedTokens(r: ReadRecord): number | undefined {
  const rec = r as unknown as Record<string, unknown>;
  const v = rec.cached_input_tokens ?? rec.cache_read_input_tokens;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * The cost of one record:
 *
 * - `cost_usd` present → that (source `record`).
 * - else tokens × the effective price of its model at its timestamp (source `table`): input at
 *   `inputPerMTok`, output at `outputPerMTok`; cached input (a `cached_input_tokens` count, capped
 *   at `input_tokens`) at `cachedInputPerMTok`. A `cached: true` record without a count has all
 *   its input at the cached price, or costs $0 with `pricing.cachedRecords: 'free'`. A missing
 *   token count is 0 when the other one is present; with neither the record is `no_tokens`.
 * - no `model`, a model the table does not know, or no price in effect at that time → unpriced.
 *
 * `listIn`/`listOut` (the tokens at the uncached list price) are set whenever the model has a
 * price, even when `cost_usd` is used: the anomaly decomposition weighs input against output.
 *
 * @example
 * recordCost(record, table); // { usd: 0.0042, source: 'table', listIn: 0.0015, listOut: 0.0027 }
 */
export function recordCost(r: ReadRecord, table: PriceTable): RecordCost {
  const price = r.model !== undefined ? table.priceAt(r.model, r.ts) : undefined;
  const hasTokens = r.input_tokens !== undefined || r.output_tokens !== undefined;
  const inTok = r.input_tokens ?? 0;
  const outTok = r.output_tokens ?? 0;
  const list = price && hasTokens ? { listIn: inTok * price.input, listOut: outTok * price.output } : {};
  if (r.cost_usd !== undefined) return { usd: r.cost_usd, source: 'record', ...list };
  if (r.model === undefined) return { unpriced: 'no_model' };
  if (!price) return { unpriced: table.has(r.model) ? 'no_price_at_time' : 'unknown_model' };
  if (!hasTokens) return { unpriced: 'no_tokens' };
  const counted = cachedTokens(r);
  let usd: number;
  if (counted !== undefined) {
    const c = Math.min(counted, inTok);
    usd = c * price.cachedInput + (inTok - c) * price.input + outTok * price.output;
  } else if (r.cached === true) {
    usd = table.config.cachedRecords === 'free' ? 0 : inTok * price.cachedInput + outTok * price.output;
  } else {
    usd = inTok * price.input + outTok * price.output;
  }
  return { usd, source: 'table', ...list };
}
