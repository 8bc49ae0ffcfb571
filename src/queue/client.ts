import { Job, Queue } from 'bullmq';
import { Redis, type RedisOptions as RedisClientOptions } from 'ioredis';
import { readReport } from '../pipeline/run-core.ts';
import { runReportKey } from '../pipeline/run-keys.ts';
import type { RunRequest } from '../pipeline/types.ts';
import type { RunReport } from '../report/types.ts';
import type { ResultsStore } from '../store/types.ts';
import { parsePayload, planJobSchema, type PlanJobData } from './contracts.ts';
import { retryingJob } from './job-options.ts';
import { finalizeJobId, JOB, planJobId, RUNS_QUEUE } from './names.ts';
import { resolveQueueOptions, type QueueLayerOptions } from './options.ts';
import { ProgressStore } from './progress.ts';
import { assertRedisReachable, producerConnection } from './redis.ts';

/** The run could not complete: its plan job failed after all attempts. */
export class RunFailedError extends Error {
  readonly code = 'RUN_FAILED';
  constructor(readonly runId: string, reason: string) {
    super(`run ${runId} failed before it could report: ${reason}`);
    this.name = 'RunFailedError';
  }
}

/** Waiting for a run took longer than allowed. */
export class RunTimeoutError extends Error {
  readonly code = 'RUN_TIMEOUT';
  constructor(readonly runId: string, ms: number) {
    super(`run ${runId} did not finish within ${Math.round(ms / 1000)} s (it keeps running in the workers)`);
    this.name = 'RunTimeoutError';
  }
}

/** Where a run stands, as seen from outside the workers. */
export interface RunStatusView {
  readonly runId: string;
  readonly phase: 'not_found' | 'queued' | 'planning' | 'running' | 'finalizing' | 'finished' | 'failed';
  readonly unitsPlanned: number;
  readonly unitsDone: number;
  readonly unitsFailed: number;
  readonly records: number;
  /** Set when `finished`. */
  readonly report?: RunReport;
  readonly reportKey?: string;
  /** Set when `failed`. */
  readonly reason?: string;
}

