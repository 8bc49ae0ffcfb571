import { z } from 'zod';

/**
 * Options of the LLM-as-judge (`config.judge`). Every option has a default so that a config
 * without a `judge` key validates; judging itself only runs when an API key is in the
 * environment (`EVALWATCH_JUDGE_API_KEY` or `OPENAI_API_KEY`) or the endpoint is local.
 */

const rateLimitSchema = z
  .object({
    /**
     * Apply the in-process limiter. Turn it off when the BullMQ per-provider limiter already
     * paces the calls of every worker. Default `true`.
     */
    enabled: z.boolean().default(true),
    /** Requests per second to this provider. Default 5. */
    requestsPerSecond: z.number().positive().default(5),
    /** Requests that may start at once after an idle spell (bucket size). Default 5. */
    burst: z.number().int().positive().default(5),
    /** Estimated tokens (prompt + completion) per minute. Default 200,000. */
    tokensPerMinute: z.number().positive().default(200_000),
  })
  .strict();

const budgetSchema = z
  .object({
    /** Judge calls per run (repairs and retries for length count). Default 2,000. */
    calls: z.number().int().positive().default(2_000),
    /** Prompt + completion tokens per run. Default 4,000,000. */
    tokens: z.number().int().positive().default(4_000_000),
    /** Dollars per run, priced with `pricing`. Default 10. */
    usd: z.number().positive().default(10),
    /**
     * Share of the budget the pre-run estimate may plan for; the rest absorbs estimate error
     * (repairs, long answers). Default 0.85.
     */
    planShare: z.number().gt(0).max(1).default(0.85),
  })
  .strict();

const samplingSchema = z
  .object({
    /**
     * Judgments per route per run that the sample aims for; every route gets about as many, so
     * rare routes are oversampled. Shrunk (never below `minPerRoute` unless the budget cannot
     * cover even that) when the estimate exceeds the budget. Default 200.
     */
    targetPerRoute: z.number().int().positive().default(200),
    /** The smallest per-route sample the budget shrink aims to keep. Default 30. */
    minPerRoute: z.number().int().min(0).default(30),
    /** Flagged captures (`explicit_flag`, `anomaly_detected`) judged per route, reported apart. Default 20. */
    flaggedPerRoute: z.number().int().min(0).default(20),
    /** Salt of the selection hash: change it to draw a different (still deterministic) sample. */
    salt: z.string().default('evalwatch-judge-v1'),
  })
  .strict();

const pricingSchema = z
  .object({
    /** USD per million prompt tokens. Default 2.5 (gpt-4o). */
    inputPerMTok: z.number().min(0).default(2.5),
    /** USD per million completion tokens. Default 10 (gpt-4o). */
    outputPerMTok: z.number().min(0).default(10),
  })
  .strict();

const canarySchema = z
  .object({
    /** Judge the rubric's canaries before each run. Default `true`. */
    enabled: z.boolean().default(true),
    /** Share of canaries that must be graded as expected; below it the run is unmeasurable. Default 1. */
    minAccuracy: z.number().min(0).max(1).default(1),
  })
  .strict();

const selfConsistencySchema = z
  .object({
    /** Share of judged population captures whose prompt is re-run against the target. Default 0 (off). */
    fraction: z.number().min(0).max(1).default(0),
    /** Re-runs per capture. Default 3. */
    k: z.number().int().min(2).max(10).default(3),
    /** Target model endpoint; default the judge's `baseURL`. */
    baseURL: z.string().url().optional(),
    /** Target model; default the capture's own `model`. */
    model: z.string().optional(),
    /** Sampling temperature of the re-runs. Default 1: the disagreement a user would see. */
    temperature: z.number().min(0).max(2).default(1),
    /** Mean pairwise token similarity below which a capture is flagged. Default 0.35. */
    minSimilarity: z.number().min(0).max(1).default(0.35),
    /** Completion tokens per re-run. Default 512. */
    maxTokens: z.number().int().positive().default(512),
    /**
     * Share of a route's re-run captures that may be flagged before a `judge.inconsistent`
     * finding: it fires when the 95% Wilson interval of the flagged share lies wholly above this,
     * so a handful of unlucky draws does not page anyone. Default 0.2.
     */
    maxFlaggedShare: z.number().min(0).max(1).default(0.2),
    /** Measured captures a route needs before its flagged share is judged. Default 10. */
    minMeasured: z.number().int().min(1).default(10),
  })
  .strict();

const regressionSchema = z
  .object({
    /** Benjamini-Hochberg FDR level across every quality test of a run. Default 0.01. */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /** Scored captures a route x dimension needs before it is tested. Default 30. */
    minN: z.number().int().min(2).default(30),
    /** Days of history with the same judge fingerprint before any regression is called. Default 5. */
    minHistoryDays: z.number().int().min(2).default(5),
    /** Days of history read. Default 28. */
    historyDays: z.number().int().min(2).max(366).default(28),
    /** Smallest drop worth a finding: pass-rate points (0.05 = 5 points) or a tenth of the score range. Default 0.05. */
    minEffect: z.number().min(0).default(0.05),
  })
  .strict();

