import { FlowProducer, Job, type Queue } from 'bullmq';
import { claimPlan, failedReport, finishRun, readReport, readRunRecord, recordsOf, writeReport } from '../pipeline/run-core.ts';
import { runPartialKey, runPartialsPrefix, runReportKey } from '../pipeline/run-keys.ts';
import type { Pipeline, PipelineContext, RunRequest } from '../pipeline/types.ts';
import type { PipelineName, RunReport } from '../report/types.ts';
import {
  finalizeJobSchema,
  parsePayload,
  planJobSchema,
  unitJobSchema,
  unitResultSchema,
  type FinalizeJobData,
  type FinalizeResult,
  type UnitJobData,
  type UnitResult,
} from './contracts.ts';
import { retryingJob } from './job-options.ts';
import { finalizeJobId, JOB, RUNS_QUEUE, runIdFor, UNITS_QUEUE, unitJobId } from './names.ts';
import type { QueueLayerOptions } from './options.ts';
import type { ProgressStore } from './progress.ts';

/**
 * The queue processors: thin shells that check the payload contract and call the shared run
 * functions (`claimPlan`, `processUnit`, `finishRun`). Nothing here decides statistics.
 */

/** What the processors need; built once per worker process. */
export interface ProcessorDeps {
  readonly ctx: PipelineContext;
  readonly resolvePipeline: (name: PipelineName) => Promise<Pipeline>;
  readonly flow: FlowProducer;
  readonly runsQueue: Queue;
  readonly progress: ProgressStore;
  readonly options: QueueLayerOptions;
  /** Called once per report this process writes (metrics). */
  readonly onReport?: (report: RunReport) => void;
}

/** What a plan job returns. */
export interface PlanResult {
  readonly runId: string;
  /** `started`: the flow was added now; `in_progress`: it already existed; `already_finished`: the report exists. */
  readonly state: 'started' | 'in_progress' | 'already_finished';
  readonly units: number;
}

/** A finalize job whose payload passed its contract, as a small structural type. */
type JobLike<D> = Pick<Job<D>, 'id' | 'data' | 'opts' | 'timestamp' | 'delay' | 'attemptsMade'>;

/**
 * Plans a run and adds its flow: one finalize parent (job id = run id) with one child per unit
 * (job id = run id + unit id). Children use `ignoreDependencyOnFailure`, so a unit that exhausts
 * its attempts is recorded on the parent and the parent still runs: it never waits forever.
 *
 * @example
 * worker = new Worker('runs', (job) => planRun(deps, job), …)
 */
export async function planRun(deps: ProcessorDeps, job: JobLike<unknown>): Promise<PlanResult> {
  const data = parsePayload(planJobSchema, job.data, `${RUNS_QUEUE} job ${job.id}`);
  let run: RunRequest;
  if (data.trigger === 'manual') {
    run = data.run;
  } else {
    const end = scheduledTime(job);
    const window = { start: end - data.windowMs, end };
    run = { runId: runIdFor(data.pipeline, window), pipeline: data.pipeline, window, requestedAt: end };
  }
  const pipeline = await deps.resolvePipeline(run.pipeline);
  const claim = await claimPlan(deps.ctx, pipeline, run);
  if (claim.state === 'finished') return { runId: run.runId, state: 'already_finished', units: claim.report.coverage.unitsPlanned };
  const units = claim.record.units;
  const parentId = finalizeJobId(run.runId);
  if (await Job.fromId(deps.runsQueue, parentId)) return { runId: run.runId, state: 'in_progress', units: units.length };
  const opts = retryingJob(deps.options);
  const finalizeData: FinalizeJobData = parsePayload(finalizeJobSchema, { v: 1, run, planned: units.length }, `finalize of ${run.runId}`);
  await deps.flow.add({
    name: JOB.finalize,
    queueName: RUNS_QUEUE,
    data: finalizeData,
    opts: { ...opts, jobId: parentId },
    children: units.map((unit) => {
      const unitData: UnitJobData = parsePayload(unitJobSchema, { v: 1, run, unit }, `unit ${unit.id} of ${run.runId}`);
      return {
        name: JOB.unit,
        queueName: UNITS_QUEUE,
        data: unitData,
        // The parent copies each child's return value when it completes, so completed children
        // need not be kept long; failed ones stay for inspection.
        opts: { ...opts, jobId: unitJobId(run.runId, unit.id), ignoreDependencyOnFailure: true },
      };
    }),
  });
  deps.ctx.logger.info({ runId: run.runId, pipeline: run.pipeline, units: units.length, trigger: data.trigger }, 'run started');
  return { runId: run.runId, state: 'started', units: units.length };
}

/**
 * Processes one unit and returns its partial (inline, or a store key when it is large). `ctx` is
 * the job's context (with its abort signal); default `deps.ctx`.
 *
 * @example
 * worker = new Worker('units', (job) => processUnitJob(deps, job, signals.context(deps.ctx).ctx), …)
 */
export async function processUnitJob(deps: ProcessorDeps, job: JobLike<unknown>, ctx: PipelineContext = deps.ctx): Promise<UnitResult> {
  const data = parsePayload(unitJobSchema, job.data, `${UNITS_QUEUE} job ${job.id}`);
  const pipeline = await deps.resolvePipeline(data.run.pipeline);
  const partial = await pipeline.processUnit(ctx, data.run, data.unit);
  const records = recordsOf(partial);
  const json = JSON.stringify(partial ?? null);
  let result: UnitResult;
  if (Buffer.byteLength(json) > deps.options.partialInlineMaxBytes) {
    const key = runPartialKey(data.run, data.unit.id);
    await deps.ctx.store.put(key, json, { contentType: 'application/json' });
    result = { v: 1, unitId: data.unit.id, partialKey: key, ...(records !== undefined ? { records } : {}) };
  } else {
    result = { v: 1, unitId: data.unit.id, partial: partial ?? null, ...(records !== undefined ? { records } : {}) };
  }
  const written = deps.progress.record(data.run.runId, data.unit.id, records ?? 0);
  if (written) await written;
  return result;
}

