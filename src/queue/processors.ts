import { FlowProducer, Job, type Queue } from 'bullmq';
import { fanInGroups, mergeGroup, type MergedGroup } from '../pipeline/fan-in.ts';
import { claimPlan, failedReport, finishRun, readReport, readRunRecord, recordsOf, writeReport, type RunRecord } from '../pipeline/run-core.ts';
import { runPartialKey, runPartialsPrefix, runReportKey } from '../pipeline/run-keys.ts';
import type { Pipeline, PipelineContext, RunRequest, WorkUnit } from '../pipeline/types.ts';
import type { PipelineName, RunReport } from '../report/types.ts';
import {
  finalizeJobSchema,
  mergeJobSchema,
  mergeResultSchema,
  parsePayload,
  planJobSchema,
  prepareJobSchema,
  unitJobSchema,
  unitResultSchema,
  type FinalizeJobData,
  type FinalizeResult,
  type MergeJobData,
  type MergeResult,
  type PrepareJobData,
  type UnitJobData,
  type UnitResult,
} from './contracts.ts';
import { retryingJob } from './job-options.ts';
import { finalizeJobId, JOB, jobIdOfKey, mergeJobId, prepareJobId, RUNS_QUEUE, runIdFor, UNITS_QUEUE, unitJobId } from './names.ts';
import { loadPrepared, splitPrepareValue } from './prepare.ts';
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
  /** A pipeline already resolved, without a promise (the unit hot path). Default: none. */
  readonly loadedPipeline?: (name: PipelineName) => Pipeline | undefined;
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

/** A job as the processors read it, as a small structural type. */
export type JobLike<D> = Pick<Job<D>, 'id' | 'data' | 'opts' | 'timestamp' | 'delay' | 'attemptsMade'>;

/**
 * Plans a run and adds its flow: one finalize parent (job id = run id) with one child per unit
 * (job id = run id + unit id), or, for a run that merges in two levels (`fanIn` in its record),
 * one merge child per group with the group's units as its children; and, for a pipeline with a
 * `prepare` step, a prepare child (`queue/prepare.ts`). Every child uses
 * `ignoreDependencyOnFailure`, so a unit, merge or prepare that exhausts its attempts is recorded
 * on its parent and the parent still runs: it never waits forever.
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
  const claim = await claimPlan(deps.ctx, pipeline, run, { maxFanIn: deps.options.maxFanIn });
  if (claim.state === 'finished') return { runId: run.runId, state: 'already_finished', units: claim.report.coverage.unitsPlanned };
  const units = claim.record.units;
  const parentId = finalizeJobId(run.runId);
  if (await Job.fromId(deps.runsQueue, parentId)) return { runId: run.runId, state: 'in_progress', units: units.length };
  const opts = retryingJob(deps.options);
  // The parent copies each child's return value when it completes, so completed children need
  // not be kept long; failed ones stay for inspection.
  const childOpts = (jobId: string) => ({ ...opts, jobId, ignoreDependencyOnFailure: true });
  const unitChild = (unit: WorkUnit) => ({
    name: JOB.unit,
    queueName: UNITS_QUEUE,
    data: parsePayload(unitJobSchema, { v: 1, run, unit } satisfies UnitJobData, `unit ${unit.id} of ${run.runId}`),
    opts: childOpts(unitJobId(run.runId, unit.id)),
  });
  const groups = fanInGroups(units, claim.record.fanIn);
  const children =
    groups.length === 1
      ? units.map(unitChild)
      : groups.map((group, index) => ({
          // On the runs queue: a merge that becomes ready runs at once, not behind every unit still waiting.
          name: JOB.merge,
          queueName: RUNS_QUEUE,
          data: parsePayload(mergeJobSchema, { v: 1, run, group: index, units: group } satisfies MergeJobData, `merge ${index} of ${run.runId}`),
          opts: childOpts(mergeJobId(run.runId, index)),
          children: group.map(unitChild),
        }));
  // The work of the finalize that needs no unit runs beside them (see queue/prepare.ts).
  const prepare = pipeline.prepare
    ? [{ name: JOB.prepare, queueName: RUNS_QUEUE, data: parsePayload(prepareJobSchema, { v: 1, run } satisfies PrepareJobData, `prepare of ${run.runId}`), opts: childOpts(prepareJobId(run.runId)) }]
    : [];
  const finalizeData: FinalizeJobData = parsePayload(
    finalizeJobSchema,
    { v: 1, run, planned: units.length, ...(groups.length > 1 ? { groups: groups.length } : {}), ...(prepare.length > 0 ? { prepared: true } : {}) },
    `finalize of ${run.runId}`,
  );
  await deps.flow.add({ name: JOB.finalize, queueName: RUNS_QUEUE, data: finalizeData, opts: { ...opts, jobId: parentId }, children: [...prepare, ...children] });
  deps.ctx.logger.info({ runId: run.runId, pipeline: run.pipeline, units: units.length, groups: groups.length, trigger: data.trigger }, 'run started');
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
  // No await but the unit's own when the pipeline is loaded and the partial small (the common case).
  const pipeline = deps.loadedPipeline?.(data.run.pipeline) ?? (await deps.resolvePipeline(data.run.pipeline));
  const partial = await pipeline.processUnit(ctx, data.run, data.unit);
  const records = recordsOf(partial);
  const stored = storePartial(deps, data.run, data.unit.id, partial);
  const result: UnitResult = { v: 1, unitId: data.unit.id, ...(stored instanceof Promise ? await stored : stored) };
  if (records !== undefined) result.records = records;
  const written = deps.progress.record(data.run.runId, data.unit.id, records ?? 0);
  if (written) await written;
  return result;
}

/** The parts of a job the merge and finalize processors read: its payload and its children's outcomes. */
type ParentJob = JobLike<unknown> & Pick<Job, 'getChildrenValues' | 'getIgnoredChildrenFailures'>;

