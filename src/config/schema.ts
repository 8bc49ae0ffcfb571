import { z } from 'zod';
import { DURATION_PATTERN } from './duration.ts';
import { alertsConfigSchema } from '../alerts/config.ts';
import { judgeConfigSchema } from '../judge/config.ts';
import { goldenConfigSchema } from '../golden/config.ts';
import { costConfigSchema } from '../slo/cost-config.ts';
import { pricingConfigSchema } from '../slo/pricing-config.ts';
import { slosConfigSchema } from '../slo/slo-config.ts';
// Only the name list: the registry loads the pipelines themselves lazily, so this pulls in nothing heavy.
import { pipelineNames } from '../pipeline/registry.ts';

/**
 * The zod schema of `worker.config.ts`. Every key has a default where a sensible one exists so
 * that `defineConfig({})` is a working embedded configuration: a local folder of captures, a local
 * folder results store, console alerts, no cloud account and no API key.
 *
 * Secrets (API keys, tokens, `REDIS_URL`) are never part of this schema: they come from the
 * environment only (see `env.ts`), so a config file can be committed and logged safely.
 */

/** A duration such as `90s`, `15m`, `1h`, `24h`, `7d`, `4w`. */
export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, 'a duration such as "15m", "1h", "24h" or "7d"');

const fsSourceSchema = z
  .object({
    kind: z.literal('fs'),
    /** Folder that holds the captures. Relative paths resolve against the config file. */
    path: z.string().min(1),
  })
  .strict();

const s3Schema = {
  bucket: z.string().min(1),
  /** Key prefix inside the bucket, without a leading slash. Default: none. */
  prefix: z.string().default(''),
  /** AWS region. Default: `AWS_REGION` from the environment, else `us-east-1`. */
  region: z.string().optional(),
  /** Custom endpoint for S3-compatible stores (MinIO, R2, a local test server). */
  endpoint: z.string().url().optional(),
  /** Path-style addressing, needed by most S3-compatible stores. Default: false. */
  forcePathStyle: z.boolean().default(false),
};

const s3SourceSchema = z.object({ kind: z.literal('s3'), ...s3Schema }).strict();

export const captureSourceSchema = z.discriminatedUnion('kind', [fsSourceSchema, s3SourceSchema]);

export const storeSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('fs'),
      /** Folder of the results store. Default `.evalwatch/results` next to the config. */
      path: z.string().min(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('s3'),
      ...s3Schema,
      /** Server-side encryption for every object written. Default: the bucket's own setting. */
      serverSideEncryption: z.enum(['AES256', 'aws:kms', 'aws:kms:dsse']).optional(),
      /** KMS key id when `serverSideEncryption` is a KMS mode. */
      sseKmsKeyId: z.string().optional(),
    })
    .strict(),
]);

export const capturesSchema = z
  .object({
    /** Where the captures are read from. Default: the `captures/` folder next to the config. */
    source: captureSourceSchema.default({ kind: 'fs', path: 'captures' }),
    /**
     * Partition layout of object keys below the source root. `hive` is
     * `dt=YYYY-MM-DD/hour=HH/`, `firehose` is `YYYY/MM/DD/HH/`. A custom template may use the
     * tokens `{YYYY}`, `{MM}`, `{DD}`, `{HH}`. Default: `hive`.
     */
    keyTemplate: z.string().default('hive'),
    /**
     * Renames a producer's fields to ours, `{ "their.name": "our_name" }`. Dotted names match a
     * literal key first (OpenTelemetry attributes are flat: `"gen_ai.usage.input_tokens"`), then
     * a nested path. Default: the OpenTelemetry GenAI names (see `DEFAULT_FIELD_MAP`).
     */
    fieldMap: z.record(z.string(), z.string()).default({}),
    /** A line longer than this is quarantined as `line_too_long`. Default 8 MiB. */
    maxLineBytes: z.number().int().positive().default(8 * 1024 * 1024),
    /** Clock skew allowed when a record's timestamp falls outside its partition hour. Default 1h. */
    partitionSlack: durationSchema.default('1h'),
  })
  .strict();

