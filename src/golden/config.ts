import { z } from 'zod';

/**
 * Options of golden suites (`config.golden`): where suites live, the targets a suite runs
 * against, the embeddings endpoint of `similar`, confirm-on-retry and the nightly schedule. Every
 * option has a default so a config without a `golden` key validates; a suite with recorded
 * `output`s runs with no target at all. Secrets (API keys, header tokens) never sit here: a
 * header value `env:NAME` and `apiKeyEnv` name an environment variable instead.
 */

/** Concurrency and pacing shared by every target kind. */
const pacing = {
  /** Calls to this target in flight at once. Default 8. */
  concurrency: z.number().int().min(1).max(1_000).default(8),
  /** Requests per second to this target; unset = unpaced (only `concurrency` limits). */
  requestsPerSecond: z.number().positive().optional(),
  /** Per-request timeout in ms. Default 60,000. */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Attempts per call for 429, 5xx, timeouts and network errors. Default 3. */
  maxAttempts: z.number().int().min(1).max(20).default(3),
};

const pricingSchema = z
  .object({
    /** USD per million prompt tokens. */
    inputPerMTok: z.number().min(0),
    /** USD per million completion tokens. */
    outputPerMTok: z.number().min(0),
  })
  .strict();

/** An OpenAI-compatible chat model: the model snapshot and its parameters are the target. */
export const openaiTargetSchema = z
  .object({
    kind: z.literal('openai'),
    /** OpenAI-compatible base URL, including `/v1`. Default `https://api.openai.com/v1`. */
    baseURL: z.string().url().default('https://api.openai.com/v1'),
    /** Model; pin a dated snapshot so a run fingerprints what it tested. */
    model: z.string().min(1),
    /** System prompt prepended to a string `input` (and to messages without a system turn). */
    system: z.string().optional(),
    /** Sampling temperature. Default 0. */
    temperature: z.number().min(0).max(2).default(0),
    /** Completion token limit. Default 1,024. */
    maxTokens: z.number().int().positive().default(1_024),
    /** Request body key for the token limit (reasoning models need `max_completion_tokens`). Default `max_tokens`. */
    maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
    topP: z.number().min(0).max(1).optional(),
    /** Seed sent where the endpoint supports it. Default: none. */
    seed: z.number().int().optional(),
    /** Other body parameters sent as-is (e.g. `response_format`, `stop`). Default none. */
    extraBody: z.record(z.string(), z.unknown()).optional(),
    /** Environment variable with the API key. Default `OPENAI_API_KEY`. */
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    /** Prices for the `cost` assertion when the endpoint reports token usage. Default: no cost. */
    pricing: pricingSchema.optional(),
    ...pacing,
  })
  .strict();

/** The team's own HTTP service: tests the whole pipeline, not only the model. */
export const httpTargetSchema = z
  .object({
    kind: z.literal('http'),
    url: z.string().url(),
    /** HTTP method. Default `POST`. */
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).default('POST'),
    /** Request headers; a value `env:NAME` is read from the environment at run time. */
    headers: z.record(z.string(), z.string()).default({}),
    /**
     * Body template: a string or a JSON value whose strings may hold `{{input}}`, `{{vars.x}}` or
     * `{{x}}` (a case var). Default `{ "input": "{{input}}" }`.
     */
    body: z.unknown().default({ input: '{{input}}' }),
    /** JSONPath to the answer in the JSON response (`$.answer`, `$.choices[0].message.content`). Default `$` (the whole body as text). */
    answerPath: z.string().min(1).default('$'),
    /** Optional JSONPaths to token usage and cost in the response. */
    usagePaths: z
      .object({ input: z.string().optional(), output: z.string().optional(), costUsd: z.string().optional() })
      .strict()
      .optional(),
    ...pacing,
  })
  .strict();

export const goldenTargetSchema = z.discriminatedUnion('kind', [openaiTargetSchema, httpTargetSchema]);