/** Options of {@link createRunClient}. */
export interface RunClientOptions {
  readonly redisUrl: string;
  /** BullMQ prefix (`config.redis.prefix`). */
  readonly prefix: string;
  /** The results store the workers write to. */
  readonly store: ResultsStore;
  /** Job options (attempts, backoff, retention) of the plan job. Default: the production defaults. */
  readonly options?: Partial<QueueLayerOptions>;
  /** Clock for timeouts. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options of {@link RunClient.wait}. */
export interface WaitOptions {
  /** Poll period (ms). Default 500. */
  readonly pollMs?: number;
  /** Give up after this long (ms); the run keeps going in the workers. Default: wait forever. */
  readonly timeoutMs?: number;
  /**
   * How long (ms) Redis or the store may stay unreachable while waiting before giving up: a Redis
   * restart or failover during a long run is ridden out. Default 60000.
   */
  readonly outageToleranceMs?: number;
  /** Called after every poll. */
  readonly onProgress?: (s: RunStatusView) => void;
  readonly signal?: AbortSignal;
}

/** A producer-side handle on runs: enqueue, look up, wait. */
export interface RunClient {
  /** Enqueues a run's plan job (job id `plan.<run-id>`: a duplicate enqueue is a no-op). */
  enqueue(run: RunRequest): Promise<{ state: 'enqueued' | 'already_finished'; jobId: string }>;
  status(run: RunRequest): Promise<RunStatusView>;
  /** Polls until the report exists; rejects with {@link RunFailedError} or {@link RunTimeoutError}. */
  wait(run: RunRequest, o?: WaitOptions): Promise<RunStatusView>;
  close(): Promise<void>;
}

/**
 * Connects a producer (fail-fast connection profile) after checking that Redis answers, so a user
 * at a terminal gets "cannot reach Redis at … (REDIS_URL) …, start it with …" within seconds.
 *
 * @throws {RedisUnavailableError}
 * @example
 * const client = await createRunClient({ redisUrl, prefix: config.redis.prefix, store });
 * await client.enqueue(run);
 * const done = await client.wait(run, { onProgress: (s) => console.error(s.unitsDone) });
 */
export async function createRunClient(o: RunClientOptions): Promise<RunClient> {
  await assertRedisReachable(o.redisUrl);
  const options = resolveQueueOptions(o.options);
  const now = o.now ?? Date.now;
  const connection = producerConnection(o.redisUrl);
  const runs = new Queue(RUNS_QUEUE, { connection, prefix: o.prefix });
  runs.on('error', () => {});
  const { url, ...rest } = connection;
  const redis = new Redis(url, rest as RedisClientOptions);
  redis.on('error', () => {});
  const progress = new ProgressStore(redis, o.prefix, options.progressTtlSec);
  const ctx = { store: o.store };

  const status = async (run: RunRequest): Promise<RunStatusView> => {
    const base = { runId: run.runId, unitsPlanned: 0, unitsDone: 0, unitsFailed: 0, records: 0 };
    const report = await readReport(ctx, run);
    if (report) {
      return {
        ...base,
        phase: 'finished',
        unitsPlanned: report.coverage.unitsPlanned,
        unitsDone: report.coverage.unitsDone,
        unitsFailed: report.coverage.unitsFailed,
        records: report.input.records,
        report,
        reportKey: runReportKey(run),
      };
    }
    const { records, unitsReported, unitsFailed } = await progress.read(run.runId);
    const parent = await Job.fromId(runs, finalizeJobId(run.runId));
    if (parent) {
      const { planned = 0, groups } = parent.data as { planned?: number; groups?: number };
      const state = await parent.getState();
      const phase = state === 'waiting-children' ? 'running' : 'finalizing';
      // A two-level run's children are merge jobs: its units report through the progress hash.
      if (groups !== undefined) return { ...base, phase, unitsPlanned: planned, unitsDone: unitsReported, unitsFailed, records };
      const deps = await parent.getDependenciesCount();
      const failed = (deps.failed ?? 0) + (deps.ignored ?? 0);
      return { ...base, phase, unitsPlanned: planned, unitsDone: planned - (deps.unprocessed ?? 0) - failed, unitsFailed: failed, records };
    }
    const plan = await Job.fromId(runs, planJobId(run.runId));
    if (plan) {
      const state = await plan.getState();
      if (state === 'failed') return { ...base, phase: 'failed', reason: plan.failedReason };
      return { ...base, phase: state === 'active' ? 'planning' : 'queued' };
    }
    return { ...base, phase: 'not_found' };
  };

  return {
    async enqueue(run) {
      const jobId = planJobId(run.runId);
      if (await readReport(ctx, run)) return { state: 'already_finished', jobId };
      const data: PlanJobData = parsePayload(planJobSchema, { v: 1, trigger: 'manual', run }, `plan of ${run.runId}`);
      await runs.add(JOB.plan, data, { ...retryingJob(options), jobId });
      return { state: 'enqueued', jobId };
    },
    status,
    async wait(run, w = {}) {
      const pollMs = w.pollMs ?? 500;
      const started = now();
      const tolerance = w.outageToleranceMs ?? 60_000;
      let missing = 0;
      let outageSince: number | null = null;
      for (;;) {
        w.signal?.throwIfAborted();
        let s: RunStatusView;
        try {
          s = await status(run);
          outageSince = null;
        } catch (err) {
          outageSince ??= now();
          if (now() - outageSince > tolerance) throw err;
          await new Promise((r) => setTimeout(r, pollMs));
          continue;
        }
        w.onProgress?.(s);
        if (s.phase === 'finished') return s;
        if (s.phase === 'failed') throw new RunFailedError(run.runId, s.reason ?? 'unknown');
        // A plan job removed by retention between our polls reads as not_found for a moment.
        if (s.phase === 'not_found' && ++missing > 20) throw new RunFailedError(run.runId, 'no job and no report for this run (was it enqueued on this prefix?)');
        if (s.phase !== 'not_found') missing = 0;
        if (w.timeoutMs !== undefined && now() - started > w.timeoutMs) throw new RunTimeoutError(run.runId, w.timeoutMs);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async close() {
      await runs.close().catch(() => {});
      redis.disconnect();
    },
  };
}
