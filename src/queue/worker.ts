import { FlowProducer, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions as RedisClientOptions } from 'ioredis';
import type { EvalwatchConfig } from '../config/schema.ts';
import type { EvalwatchMetrics } from '../http/metrics.ts';
import { availablePipelines, getPipeline } from '../pipeline/registry.ts';
import type { Pipeline, PipelineContext } from '../pipeline/types.ts';
import type { PipelineName, RunReport } from '../report/types.ts';
import { LivenessTracker, type LivenessResult } from './liveness.ts';
import { JOB, QUEUE_NAMES, RUNS_QUEUE, UNITS_QUEUE, type QueueName } from './names.ts';
import { resolveQueueOptions, type QueueLayerOptions } from './options.ts';
import { finalizeRun, planRun, processMergeJob, processUnitJob, type ProcessorDeps } from './processors.ts';
import { prepareRunJob } from './prepare.ts';
import { ProgressStore } from './progress.ts';
import { workerConnection } from './redis.ts';
import { reconcileSchedules, type ReconcileResult } from './schedules.ts';
import { JobSignals } from './job-signals.ts';
import { handBackOnDeadline, type ShutdownResult } from './shutdown.ts';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** The pipeline context (config, source, store, clock, logger). */
  readonly ctx: PipelineContext;
  /** `REDIS_URL`. Never logged with its password. */
  readonly redisUrl: string;
  /** BullMQ key prefix. Default `ctx.config.redis.prefix`. */
  readonly prefix?: string;
  /** Schedules to reconcile at start. Default `ctx.config.schedules`. */
  readonly schedules?: EvalwatchConfig['schedules'];
  /** Reconcile the schedules at start. Default true. */
  readonly reconcile?: boolean;
  /** Pipeline lookup. Default the registry's `getPipeline`. */
  readonly resolvePipeline?: (name: PipelineName) => Promise<Pipeline>;
  /** Queue tuning; see {@link QueueLayerOptions}. Default: the production defaults. */
  readonly options?: Partial<QueueLayerOptions>;
  /** Metrics to record into. Default: none. */
  readonly metrics?: EvalwatchMetrics;
  /** Name stored on the jobs this worker processes, for the dashboard. Default `evalwatch-<pid>`. */
  readonly name?: string;
  /**
   * Load every pipeline before taking jobs, so module loading is paid at start and not inside the
   * first run's serial plan step. A pipeline that fails to load is logged; its jobs fail with
   * the error. Default true.
   */
  readonly preloadPipelines?: boolean;
}

/** A running queue worker. */
export interface QueueWorker {
  readonly options: QueueLayerOptions;
  readonly prefix: string;
  readonly queues: Readonly<Record<QueueName, Queue>>;
  /** What schedule reconciliation did at start (empty when `reconcile` was false). */
  readonly schedules: ReconcileResult;
  /** Liveness: fails when the worker is connected but no longer consuming. */
  live(): Promise<LivenessResult>;
  /** Readiness: Redis answers and shutdown has not started. */
  ready(): Promise<LivenessResult>;
  /** Job counts per queue and state, for metrics and the dashboard. */
  queueCounts(): Promise<Record<string, Record<string, number>>>;
  /** Jobs this process is running right now. */
  inflight(): number;
  /**
   * Graceful stop: take no new jobs, let in-flight jobs finish within `shutdownDeadlineMs`, else
   * hand them back to the queue (moved to wait, processors aborted), then close every connection.
   * Idempotent.
   */
  close(): Promise<ShutdownResult>;
}

