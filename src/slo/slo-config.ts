import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../config/duration.ts';

/**
 * The `slos` section of `worker.config.ts`: a list of service-level objectives, each a good-event
 * ratio with a target, a rolling period (the error budget is `(1 − target)` of the period's
 * events) and multi-window, multi-burn-rate alert rules.
 *
 * ```ts
 * slos: [
 *   { name: 'answer-latency', route: 'answer', kind: 'latency', metric: 'total', thresholdMs: 4000, target: 0.99 },
 *   { name: 'availability', kind: 'availability', target: 0.995 },
 *   { name: 'answer-faithful', route: 'answer', kind: 'judge', rubric: 'faithfulness', target: 0.98 },
 * ]
 * ```
 */

// Not `durationSchema` from `src/config/schema.ts`: that module imports this one (a cycle).
const duration = z.string().regex(DURATION_PATTERN, 'a duration such as "5m", "1h", "6h" or "3d"');

/**
 * One burn-rate alert rule: fires when the burn rate over BOTH windows is at least `factor`
 * (the long window says it is significant, the short one that it is still going on). Give the
 * factor directly, or as the share of the period's budget that the long window may spend:
 * `factor = budgetShare × period / long` (2% of a 30-day budget in 1 h is 0.02 × 720 h / 1 h = 14.4×).
 */
export const burnRuleSchema = z
  .object({
    /** Shown in the finding ("page-fast"). Default: `<severity> <long>/<short>`. */
    name: z.string().optional(),
    /** `critical` pages, `warning` opens a ticket. */
    severity: z.enum(['critical', 'warning']),
    /** Long window (e.g. `1h`). Must be at most the SLO's period. */
    long: duration,
    /** Short window (e.g. `5m`), shorter than `long`. */
    short: duration,
    /** Burn rate both windows must reach. Give this or `budgetShare`. */
    factor: z.number().positive().optional(),
    /** Share of the period's budget the long window may spend before the rule fires. Give this or `factor`. */
    budgetShare: z.number().gt(0).max(1).optional(),
  })
  .strict()
  .refine((r) => (r.factor === undefined) !== (r.budgetShare === undefined), 'give exactly one of "factor" and "budgetShare"');

export type BurnRuleInput = z.output<typeof burnRuleSchema>;

/**
 * The SRE-workbook defaults (multi-window, multi-burn-rate), as budget shares so that they scale
 * with the period; for 30 days they are: page 14.4× over 1 h and 5 m, page 6× over 6 h and 30 m,
 * ticket 1× over 3 d and 6 h.
 */
export const DEFAULT_BURN_RULES: readonly BurnRuleInput[] = Object.freeze([
  { name: 'page-fast', severity: 'critical', long: '1h', short: '5m', budgetShare: 0.02 },
  { name: 'page-slow', severity: 'critical', long: '6h', short: '30m', budgetShare: 0.05 },
  { name: 'ticket', severity: 'warning', long: '3d', short: '6h', budgetShare: 0.1 },
]);

const common = {
  /** Unique; used in fingerprints and history keys: letters, digits, `.`, `_`, `-`. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"'),
  /** Shown in reports. Default: none. */
  description: z.string().optional(),
  /** Route name or glob (`*` any characters), or a list of them. Default `*` (every route). */
  route: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('*'),
  /** Share of good events the SLO promises, in (0, 1), e.g. 0.999. */
  target: z.number().gt(0).lt(1),
  /** Rolling period of the error budget. Default `30d`. */
  period: duration.default('30d'),
  /** Alert rules. Default: the SRE-workbook set (`DEFAULT_BURN_RULES`). */
  alerts: z.array(burnRuleSchema).optional(),
  /** Population rows a window needs before its burn rate is reported (else `insufficient_data`). Default 20. */
  minEvents: z.number().int().min(1).default(20),
};

const latencySchema = z
  .object({
    ...common,
    kind: z.literal('latency'),
    /** `total` (`latency_total_ms`) or `ttft` (`latency_to_first_token_ms`). Default `total`. */
    metric: z.enum(['total', 'ttft']).default('total'),
    /** A request is good when its latency is at most this. Required. */
    thresholdMs: z.number().positive(),
  })
  .strict();

const availabilitySchema = z
  .object({
    ...common,
    kind: z.literal('availability'),
    /** `downstream_status` values that are good; `2xx`-style classes allowed. Default `['2xx', '3xx']`. */
    goodStatuses: z.array(z.string().regex(/^(\d{3}|\dxx)$/, 'a status such as "200" or a class such as "2xx"')).min(1).default(['2xx', '3xx']),
  })
  .strict();

const costSchema = z
  .object({
    ...common,
    kind: z.literal('cost_per_request'),
    /** A request is good when it cost at most this (USD). Unpriced requests are not events. Required. */
    maxUsd: z.number().positive(),
  })
  .strict();