/**
 * Merges one group of a two-level run: collects its units' partials and failures and merges them
 * in unit-id order ({@link mergeGroup}). Deterministic, so a retried or duplicated merge returns
 * the same partial.
 *
 * @example
 * worker = new Worker('runs', (job) => job.name === 'merge' ? processMergeJob(deps, job) : …)
 */
export async function processMergeJob(deps: ProcessorDeps, job: ParentJob): Promise<MergeResult> {
  const data = parsePayload(mergeJobSchema, job.data, `${RUNS_QUEUE} job ${job.id}`);
  const { run } = data;
  const pipeline = await deps.resolvePipeline(run.pipeline);
  const { partials, failures } = await unitOutcomes(deps, job, run, data.units, Object.values(await job.getChildrenValues()));
  const group = mergeGroup(pipeline, data.units, partials, failures);
  const stored = group.partial !== undefined ? await storePartial(deps, run, `~merge-${data.group}`, group.partial) : {};
  return { v: 1, group: data.group, ...stored, done: group.done, failed: group.failed };
}

/**
 * Collects the children's results and failures (units, or a two-level run's merge groups),
 * merges them, finalizes and writes `report.json`. Idempotent: a finalize that runs again after
 * its report was written returns that report's status. On its last attempt a finalize that throws
 * writes a `failed` report, so the run is never silently lost.
 *
 * @example
 * worker = new Worker('runs', (job) => finalizeRun(deps, job), …)
 */
