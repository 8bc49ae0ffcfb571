import { DEFAULT_MAX_FAN_IN } from '../pipeline/fan-in.ts';

/**
 * Tuning of the queue layer. Every option has a production default; tests shorten the timings
 * (lock duration, stalled interval, backoff) so crash recovery happens in seconds, not minutes.
 * The lead may expose these under a `queue` key of the config; until then they are code options.
 */
export interface QueueLayerOptions {
  /**
   * Unit jobs one worker process runs at the same time. Units are mostly I/O (object reads,
   * judge calls), so a few per process keep one core busy. Default 4.
   */
  readonly concurrency: number;
  /** Plan and finalize jobs one process runs at the same time. Default 2. */
  readonly runConcurrency: number;
  /** Attempts of every job before it counts as failed (the first try included). Default 3. */
  readonly attempts: number;
  /** First retry delay in ms; doubles on each retry (exponential backoff). Default 2000. */
  readonly backoffMs: number;
  /**
   * How long a worker's lock on a job lasts (ms) before another worker may treat it as stalled.
   * Renewed at half this period while the job runs. Default 30000.
   */
  readonly lockDurationMs: number;
  /** How often each worker looks for stalled jobs (ms). Default 30000. */
  readonly stalledIntervalMs: number;
  /**
   * How often a job may stall (its worker died) before it fails. A kill -9 or an OOM is a stall,
   * so this is >1 to let a unit survive two crashed workers. Default 2.
   */
  readonly maxStalledCount: number;
  /** Completed jobs kept for inspection: at most this many seconds old… Default 86400 (1 day). */
  readonly keepCompletedAgeSec: number;
  /** …and at most this many per queue. Default 1000. */
  readonly keepCompletedCount: number;
  /** Failed jobs kept for inspection: at most this many seconds old… Default 604800 (7 days). */
  readonly keepFailedAgeSec: number;
  /** …and at most this many per queue. Default 5000. */
  readonly keepFailedCount: number;
  /**
   * On SIGTERM/SIGINT, how long in-flight jobs may run to completion (ms) before they are handed
   * back to the queue for another worker. Keep it below the orchestrator's kill grace period
   * (Kubernetes: 30 s). Default 25000.
   */
  readonly shutdownDeadlineMs: number;
  /**
   * Liveness: a worker with free slots that has not started or finished a job for this long (ms)
   * while jobs are waiting is stuck. Default 60000.
   */
  readonly livenessIdleMs: number;
  /** Liveness: a single job running longer than this (ms) means the worker is stuck. Default 3600000. */
  readonly livenessMaxJobMs: number;
  /**
   * A unit's partial result larger than this (bytes of JSON) is written to the results store
   * instead of Redis, so big aggregates never bloat Redis memory. Default 262144 (256 KiB).
   */
  readonly partialInlineMaxBytes: number;
  /** Seconds a run's progress counters live in Redis. Default 604800 (7 days). */
  readonly progressTtlSec: number;
  /**
   * Units a run may have before it merges in two levels: merge jobs of ⌈√units⌉ units each run
   * while other units are still being processed, so the finalize job reads about √units partials
   * instead of one per unit. Default 16.
   */
  readonly maxFanIn: number;
}

/** The production defaults of {@link QueueLayerOptions}. */
export const defaultQueueOptions: QueueLayerOptions = Object.freeze({
  concurrency: 4,
  runConcurrency: 2,
  attempts: 3,
  backoffMs: 2000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  keepCompletedAgeSec: 86_400,
  keepCompletedCount: 1000,
  keepFailedAgeSec: 7 * 86_400,
  keepFailedCount: 5000,
  shutdownDeadlineMs: 25_000,
  livenessIdleMs: 60_000,
  livenessMaxJobMs: 3_600_000,
  partialInlineMaxBytes: 256 * 1024,
  progressTtlSec: 7 * 86_400,
  maxFanIn: DEFAULT_MAX_FAN_IN,
});

/**
 * Fills in defaults and checks the values that would break the queue if wrong.
 *
 * @example
 * const opts = resolveQueueOptions({ concurrency: 8 });
 * opts.attempts; // 3
 */
export function resolveQueueOptions(partial: Partial<QueueLayerOptions> = {}): QueueLayerOptions {
  const o = { ...defaultQueueOptions, ...stripUndefined(partial) };
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`queue option ${k}: expected a finite number ≥ 0, got ${String(v)}`);
    }
  }
  if (o.concurrency < 1 || o.runConcurrency < 1 || o.attempts < 1) {
    throw new RangeError('queue options concurrency, runConcurrency and attempts must be ≥ 1');
  }
  if (!Number.isInteger(o.maxFanIn) || o.maxFanIn < 2) throw new RangeError(`queue option maxFanIn: expected an integer ≥ 2, got ${o.maxFanIn}`);
  return Object.freeze(o);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