const embeddingsSchema = z
  .object({
    /** OpenAI-compatible base URL of `/embeddings`. Default `https://api.openai.com/v1`. */
    baseURL: z.string().url().default('https://api.openai.com/v1'),
    /** Embedding model. Default `text-embedding-3-small`. */
    model: z.string().min(1).default('text-embedding-3-small'),
    /** Environment variable with the API key. Default `OPENAI_API_KEY`. */
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    /** Per-request timeout in ms. Default 30,000. */
    timeoutMs: z.number().int().positive().default(30_000),
    /** Attempts per call for 429, 5xx, timeouts. Default 3. */
    maxAttempts: z.number().int().min(1).max(20).default(3),
  })
  .strict();

const verdictSchema = z
  .object({
    /** Significance level of the paired tests (McNemar, bootstrap). Default 0.05. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** Paired bootstrap resamples. Default 2,000. */
    bootstrapResamples: z.number().int().min(100).default(2_000),
    /** Seed of the bootstrap, so a verdict is reproducible. Default 7. */
    seed: z.number().int().default(7),
    /**
     * The pass-rate drop (a fraction) a suite must be able to detect before it may say
     * `no-change`; a suite too small for that says `inconclusive` (see README "Verdicts"). Default 0.1.
     */
    minDetectableDrop: z.number().gt(0).lt(1).default(0.1),
    /** Fewer cases measured in both runs than this is `inconclusive`. Default 10. */
    minPairedCases: z.number().int().min(1).default(10),
  })
  .strict();

export const goldenConfigSchema = z
  .object({
    /** Folder of suites, relative to the config file. Default `golden`. */
    suitesDir: z.string().min(1).default('golden'),
    /** Targets by name. Default none (suites with recorded outputs only). */
    targets: z.record(z.string(), goldenTargetSchema).default({}),
    /** Target of suites that do not pin one. Default: the only target when there is one. */
    defaultTarget: z.string().optional(),
    embeddings: embeddingsSchema.default(embeddingsSchema.parse({})),
    /** Re-runs of each flipped case to tell `confirmed` from `flaky` and `infra`. Default 2. */
    confirmRetries: z.number().int().min(0).max(10).default(2),
    verdict: verdictSchema.default(verdictSchema.parse({})),
    /** Suites (by name) the scheduled golden runs (and `evalwatch run golden`) run. Default: every suite. */
    schedule: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.defaultTarget !== undefined && !(cfg.defaultTarget in cfg.targets)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultTarget'],
        message: `unknown target "${cfg.defaultTarget}" (targets: ${Object.keys(cfg.targets).join(', ') || 'none'})`,
      });
    }
  });

/** What a user writes under `golden:`. */
export type GoldenConfigInput = z.input<typeof goldenConfigSchema>;
/** The validated golden options with every default filled in. */
export type GoldenConfig = z.output<typeof goldenConfigSchema>;
export type GoldenTargetConfig = z.output<typeof goldenTargetSchema>;
export type OpenAITargetConfig = z.output<typeof openaiTargetSchema>;
export type HttpTargetConfig = z.output<typeof httpTargetSchema>;
export type GoldenEmbeddingsConfig = z.output<typeof embeddingsSchema>;

/**
 * The golden options with every default, for callers that have no `config.golden` yet.
 *
 * @example
 * const cfg = defaultGoldenConfig({ suitesDir: 'test/golden' });
 */
export function defaultGoldenConfig(input: GoldenConfigInput = {}): GoldenConfig {
  return goldenConfigSchema.parse(input);
}

/**
 * The target a suite runs against: its pinned `target`, else `defaultTarget`, else the only
 * configured target. `undefined` when none applies (recorded outputs only).
 *
 * @example
 * targetNameFor(cfg, suite.target); // 'prod-gpt4o'
 */
export function targetNameFor(cfg: Pick<GoldenConfig, 'targets' | 'defaultTarget'>, pinned?: string): string | undefined {
  if (pinned !== undefined) return pinned;
  if (cfg.defaultTarget !== undefined) return cfg.defaultTarget;
  const names = Object.keys(cfg.targets);
  return names.length === 1 ? names[0] : undefined;
}

/**
 * Resolves a header value: `env:NAME` reads the environment (a missing variable is an error,
 * never an empty header), anything else is literal.
 *
 * @example
 * resolveEnvRef('env:SERVICE_TOKEN', process.env); // the token
 */
export function resolveEnvRef(value: string, env: Record<string, string | undefined>): string {
  if (!value.startsWith('env:')) return value;
  const name = value.slice(4);
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set (referenced as "${value}")`);
  return v;
}