export const judgeConfigSchema = z
  .object({
    /** OpenAI-compatible base URL, including `/v1`. Default `https://api.openai.com/v1`. */
    baseURL: z.string().url().default('https://api.openai.com/v1'),
    /**
     * Judge model. Pin a dated snapshot (`gpt-4o-2024-08-06`), not an alias: an alias can move
     * under you, and trends never compare across judges. Default `gpt-4o-2024-08-06`.
     */
    model: z.string().min(1).default('gpt-4o-2024-08-06'),
    /** Name of the provider for rate limiting and metrics. Default: the host of `baseURL`. */
    provider: z.string().optional(),
    /** Sampling temperature of the judge. Default 0. */
    temperature: z.number().min(0).max(2).default(0),
    /** Seed sent where the endpoint supports it; `null` to omit. Default 7. */
    seed: z.number().int().nullable().default(7),
    /** Completion tokens of a judge call. Default 1,024. */
    maxTokens: z.number().int().positive().default(1_024),
    /** Completion tokens of the one retry after a truncated (`length`) or empty reply. Default 4,096. */
    maxTokensRetry: z.number().int().positive().default(4_096),
    /** Request body key for the token limit: reasoning models need `max_completion_tokens`. Default `max_tokens`. */
    maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
    /**
     * Structured output: `json_schema` (strict), `json_object`, `tool` (a forced function call), or
     * `auto` = json_schema, falling back when the endpoint rejects it. Default `auto`.
     */
    outputMode: z.enum(['auto', 'json_schema', 'json_object', 'tool']).default('auto'),
    /** Per-request timeout in ms. Default 60,000. */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Attempts per call for 429, 5xx, timeouts and network errors (the only retry layer). Default 6. */
    maxAttempts: z.number().int().min(1).max(20).default(6),
    /** First backoff in ms (full jitter, doubling). Default 500. */
    backoffMs: z.number().int().min(0).default(500),
    /** Longest single wait, including a server's `retry-after`. Default 60,000. */
    maxBackoffMs: z.number().int().min(0).default(60_000),
    /** Judge calls in flight per process. Default 8. */
    concurrency: z.number().int().min(1).max(1_000).default(8),
    rateLimit: rateLimitSchema.default(rateLimitSchema.parse({})),
    budget: budgetSchema.default(budgetSchema.parse({})),
    pricing: pricingSchema.default(pricingSchema.parse({})),
    sampling: samplingSchema.default(samplingSchema.parse({})),
    /** Folder of rubric YAML files, relative to the config file. Default `evals`. */
    rubricsDir: z.string().min(1).default('evals'),
    /** Rubrics to run by name; default every rubric in `rubricsDir`. */
    rubrics: z.array(z.string().min(1)).optional(),
    canaries: canarySchema.default(canarySchema.parse({})),
    selfConsistency: selfConsistencySchema.default(selfConsistencySchema.parse({})),
    /** Share of attempted judgments that must be scored; below it a `judge.coverage` finding. Default 0.9. */
    coverageFloor: z.number().min(0).max(1).default(0.9),
    regression: regressionSchema.default(regressionSchema.parse({})),
    /** Judgments per work unit (one fan-out job). Default 50. */
    unitSize: z.number().int().min(1).default(50),
    /**
     * Population captures per rubric kept as the frozen sample a future judge change is bridged
     * on: the first trusted runs freeze them (text included, under `judge/bridge/<rubric>/` in the
     * results store, so a bridge does not depend on capture retention; delete that file to draw
     * a new sample). When a rubric's judge fingerprint changes, both judges re-score it and the
     * run reports their agreement (`judge.rebaselined`). 0 turns bridging off. Default 50.
     */
    bridgeSampleSize: z.number().int().min(0).default(50),
  })
  .strict();

/** What a user writes under `judge:`. */
export type JudgeConfigInput = z.input<typeof judgeConfigSchema>;
/** The validated judge options with every default filled in. */
export type JudgeConfig = z.output<typeof judgeConfigSchema>;

/**
 * The judge options with every default, for callers that have no `config.judge` yet.
 *
 * @example
 * const cfg = defaultJudgeConfig({ model: 'gpt-4o-mini-2024-07-18' });
 */
export function defaultJudgeConfig(input: JudgeConfigInput = {}): JudgeConfig {
  return judgeConfigSchema.parse(input);
}

/**
 * The provider name used for rate limiting: the explicit `provider`, else the endpoint host.
 *
 * @example
 * providerOf(defaultJudgeConfig()); // 'api.openai.com'
 */
export function providerOf(cfg: Pick<JudgeConfig, 'provider' | 'baseURL'>): string {
  return cfg.provider ?? new URL(cfg.baseURL).host;
}
