import { z } from 'zod';
import { DURATION_PATTERN } from '../config/duration.ts';

/**
 * The `cost` section of `worker.config.ts`: cost attribution and cost-anomaly findings. Every key
 * has a default; `costConfigSchema.parse({})` is a working configuration.
 */

// Not `durationSchema` from `src/config/schema.ts`: that module imports this one (a cycle).
const duration = z.string().regex(DURATION_PATTERN, 'a duration such as "6h", "24h" or "7d"');

/** Capture fields cost can be attributed to. */
export const COST_DIMENSIONS = ['route', 'model', 'tenant_id', 'prompt_template_version', 'service'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

const anomalySchema = z
  .object({
    /** Test each route's cost against its seasonal baseline. Default true. */
    enabled: z.boolean().default(true),
    /** Length of the compared window, ending at the run's end (hour-aligned). Default `24h`. */
    window: duration.default('24h'),
    /** z above which a window is anomalous. Default: `drift.sigma` (4). */
    sigma: z.number().positive().optional(),
    /** Weeks of same-window history for the seasonal baseline. Default: `drift.seasonalWeeks` (4). */
    seasonalWeeks: z.number().int().min(1).max(12).optional(),
    /** FDR level across the run's cost tests. Default: `drift.alpha` (0.01). */
    alpha: z.number().gt(0).lt(1).optional(),
    /** Smallest relative change of a route's cost (or cost per request) worth a finding. Default 0.25. */
    minRelativeChange: z.number().min(0).default(0.25),
    /** A driver (requests, tokens per request, price) is named in the summary from this change. Default 0.05. */
    driverThreshold: z.number().min(0).default(0.05),
  })
  .strict();

export const costConfigSchema = z
  .object({
    /** Dimensions the report breaks cost down by. Default: route, model, tenant_id, prompt_template_version. */
    dimensions: z.array(z.enum(COST_DIMENSIONS)).min(1).default(['route', 'model', 'tenant_id', 'prompt_template_version']),
    /** Values per dimension with the largest day-over-day change listed as top movers. Default 5. */
    topMovers: z.number().int().min(0).default(5),
    /** Values per dimension listed in the report (the rest summed as `(other)`). Default 20. */
    topValues: z.number().int().min(1).default(20),
    /**
     * Values per dimension and hour kept in the stored aggregates; the smallest by cost beyond it
     * are folded into `(other)` so a high-cardinality tenant field cannot blow up the history.
     * Default 500.
     */
    maxValuesPerHour: z.number().int().min(10).default(500),
    /** The long-tail line reports the fewest values that make up this share of spend. Default 0.6. */
    longTailShare: z.number().gt(0).lt(1).default(0.6),
    /** Costliest request_ids kept per route as examples. Default 5. */
    examples: z.number().int().min(0).max(50).default(5),
    /** Complete days of history the month-end projection averages. Default 7. */
    projectionDays: z.number().int().min(2).max(31).default(7),
    anomaly: anomalySchema.default(anomalySchema.parse({})),
  })
  .strict();

export type CostConfig = z.output<typeof costConfigSchema>;
