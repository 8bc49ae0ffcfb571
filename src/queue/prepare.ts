import { UnrecoverableError } from 'bullmq';
import { runPreparedKey } from '../pipeline/run-keys.ts';
import type { PipelineContext, RunRequest } from '../pipeline/types.ts';
import { parsePayload, prepareJobSchema, prepareResultSchema, type PrepareResult } from './contracts.ts';
import { jobIdOfKey, prepareJobId, RUNS_QUEUE } from './names.ts';
import type { JobLike, ProcessorDeps } from './processors.ts';

/**
 * A run's prepare job: `Pipeline.prepare` (drift: reading and reducing the baseline history) as a
 * child of the finalize, beside the units. On two processes it runs while the units do, instead
 * of inside the finalize, the one step of a run nothing else can overlap. Its bytes are scratch
 * in the results store; the finalize reads them, and any failure on the way (the job exhausted
 * its attempts, the bytes are gone, a release wrote another format) only means the finalize does
 * the same work itself.
 */

/**
 * Runs a prepare job and stores its bytes. `ctx` is the job's context (with its abort signal);
 * default `deps.ctx`.
 *
 * @example
 * worker = new Worker('runs', (job) => job.name === 'prepare' ? prepareRunJob(deps, job) : …)
 */
export async function prepareRunJob(deps: ProcessorDeps, job: JobLike<unknown>, ctx: PipelineContext = deps.ctx): Promise<PrepareResult> {
  const { run } = parsePayload(prepareJobSchema, job.data, `${RUNS_QUEUE} job ${job.id}`);
  const pipeline = await deps.resolvePipeline(run.pipeline);
  if (!pipeline.prepare) throw new UnrecoverableError(`pipeline ${run.pipeline} has no prepare step`);
  const t0 = performance.now();
  const bytes = await pipeline.prepare(ctx, run);
  const preparedKey = runPreparedKey(run);
  // Scratch, like partials: losing it costs the finalize the work, never a wrong report.
  await ctx.store.put(preparedKey, bytes, { contentType: 'application/octet-stream', durable: false });
  return { v: 1, preparedKey, bytes: bytes.byteLength, ms: Math.round(performance.now() - t0) };
}

/**
 * Splits a finalize job's children values (keyed as BullMQ keys child jobs) into its prepare
 * child's result and the others' (units or merge groups).
 *
 * @example
 * const { prepare, others } = splitPrepareValue(await job.getChildrenValues(), run.runId);
 */
export function splitPrepareValue(values: Record<string, unknown>, runId: string): { prepare?: unknown; others: unknown[] } {
  const id = prepareJobId(runId);
  const out: { prepare?: unknown; others: unknown[] } = { others: [] };
  for (const [key, value] of Object.entries(values)) {
    if (jobIdOfKey(key) === id) out.prepare = value;
    else out.others.push(value);
  }
  return out;
}

/**
 * The prepared bytes a finalize can use, or undefined, logged with the reason (the prepare job
 * failed: `failure`; its result does not match the contract; its bytes are gone).
 *
 * @example
 * const prepared = await loadPrepared(deps, run, prepareValue, failure);
 */
export async function loadPrepared(deps: ProcessorDeps, run: RunRequest, value: unknown, failure: () => Promise<string | undefined>): Promise<Uint8Array | undefined> {
  const log = (reason: string) => {
    deps.ctx.logger.warn({ runId: run.runId, reason }, 'no prepared bytes; the finalize does the prepare work itself');
    return undefined;
  };
  if (value === undefined) return log(`prepare job did not complete: ${(await failure()) ?? 'no result was recorded for it'}`);
  const parsed = prepareResultSchema.safeParse(value);
  if (!parsed.success) return log(`prepare result does not match its contract: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  try {
    const bytes = await deps.ctx.store.get(parsed.data.preparedKey);
    return bytes ?? log(`${parsed.data.preparedKey} is missing from the results store`);
  } catch (err) {
    // Doing the work here is cheaper than failing the finalize for a retry.
    return log(`reading ${parsed.data.preparedKey} failed: ${(err as Error).message}`);
  }
}
