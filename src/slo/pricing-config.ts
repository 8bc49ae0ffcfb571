import { z } from 'zod';

/**
 * The `pricing` section of `worker.config.ts`: list prices per model with effective dates, used
 * to price a capture record that carries no `cost_usd` (and to split a route's cost into its
 * input and output parts for the cost-anomaly decomposition).
 *
 * ```ts
 * pricing: {
 *   models: {
 *     'gpt-4o-2024-08-06': [
 *       { inputPerMTok: 5, outputPerMTok: 15 },
 *       { from: '2024-10-01', inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
 *     ],
 *   },
 * }
 * ```
 *
 * A model's entries must be in strictly increasing `from` order and must not overlap (an entry's
 * `until` may not be later than the next entry's `from`); only the first entry may leave `from`
 * out ("since always"). Errors name the key path, e.g. `pricing.models.gpt-4o.1.from`.
 */

/** `YYYY-MM-DD` (midnight UTC) or an RFC 3339 instant with a zone. */
const instant = z.union([
  z.iso.date(),
  z.iso.datetime({ offset: true, local: false }),
]);

export const priceEntrySchema = z
  .object({
    /** First instant this price applies to (inclusive). Default: since always (first entry only). */
    from: instant.optional(),
    /** First instant it no longer applies (exclusive). Default: until the next entry, or forever. */
    until: instant.optional(),
    /** USD per million input (prompt) tokens. Required. */
    inputPerMTok: z.number().min(0),
    /** USD per million output (completion) tokens. Required. */
    outputPerMTok: z.number().min(0),
    /** USD per million cached input tokens (provider prompt cache). Default: `inputPerMTok`. */
    cachedInputPerMTok: z.number().min(0).optional(),
    /** Shown next to a price change in the report ("provider price cut"). Default: none. */
    note: z.string().optional(),
  })
  .strict();

export const pricingConfigSchema = z
  .object({
    /** Model name (the capture's `model`, exactly) → its prices over time. Default: none. */
    models: z.record(z.string().min(1), z.array(priceEntrySchema).min(1)).default({}),
    /**
     * How a record with `cached: true` and no `cached_input_tokens` count is priced when it has no
     * `cost_usd`: `cached_input` prices all its input tokens at `cachedInputPerMTok` (a provider
     * prompt-cache hit), `free` makes it cost $0 (a semantic-cache hit that never called the model).
     * Default `cached_input`.
     */
    cachedRecords: z.enum(['cached_input', 'free']).default('cached_input'),
  })
  .strict()
  .superRefine((pricing, ctx) => {
    for (const [model, entries] of Object.entries(pricing.models)) {
      let prevEnd: number | undefined;
      let prevFrom: number | undefined;
      entries.forEach((e, i) => {
        const path = ['models', model, i];
        const from = e.from === undefined ? undefined : Date.parse(e.from);
        const until = e.until === undefined ? undefined : Date.parse(e.until);
        if (from === undefined && i > 0) {
          ctx.addIssue({ code: 'custom', path: [...path, 'from'], message: `required: every price but the first needs an effective date "from" (entry ${i} of ${model})` });
          return;
        }
        if (from !== undefined && until !== undefined && until <= from) {
          ctx.addIssue({ code: 'custom', path: [...path, 'until'], message: `"until" (${e.until}) must be after "from" (${e.from})` });
        }
        if (i > 0 && from !== undefined) {
          if (prevFrom !== undefined && from <= prevFrom) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'from'],
              message: `effective dates must be strictly increasing: ${e.from} is not after entry ${i - 1}'s "from" (${entries[i - 1]?.from}); list a model's prices oldest first`,
            });
          } else if (prevEnd !== undefined && from < prevEnd) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'from'],
              message: `overlaps entry ${i - 1}, which runs until ${entries[i - 1]?.until}; a record at ${e.from} would have two prices: set entry ${i - 1}'s "until" to ${e.from} (or leave it out: a price runs until the next one's "from")`,
            });
          }
        }
        prevFrom = from ?? prevFrom;
        prevEnd = until;
      });
    }
  });

export type PricingConfig = z.output<typeof pricingConfigSchema>;
export type PriceEntry = z.output<typeof priceEntrySchema>;