const COUNT_STATES = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/**
 * Starts the BullMQ workers of every pipeline job type (plan, unit, finalize) and reconciles the
 * job schedulers. The processors are thin: they check the payload contract and call the same run
 * functions as the inline runner.
 *
 * @example
 * const worker = await startQueueWorker({ ctx, redisUrl: readEnv().redisUrl });
 * process.once('SIGTERM', () => worker.close().then(() => process.exit(0)));
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const options = resolveQueueOptions(o.options);
  const prefix = o.prefix ?? o.ctx.config.redis.prefix;
  const connection = workerConnection(o.redisUrl);
  const logger = o.ctx.logger;
  const name = o.name ?? `evalwatch-${process.pid}`;

  const queues = {
    [RUNS_QUEUE]: new Queue(RUNS_QUEUE, { connection, prefix }),
    [UNITS_QUEUE]: new Queue(UNITS_QUEUE, { connection, prefix }),
  } as Record<QueueName, Queue>;
  const flow = new FlowProducer({ connection, prefix });
  const { url, ...redisOpts } = connection;
  const progressRedis = new Redis(url, redisOpts as RedisClientOptions);
  const onRedisError = (err: Error) => logger.warn({ err: err.message }, 'redis connection error (retrying)');
  for (const q of Object.values(queues)) q.on('error', onRedisError);
  flow.on('error', onRedisError);
  progressRedis.on('error', onRedisError);

  // Abort signals per unit job, made only when the pipeline reads ctx.signal (see JobSignals).
  const signals = new JobSignals();
  const durations = durationRecorder(o.metrics);
  const deps: ProcessorDeps = {
    ctx: o.ctx,
    ...memoizePipelines(o.resolvePipeline ?? getPipeline),
    flow,
    runsQueue: queues[RUNS_QUEUE],
    progress: new ProgressStore(progressRedis, prefix, options.progressTtlSec),
    options,
    onReport: (r: RunReport) => recordReport(o.metrics, r),
  };

  if (o.preloadPipelines ?? true) {
    await Promise.all(
      availablePipelines().map((name) => deps.resolvePipeline(name).catch((err: Error) => logger.warn({ pipeline: name, err: err.message }, 'pipeline failed to load'))),
    );
  }

  let schedules: ReconcileResult = { upserted: [], removed: [] };
  if (o.reconcile ?? true) {
    schedules = await reconcileSchedules(queues[RUNS_QUEUE], o.schedules ?? o.ctx.config.schedules, options);
    logger.info(schedules, 'schedules reconciled');
  }

  const live = new LivenessTracker({
    now: o.ctx.now,
    lanes: { [RUNS_QUEUE]: options.runConcurrency, [UNITS_QUEUE]: options.concurrency },
    idleMs: options.livenessIdleMs,
    maxJobMs: options.livenessMaxJobMs,
  });
  const inflight = new Map<string, { job: Job; token: string | undefined }>();
  const emptied = new Set<() => void>();

  const wrap =
    (queue: QueueName, fn: (job: Job) => Promise<unknown>) =>
    // Two parameters on purpose: with a third, BullMQ allocates an AbortController per job.
    async (job: Job, token?: string): Promise<unknown> => {
      const id = `${queue}/${job.id}`;
      inflight.set(id, { job, token });
      live.started(queue, id);
      const t0 = performance.now();
      let outcome: 'completed' | 'failed' = 'failed';
      try {
        const r = await fn(job);
        outcome = 'completed';
        return r;
      } finally {
        durations?.(queue, job.name, outcome, (performance.now() - t0) / 1000);
        inflight.delete(id);
        live.finished(queue, id);
        if (inflight.size === 0) for (const f of emptied) f();
      }
    };

  const common = {
    connection,
    prefix,
    name,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
    autorun: false,
  };
  const runsWorker = new Worker(
    RUNS_QUEUE,
    wrap(RUNS_QUEUE, (job) => {
      if (job.name === JOB.plan) return planRun(deps, job);
      if (job.name === JOB.merge) return processMergeJob(deps, job);
      if (job.name === JOB.prepare) return prepareRunJob(deps, job);
      if (job.name === JOB.finalize) return finalizeRun(deps, job);
      throw new UnrecoverableError(`unknown job name "${job.name}" on queue ${RUNS_QUEUE}`);
    }),
    { ...common, concurrency: options.runConcurrency },
  );
  const unitsWorker = new Worker(
    UNITS_QUEUE,
    wrap(UNITS_QUEUE, async (job) => {
      const jc = signals.context(o.ctx);
      try {
        return await processUnitJob(deps, job, jc.ctx);
      } finally {
        jc.release();
      }
    }),
    { ...common, concurrency: options.concurrency },
  );
  // Progress display of two-level runs counts failed units from here (their parent is a merge job).
  unitsWorker.on('failed', (job, err) => {
    if (!job || !(err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1))) return;
    const d = job.data as { run?: { runId?: unknown }; unit?: { id?: unknown } };
    if (typeof d.run?.runId === 'string' && typeof d.unit?.id === 'string') void deps.progress.fail(d.run.runId, d.unit.id)?.catch(() => {});
  });
  const workers = [runsWorker, unitsWorker];
  for (const w of workers) {
    w.on('error', (err) => logger.warn({ queue: w.name, err: err.message }, 'worker error'));
    w.on('failed', (job, err) =>
      logger.warn({ queue: w.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'job attempt failed'),
    );
    w.on('stalled', (jobId) => logger.warn({ queue: w.name, jobId }, 'stalled job moved back to wait'));
    void w.run().catch((err: Error) => logger.error({ queue: w.name, err: err.message }, 'worker loop stopped'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  const queueCounts = async () => {
    const out: Record<string, Record<string, number>> = {};
    for (const q of QUEUE_NAMES) out[q] = await queues[q].getJobCounts(...COUNT_STATES);
    return out;
  };
  o.metrics?.setQueueCountsSource(queueCounts);

  let closing: Promise<ShutdownResult> | null = null;
  const worker: QueueWorker = {
    options,
    prefix,
    queues,
    schedules,
    inflight: () => inflight.size,
    queueCounts,
    async live() {
      const waiting: Record<string, number | undefined> = {};
      for (const q of QUEUE_NAMES) {
        waiting[q] = await withTimeout(queues[q].getJobCounts('wait', 'prioritized'), 2_000)
          .then((c) => (c.wait ?? 0) + (c.prioritized ?? 0))
          .catch(() => undefined);
      }
      if (closing) return { ok: true };
      return live.assess(waiting);
    },
    async ready() {
      if (closing) return { ok: false, reason: 'shutting down' };
      try {
        await withTimeout(progressRedis.ping(), 2_000);
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: `redis: ${(err as Error).message}` };
      }
    },
    close() {
      closing ??= (async () => {
        logger.info({ inflight: inflight.size, deadlineMs: options.shutdownDeadlineMs }, 'shutting down: no new jobs');
        o.metrics?.setQueueCountsSource(null);
        const result = await handBackOnDeadline({
          workers,
          inflight,
          onEmpty: (f) => emptied.add(f),
          abort: (reason) => signals.abortAll(reason),
          deadlineMs: options.shutdownDeadlineMs,
          logger,
        });
        await deps.progress.flush().catch(() => {});
        await Promise.allSettled([flow.close(), ...Object.values(queues).map((q) => q.close())]);
        progressRedis.disconnect();
        logger.info(result, 'worker stopped');
        return result;
      })();
      return closing;
    },
  };
  return worker;
}

/**
 * Resolves each pipeline once per worker instead of once per job: the unit processor looks its
 * pipeline up on every job. A failed lookup is not kept, so the next job tries again.
 */
