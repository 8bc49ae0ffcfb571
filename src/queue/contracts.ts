import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { pipelineNames } from '../pipeline/registry.ts';

/**
 * The zod contracts of every job payload and unit result. They are checked when a job is
 * enqueued (a bad payload never reaches Redis) and again in the processor (a payload written by
 * an older or newer release, or by hand, fails loudly instead of being half-understood).
 * `v` is the contract version: bump it on an incompatible change.
 */

const safeId = z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').max(200);
const epochMs = z.number().int().nonnegative();

export const pipelineNameSchema = z.enum(pipelineNames);

export const windowSchema = z
  .object({ start: epochMs, end: epochMs })
  .strict()
  .refine((w) => w.end > w.start, 'window end must be after its start');

export const runRequestSchema = z
  .object({
    runId: safeId,
    pipeline: pipelineNameSchema,
    window: windowSchema,
    requestedAt: epochMs,
  })
  .strict();

export const workUnitSchema = z
  .object({
    id: z.string().min(1).max(500),
    keys: z.array(z.string()),
    bytes: z.number().nonnegative().optional(),
  })
  .strict();

/** A plan job made by a job scheduler: the window ends at the scheduled time. */
const scheduledPlanSchema = z
  .object({
    v: z.literal(1),
    trigger: z.literal('schedule'),
    /** Config key of the schedule, for logs. */
    schedule: z.string().min(1),
    pipeline: pipelineNameSchema,
    windowMs: z.number().int().positive(),
  })
  .strict();

/** A plan job enqueued by `evalwatch run` (or an API call) with an explicit window. */
const manualPlanSchema = z
  .object({
    v: z.literal(1),
    trigger: z.literal('manual'),
    run: runRequestSchema,
  })
  .strict();

export const planJobSchema = z.discriminatedUnion('trigger', [scheduledPlanSchema, manualPlanSchema]);
export type PlanJobData = z.infer<typeof planJobSchema>;

export const unitJobSchema = z.object({ v: z.literal(1), run: runRequestSchema, unit: workUnitSchema }).strict();
export type UnitJobData = z.infer<typeof unitJobSchema>;

/** A merge job: merges the partials of one group of a two-level run (see `pipeline/fan-in.ts`). */
export const mergeJobSchema = z
  .object({
    v: z.literal(1),
    run: runRequestSchema,
    /** Index of the group in the plan (0-based). */
    group: z.number().int().nonnegative(),
    /** The group's units, in plan order. */
    units: z.array(workUnitSchema).min(1),
  })
  .strict();
export type MergeJobData = z.infer<typeof mergeJobSchema>;

/** A prepare job: a run's `Pipeline.prepare`, beside its units (see `queue/prepare.ts`). */
export const prepareJobSchema = z.object({ v: z.literal(1), run: runRequestSchema }).strict();
export type PrepareJobData = z.infer<typeof prepareJobSchema>;

/** What a prepare job returns: where its bytes are, for the finalize. */
export const prepareResultSchema = z
  .object({
    v: z.literal(1),
    /** Results-store key of the prepared bytes (scratch, removed with the run's partials). */
    preparedKey: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    /** Wall time of `prepare` and the write. */
    ms: z.number().nonnegative(),
  })
  .strict();
export type PrepareResult = z.infer<typeof prepareResultSchema>;

export const finalizeJobSchema = z
  .object({
    v: z.literal(1),
    run: runRequestSchema,
    planned: z.number().int().nonnegative(),
    /** Merge groups of a two-level run (its children are merge jobs); absent: one level. */
    groups: z.number().int().min(2).optional(),
    /** The flow has a prepare child (`Pipeline.prepare`) whose bytes the finalize reads. */
    prepared: z.literal(true).optional(),
  })
  .strict();
export type FinalizeJobData = z.infer<typeof finalizeJobSchema>;

/** What a unit job returns; the parent collects these. The partial is inline or in the store. */
export const unitResultSchema = z
  .object({
    v: z.literal(1),
    unitId: z.string().min(1),
    partial: z.unknown().optional(),
    /** Results-store key of the partial when it was too large for Redis. */
    partialKey: z.string().min(1).optional(),
    /** Records the unit read, for progress display. */
    records: z.number().nonnegative().optional(),
  })
  .strict()
  .refine((r) => (r.partialKey === undefined) !== (r.partial === undefined), 'exactly one of partial and partialKey');
export type UnitResult = z.infer<typeof unitResultSchema>;

const failedUnitSchema = z.object({ unitId: z.string().min(1), keys: z.array(z.string()), error: z.string() }).strict();

/** What a merge job returns: the group's merged partial (none when no unit completed) and accounting. */
export const mergeResultSchema = z
  .object({
    v: z.literal(1),
    group: z.number().int().nonnegative(),
    partial: z.unknown().optional(),
    /** Results-store key of the merged partial when it was too large for Redis. */
    partialKey: z.string().min(1).optional(),
    done: z.number().int().nonnegative(),
    failed: z.array(failedUnitSchema),
  })
  .strict()
  .refine((r) => r.done === 0 || (r.partialKey === undefined) !== (r.partial === undefined), 'a group with completed units has exactly one of partial and partialKey');
export type MergeResult = z.infer<typeof mergeResultSchema>;

/** What a finalize job returns. */
export const finalizeResultSchema = z
  .object({
    v: z.literal(1),
    runId: safeId,
    status: z.enum(['ok', 'degraded', 'unmeasurable', 'failed']),
    reportKey: z.string(),
    /** Wall time (ms) of the serial steps: collecting partials, merge, finalize, writing, cleanup. */
    timingsMs: z
      .object({
        collectMs: z.number().optional(),
        /** Waiting for the prepare job's bytes once the partials are collected (read alongside them; the job's own time is in its result). */
        preparedMs: z.number().optional(),
        mergeMs: z.number().optional(),
        finalizeMs: z.number().optional(),
        writeMs: z.number().optional(),
        onReportMs: z.number().optional(),
        cleanupMs: z.number().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type FinalizeResult = z.infer<typeof finalizeResultSchema>;

/**
 * A job payload does not match its contract. It extends BullMQ's `UnrecoverableError`, so the job
 * fails at once instead of being retried: a malformed payload does not heal.
 */
export class PayloadInvalidError extends UnrecoverableError {
  readonly code = 'JOB_PAYLOAD_INVALID';
  constructor(readonly what: string, readonly problems: string[]) {
    super(`${what}: invalid payload: ${problems.join('; ')}`);
    // BullMQ recognises unrecoverable errors by name as well as by class.
    this.name = 'UnrecoverableError';
  }
}

/**
 * Parses a payload against its contract, or throws a {@link PayloadInvalidError} naming every
 * offending key path.
 *
 * @example
 * const data = parsePayload(unitJobSchema, job.data, `units job ${job.id}`);
 */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`);
  throw new PayloadInvalidError(what, problems);
}