export const redisSchema = z
  .object({
    /** Prefix of every BullMQ key. Default `evalwatch`. */
    prefix: z.string().regex(/^[^:]+$/, 'a prefix without ":"').default('evalwatch'),
  })
  .strict();

const ms = z.number().int().min(0);
/**
 * Queue tuning (`src/queue/options.ts` documents each option and its default). Every key is
 * optional; the production defaults apply to what is left out.
 */
export const queueSchema = z
  .object({
    /** Unit jobs one worker process runs at once. Default 4. */
    concurrency: z.number().int().min(1).optional(),
    /** Plan/finalize jobs one process runs at once. Default 2. */
    runConcurrency: z.number().int().min(1).optional(),
    /** Attempts per job, the first included. Default 3. */
    attempts: z.number().int().min(1).optional(),
    /** First retry delay (ms), doubling. Default 2000. */
    backoffMs: ms.optional(),
    /** Job lock (ms) before another worker may treat the job as stalled. Default 30000. */
    lockDurationMs: ms.optional(),
    /** How often stalled jobs are looked for (ms). Default 30000. */
    stalledIntervalMs: ms.optional(),
    /** Stalls (crashed workers) a job survives before it fails. Default 2. */
    maxStalledCount: z.number().int().min(0).optional(),
    /** Completed jobs kept: max age (s) and count per queue. Defaults 86400 and 1000. */
    keepCompletedAgeSec: z.number().int().min(0).optional(),
    keepCompletedCount: z.number().int().min(0).optional(),
    /** Failed jobs kept: max age (s) and count per queue. Defaults 604800 and 5000. */
    keepFailedAgeSec: z.number().int().min(0).optional(),
    keepFailedCount: z.number().int().min(0).optional(),
    /** Graceful-shutdown deadline (ms) before in-flight jobs are handed back. Default 25000. */
    shutdownDeadlineMs: ms.optional(),
    /** Liveness: idle with waiting jobs for this long (ms) means stuck. Default 60000. */
    livenessIdleMs: ms.optional(),
    /** Liveness: one job running longer than this (ms) means stuck. Default 3600000. */
    livenessMaxJobMs: ms.optional(),
    /** Unit results larger than this (bytes) go to the results store, not Redis. Default 262144. */
    partialInlineMaxBytes: z.number().int().min(1024).optional(),
    /** Units a run may have before merge jobs of ⌈√units⌉ units each merge it in two levels. Default 16. */
    maxFanIn: z.number().int().min(2).optional(),
  })
  .strict();

export const scheduleSchema = z
  .object({
    /** Pipeline run on this schedule. */
    pipeline: z.enum(pipelineNames),
    /** Cron pattern (5 or 6 fields). */
    cron: z.string().min(1),
    /** IANA time zone the cron is read in, e.g. `Europe/Berlin`. Required: no implicit UTC. */
    tz: z.string().min(1).refine(isIanaZone, 'an IANA time zone such as "UTC" or "Europe/Berlin"'),
    /** Window each run covers, ending at the scheduled time. */
    window: durationSchema,
  })
  .strict();

export const httpSchema = z
  .object({
    /** Interface to bind. Default 127.0.0.1: metrics and the dashboard are not public. */
    host: z.string().default('127.0.0.1'),
    /** Port of /healthz /readyz /metrics. Default 9464. */
    port: z.number().int().min(0).max(65535).default(9464),
  })
  .strict();

export const routeSchema = z
  .object({
    /** The route emits JSON: a response that does not parse counts toward `json_parse_fail`. */
    json: z.boolean().default(false),
    /** Free-text description shown in reports. */
    description: z.string().optional(),
  })
  .strict();

/**
 * Drift configuration. Kept permissive at the top level for the drift module to refine; the
 * defaults are documented in the README ("Drift defaults").
 */