const schemaValidSchema = z
  .object({ ...common, kind: z.literal('schema_valid') })
  .strict();

const judgeSchema = z
  .object({
    ...common,
    kind: z.literal('judge'),
    /** Rubric whose scores count (`scores/` of the results store). Required. */
    rubric: z.string().min(1),
    /** Dimension of that rubric. Default: the rubric's name. */
    dimension: z.string().min(1).optional(),
    /** Good when the score is at least this. Default: the dimension's own pass verdict. */
    atLeast: z.number().optional(),
    /** Good when the score is at most this. Default: the dimension's own pass verdict. */
    atMost: z.number().optional(),
  })
  .strict();

export const sloSchema = z.discriminatedUnion('kind', [latencySchema, availabilitySchema, costSchema, schemaValidSchema, judgeSchema]);
export type SloConfig = z.output<typeof sloSchema>;

/** A rule with its burn factor resolved and its windows in milliseconds. */
export interface BurnRule {
  name: string;
  severity: 'critical' | 'warning';
  factor: number;
  longMs: number;
  shortMs: number;
  long: string;
  short: string;
}

/**
 * The rules of an SLO with their factors resolved (`factor = budgetShare × period / long`).
 *
 * @example
 * burnRules({ period: '30d', alerts: undefined, … })[0]?.factor; // 14.4
 */
export function burnRules(slo: Pick<SloConfig, 'period' | 'alerts'>): BurnRule[] {
  const periodMs = parseDuration(slo.period);
  return (slo.alerts ?? DEFAULT_BURN_RULES).map((r) => {
    const longMs = parseDuration(r.long);
    const factor = r.factor ?? ((r.budgetShare as number) * periodMs) / longMs;
    return {
      name: r.name ?? `${r.severity} ${r.long}/${r.short}`,
      severity: r.severity,
      factor: Number(factor.toPrecision(12)),
      longMs,
      shortMs: parseDuration(r.short),
      long: r.long,
      short: r.short,
    };
  });
}

const fmt = (x: number): string => String(Number(x.toPrecision(4)));

export const slosConfigSchema = z.array(sloSchema).superRefine((slos, ctx) => {
  const seen = new Map<string, number>();
  slos.forEach((slo, i) => {
    const first = seen.get(slo.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate SLO name (also slos.${first})` });
    seen.set(slo.name, i);
    if (slo.kind === 'judge' && slo.atLeast !== undefined && slo.atMost !== undefined && slo.atLeast > slo.atMost) {
      ctx.addIssue({ code: 'custom', path: [i, 'atMost'], message: `must be ≥ atLeast (${slo.atLeast})` });
    }
    const periodMs = parseDuration(slo.period);
    const defaulted = slo.alerts === undefined;
    const maxFactor = 1 / (1 - slo.target);
    burnRules(slo).forEach((r, j) => {
      const path = defaulted ? [i, 'alerts'] : [i, 'alerts', j];
      const which = `${defaulted ? 'the default burn rule' : 'burn rule'} "${r.name}" (${fmt(r.factor)}× over ${r.long} and ${r.short})`;
      if (r.shortMs >= r.longMs) ctx.addIssue({ code: 'custom', path, message: `${which}: the short window must be shorter than the long one` });
      if (r.longMs > periodMs) ctx.addIssue({ code: 'custom', path, message: `${which}: the long window is longer than the period (${slo.period})` });
      // The burn rate is (bad share) / (1 − target) ≤ 1 / (1 − target): a larger factor can never fire.
      if (r.factor * (1 - slo.target) > 1 + 1e-12) {
        // The largest factor (1 / (1 − T)) fires only on a total outage: suggest half of it, a
        // rule that fires when half the events of both windows are bad.
        const suggested = Number((maxFactor / 2).toPrecision(2));
        const share = Number(((suggested * r.longMs) / periodMs).toPrecision(2));
        ctx.addIssue({
          code: 'custom',
          path,
          message:
            `${which} can never fire for target ${slo.target}: even with every event bad the burn rate is at most ` +
            `1 / (1 − ${slo.target}) = ${fmt(maxFactor)}×. Use a factor below ${fmt(maxFactor)} (f× fires when f × ${fmt((1 - slo.target) * 100)}% of events are bad, ` +
            `so ${fmt(maxFactor)}× only on a total outage), e.g. factor: ${suggested} (half the events bad), or budgetShare: ${share} over ${r.long}` +
            `${defaulted ? `, by setting slos.${i}.alerts explicitly` : ''}; or raise the target`,
        });
      }
    });
  });
});

export type SlosConfig = z.output<typeof slosConfigSchema>;