function memoizePipelines(resolve: (name: PipelineName) => Promise<Pipeline>): Pick<ProcessorDeps, 'resolvePipeline' | 'loadedPipeline'> {
  const cache = new Map<PipelineName, Promise<Pipeline>>();
  const loaded = new Map<PipelineName, Pipeline>();
  return {
    resolvePipeline(name) {
      let p = cache.get(name);
      if (!p) {
        p = resolve(name);
        cache.set(name, p);
        p.then((pipeline) => loaded.set(name, pipeline)).catch(() => cache.delete(name));
      }
      return p;
    },
    loadedPipeline: (name) => loaded.get(name),
  };
}

/**
 * Records job durations through label-bound histogram children, cached per (queue, name,
 * outcome): prom-client would otherwise hash the label set on every observation.
 */
function durationRecorder(metrics: EvalwatchMetrics | undefined) {
  if (!metrics) return null;
  const children = new Map<string, ReturnType<EvalwatchMetrics['jobDuration']['labels']>>();
  return (queue: string, name: string, outcome: string, seconds: number) => {
    const key = `${queue}\0${name}\0${outcome}`;
    let child = children.get(key);
    if (!child) children.set(key, (child = metrics.jobDuration.labels({ queue, name, outcome })));
    child.observe(seconds);
  };
}

function recordReport(metrics: EvalwatchMetrics | undefined, report: RunReport): void {
  if (!metrics) return;
  metrics.runs.inc({ pipeline: report.pipeline, status: report.status });
  for (const f of report.findings) metrics.findings.inc({ kind: f.kind, severity: f.severity });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