export const driftSchema = z
  .object({
    /** Family-wise FDR level for Benjamini-Hochberg across every test in a run. Default 0.01. */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /** Baseline window that the current window is compared with. Default 7d, ending at the window start. */
    baseline: durationSchema.default('7d'),
    /** Minimum KS D for a numeric finding. Default 0.1. */
    minKsD: z.number().min(0).max(1).default(0.1),
    /** Minimum normalized Wasserstein distance for a numeric finding. Default 0.1. */
    minWasserstein: z.number().min(0).default(0.1),
    /** Minimum absolute change of a rate for a flag finding, in points. Default 0.01 (1 point). */
    minRateChange: z.number().min(0).max(1).default(0.01),
    /** Minimum relative change of a rate for a flag finding. Default 0.25 (+/-25%). */
    minRelativeRateChange: z.number().min(0).default(0.25),
    /** Minimum Jensen-Shannon distance for a categorical finding. Default 0.1. */
    minJsDistance: z.number().min(0).max(1).default(0.1),
    /** Sigma windows: z above which a point is anomalous. Default 4. */
    sigma: z.number().positive().default(4),
    /** Sigma windows: weeks of same hour-of-week history used for the seasonal baseline. Default 4. */
    seasonalWeeks: z.number().int().min(1).max(12).default(4),
    /** Hysteresis: fire after k of the last m windows breach (large effects fire at once). */
    fireAfter: z.object({ k: z.number().int().min(1), m: z.number().int().min(1) }).strict().default({ k: 2, m: 3 }),
    /** Hysteresis: resolve after this many clean windows in a row. Default 3. */
    resolveAfter: z.number().int().min(1).default(3),
    /** Reservoir size per route, feature and hour. Default 512. */
    reservoirSize: z.number().int().min(16).max(100_000).default(512),
    /** Refusal patterns (case-insensitive regular expressions); replaces the defaults when set. */
    refusalPatterns: z.array(z.string()).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** Free-form name shown in alerts and reports. Default `evalwatch`. */
    name: z.string().default('evalwatch'),
    captures: capturesSchema.default(capturesSchema.parse({})),
    /** Results store. Default: `.evalwatch/results` next to the config file. */
    store: storeSchema.default({ kind: 'fs', path: '.evalwatch/results' }),
    routes: z.record(z.string(), routeSchema).default({}),
    redis: redisSchema.default(redisSchema.parse({})),
    schedules: z.record(z.string(), scheduleSchema).default({}),
    queue: queueSchema.default({}),
    http: httpSchema.default(httpSchema.parse({})),
    drift: driftSchema.default(driftSchema.parse({})),
    /** Incidents, Slack delivery, silences, links, redaction (see `src/alerts/config.ts`). */
    alerts: alertsConfigSchema.default(alertsConfigSchema.parse({})),
    /** The LLM-as-judge: endpoint, model snapshot, limits, budget, rubrics (see `src/judge/config.ts`). */
    judge: judgeConfigSchema.default(judgeConfigSchema.parse({})),
    /** Golden suites: suites folder, targets, embeddings, confirm retries, schedule (see `src/golden/config.ts`). */
    golden: goldenConfigSchema.default(goldenConfigSchema.parse({})),
    /** Model prices with effective dates, for records without `cost_usd` (see `src/slo/README.md`). */
    pricing: pricingConfigSchema.default(pricingConfigSchema.parse({})),
    /** Cost attribution and cost-anomaly findings (see `src/slo/README.md`). */
    cost: costConfigSchema.default(costConfigSchema.parse({})),
    /** Service-level objectives with error budgets and burn-rate alerts (see `src/slo/README.md`). */
    slos: slosConfigSchema.default([]),
  })
  .strict();

/** What a user writes in `worker.config.ts`: every key optional where it has a default. */
export type EvalwatchConfigInput = z.input<typeof configSchema>;
/** The validated configuration with every default filled in. */
export type EvalwatchConfig = z.output<typeof configSchema>;

function isIanaZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