/**
 * Collects the children's partials and failures, merges them in unit-id order, finalizes and
 * writes `report.json`. Idempotent: a finalize that runs again after its report was written
 * returns that report's status. On its last attempt a finalize that throws writes a `failed`
 * report, so the run is never silently lost.
 *
 * @example
 * worker = new Worker('runs', (job) => finalizeRun(deps, job), …)
 */
export async function finalizeRun(deps: ProcessorDeps, job: JobLike<unknown> & Pick<Job, 'getChildrenValues' | 'getIgnoredChildrenFailures'>): Promise<FinalizeResult> {
  const data = parsePayload(finalizeJobSchema, job.data, `${RUNS_QUEUE} job ${job.id}`);
  const { run } = data;
  const existing = await readReport(deps.ctx, run);
  if (existing) return { v: 1, runId: run.runId, status: existing.status, reportKey: runReportKey(run) };
  try {
    const pipeline = await deps.resolvePipeline(run.pipeline);
    const record = await readRunRecord(deps.ctx, run);
    if (!record) throw new Error(`run record of ${run.runId} is missing from the results store (${deps.ctx.store.describe()})`);
    const byJobId = new Map(record.units.map((u) => [unitJobId(run.runId, u.id), u.id]));
    const t0 = performance.now();
    const partials = await collectPartials(deps, run, Object.values(await job.getChildrenValues()));
    const failures = new Map<string, string>();
    for (const [jobKey, reason] of Object.entries(await job.getIgnoredChildrenFailures())) {
      const unitId = byJobId.get(jobKey.slice(jobKey.lastIndexOf(':') + 1));
      if (unitId !== undefined && !partials.has(unitId)) failures.set(unitId, reason);
    }
    const timings: FinalizeTimings = { collectMs: Math.round(performance.now() - t0) };
    const report = await finishRun(deps.ctx, pipeline, run, { units: record.units, partials, failures }, timings);
    deps.onReport?.(report);
    const t1 = performance.now();
    await deletePartials(deps, run, partials.size);
    timings.cleanupMs = Math.round(performance.now() - t1);
    deps.ctx.logger.info({ runId: run.runId, status: report.status, failed: failures.size, timingsMs: timings }, 'run finished');
    return { v: 1, runId: run.runId, status: report.status, reportKey: runReportKey(run), timingsMs: timings };
  } catch (err) {
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade + 1 >= attempts) {
      const report = failedReport(run, data.planned, err, deps.ctx.now());
      await writeReport(deps.ctx, run, report);
      deps.onReport?.(report);
    }
    throw err;
  }
}

type FinalizeTimings = NonNullable<FinalizeResult['timingsMs']>;

/**
 * The children's partials by unit id. Partials kept in the results store are fetched 8 at a time
 * (their reads overlap the parsing of the ones already there); parsing stays in unit order.
 */
async function collectPartials(deps: ProcessorDeps, run: RunRequest, values: unknown[]): Promise<Map<string, unknown>> {
  const results = values.map((raw) => parsePayload(unitResultSchema, raw, `unit result of ${run.runId}`));
  const fetches: (Promise<Uint8Array | null> | null)[] = results.map(() => null);
  let started = 0;
  const startUpTo = (end: number) => {
    for (; started < Math.min(end, results.length); started++) {
      const key = results[started]?.partialKey;
      if (!key) continue;
      const p = deps.ctx.store.get(key);
      // Awaited below, in order; until then a failed read must not count as unhandled.
      p.catch(() => {});
      fetches[started] = p;
    }
  };
  const partials = new Map<string, unknown>();
  for (let i = 0; i < results.length; i++) {
    startUpTo(i + 8);
    const r = results[i] as UnitResult;
    if (!r.partialKey) {
      partials.set(r.unitId, r.partial);
      continue;
    }
    const bytes = await fetches[i];
    fetches[i] = null;
    if (!bytes) throw new Error(`partial ${r.partialKey} is missing from the results store`);
    partials.set(r.unitId, JSON.parse(decoder.decode(bytes)));
  }
  return partials;
}

const decoder = new TextDecoder();

async function deletePartials(deps: ProcessorDeps, run: RunRequest, count: number): Promise<void> {
  if (count === 0) return;
  try {
    for await (const key of deps.ctx.store.list(runPartialsPrefix(run))) await deps.ctx.store.delete(key);
  } catch (err) {
    deps.ctx.logger.warn({ runId: run.runId, err: (err as Error).message }, 'could not delete large partials; harmless');
  }
}

/**
 * The time a scheduler meant a job for: BullMQ names scheduler jobs `repeat:<id>:<millis>`.
 * Falls back to the job's own timestamp plus delay.
 */
function scheduledTime(job: JobLike<unknown>): number {
  const fromId = Number(String(job.id ?? '').split(':').pop());
  if (Number.isSafeInteger(fromId) && fromId > 0) return fromId;
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number' && prev > 0) return prev;
  return job.timestamp + (job.delay ?? 0);
}