export async function finalizeRun(deps: ProcessorDeps, job: ParentJob): Promise<FinalizeResult> {
  const data = parsePayload(finalizeJobSchema, job.data, `${RUNS_QUEUE} job ${job.id}`);
  const { run } = data;
  const existing = await readReport(deps.ctx, run);
  if (existing) return { v: 1, runId: run.runId, status: existing.status, reportKey: runReportKey(run) };
  try {
    const pipeline = await deps.resolvePipeline(run.pipeline);
    const record = await readRunRecord(deps.ctx, run);
    if (!record) throw new Error(`run record of ${run.runId} is missing from the results store (${deps.ctx.store.describe()})`);
    const t0 = performance.now();
    const { prepare, others } = splitPrepareValue(await job.getChildrenValues(), run.runId);
    // The prepared bytes (tens of MB for drift) are read while the partials are collected.
    const preparedRead = data.prepared ? loadPrepared(deps, run, prepare, () => prepareFailure(job, run)) : undefined;
    preparedRead?.catch(() => {});
    const groups = await groupOutcomes(deps, job, run, record, pipeline, others);
    const t1 = performance.now();
    const prepared = await preparedRead;
    // preparedMs: the wait for the bytes once the partials are in.
    const timings: FinalizeTimings = { collectMs: Math.round(t1 - t0), ...(data.prepared ? { preparedMs: Math.round(performance.now() - t1) } : {}) };
    const report = await finishRun(deps.ctx, pipeline, run, groups, { timings, ...(prepared ? { prepared } : {}) });
    deps.onReport?.(report);
    const t2 = performance.now();
    await deletePartials(deps, run);
    timings.cleanupMs = Math.round(performance.now() - t2);
    const failed = groups.reduce((t, g) => t + g.failed.length, 0);
    deps.ctx.logger.info({ runId: run.runId, status: report.status, failed, timingsMs: timings }, 'run finished');
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
 * The merge groups of a finished fan-out. One level: the units' outcomes, merged here. Two levels:
 * each merge job's result; a group whose merge job failed accounts all its units as failed with
 * the merge's error.
 */
async function groupOutcomes<P>(deps: ProcessorDeps, job: ParentJob, run: RunRequest, record: RunRecord, pipeline: Pipeline<P>, values: readonly unknown[]): Promise<MergedGroup<P>[]> {
  const planned = fanInGroups(record.units, record.fanIn);
  if (planned.length === 1) {
    const { partials, failures } = await unitOutcomes(deps, job, run, record.units, values);
    return [mergeGroup(pipeline, record.units, partials as Map<string, P>, failures)];
  }
  const results = values.map((raw) => parsePayload(mergeResultSchema, raw, `merge result of ${run.runId}`));
  const partials = await loadPartials(deps, results.map((r) => ({ id: String(r.group), partial: r.partial, partialKey: r.partialKey })));
  const byGroup = new Map(results.map((r) => [r.group, r]));
  const mergeErrors = await childFailures(job, new Map(planned.map((_, i) => [mergeJobId(run.runId, i), i])));
  return planned.map((units, index): MergedGroup<P> => {
    const r = byGroup.get(index);
    if (!r) {
      const error = `merge of group ${index} failed: ${mergeErrors.get(index) ?? 'no result was recorded for it'}`;
      return { done: 0, failed: units.map((u) => ({ unitId: u.id, keys: [...u.keys], error })) };
    }
    const partial = partials.get(String(index)) as P | undefined;
    return { ...(partial !== undefined ? { partial } : {}), done: r.done, failed: r.failed };
  });
}

/** The partials (by unit id) and final failures (by unit id) of a job's unit children (`values`: their results). */
async function unitOutcomes(deps: ProcessorDeps, job: ParentJob, run: RunRequest, units: readonly WorkUnit[], values: readonly unknown[]) {
  const results = values.map((raw) => parsePayload(unitResultSchema, raw, `unit result of ${run.runId}`));
  const partials = await loadPartials(deps, results.map((r) => ({ id: r.unitId, partial: r.partial, partialKey: r.partialKey })));
  const failures = await childFailures(job, new Map(units.map((u) => [unitJobId(run.runId, u.id), u.id])));
  for (const unitId of partials.keys()) failures.delete(unitId);
  return { partials, failures };
}

/**
 * The last error of each child that exhausted its attempts, by the caller's id for that child
 * (`ids`: job id → id).
 */
async function childFailures<K>(job: ParentJob, ids: ReadonlyMap<string, K>): Promise<Map<K, string>> {
  const out = new Map<K, string>();
  for (const [jobKey, reason] of Object.entries(await job.getIgnoredChildrenFailures())) {
    const id = ids.get(jobIdOfKey(jobKey));
    if (id !== undefined) out.set(id, reason);
  }
  return out;
}

/** The last error of a run's prepare job, when it exhausted its attempts. */
async function prepareFailure(job: ParentJob, run: RunRequest): Promise<string | undefined> {
  return (await childFailures(job, new Map([[prepareJobId(run.runId), 'prepare']]))).get('prepare');
}

/** A child's partial: inline, or a results-store key; neither when the child had none. */
interface PartialRef {
  readonly id: string;
  readonly partial?: unknown;
  readonly partialKey?: string | undefined;
}

/**
 * The children's partials by id. Partials kept in the results store are fetched 8 at a time
 * (their reads overlap the parsing of the ones already there); parsing stays in order.
 */
async function loadPartials(deps: ProcessorDeps, refs: readonly PartialRef[]): Promise<Map<string, unknown>> {
  const fetches: (Promise<Uint8Array | null> | null)[] = refs.map(() => null);
  let started = 0;
  const startUpTo = (end: number) => {
    for (; started < Math.min(end, refs.length); started++) {
      const key = refs[started]?.partialKey;
      if (!key) continue;
      const p = deps.ctx.store.get(key);
      // Awaited below, in order; until then a failed read must not count as unhandled.
      p.catch(() => {});
      fetches[started] = p;
    }
  };
  const partials = new Map<string, unknown>();
  for (let i = 0; i < refs.length; i++) {
    startUpTo(i + 8);
    const r = refs[i] as PartialRef;
    if (!r.partialKey) {
      if (r.partial !== undefined) partials.set(r.id, r.partial);
      continue;
    }
    const bytes = await fetches[i];
    fetches[i] = null;
    if (!bytes) throw new Error(`partial ${r.partialKey} is missing from the results store`);
    partials.set(r.id, parsePartial(r.partialKey, bytes));
  }
  return partials;
}

/**
 * A partial as a job result: inline, or in the results store (key returned) when its JSON is over
 * `partialInlineMaxBytes`, so big aggregates never bloat Redis. Inline needs no I/O, so it is
 * returned as it is, not as a promise (an await fewer per unit job).
 */
function storePartial(deps: ProcessorDeps, run: RunRequest, id: string, partial: unknown): { partial: unknown } | Promise<{ partialKey: string }> {
  const json = JSON.stringify(partial ?? null);
  return fitsInline(deps, json) ? { partial: partial ?? null } : putPartial(deps, run, id, json);
}

/** Whether a partial's JSON is at most `partialInlineMaxBytes` bytes. */
function fitsInline(deps: ProcessorDeps, json: string): boolean {
  const max = deps.options.partialInlineMaxBytes;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a short string needs no byte count.
  return json.length * 3 <= max || Buffer.byteLength(json) <= max;
}

/** Writes a partial's JSON to the results store and returns its key. */
async function putPartial(deps: ProcessorDeps, run: RunRequest, id: string, json: string): Promise<{ partialKey: string }> {
  const key = runPartialKey(run, id);
  // Scratch: a crash of the machine that loses it fails the run that reads it, loudly.
  await deps.ctx.store.put(key, json, { contentType: 'application/json', durable: false });
  return { partialKey: key };
}

const decoder = new TextDecoder();

/** A stored partial's JSON; an unreadable one (cut short by a crash: scratch writes skip fsync) names its key. */
function parsePartial(key: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new Error(`partial ${key} in the results store is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

async function deletePartials(deps: ProcessorDeps, run: RunRequest): Promise<void> {
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
