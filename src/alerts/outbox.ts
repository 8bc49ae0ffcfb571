import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { ResultsStore } from '../store/types.ts';
import type { RenderOptions } from './blocks.ts';
import {
  DeliveryBusyError,
  PermanentDeliveryError,
  RateLimitedDelayError,
  readDeliveryRecord,
  syncIncident,
  type DeliveryOptions,
  type SyncOutcome,
} from './delivery.ts';
import { ChannelHeldError, createChannelPacer } from './pacer.ts';
import { classifySlackError, type SlackPoster } from './slack.ts';
import type { AlertAction, Incident } from './types.ts';

/** Name of the alert outbox queue (one queue per concern). */
export const ALERTS_QUEUE = 'alerts';
/** Job name of an incident sync. */
export const SYNC_JOB = 'sync';

/** The payload of a sync job: the incident snapshot to bring Slack up to. */
export interface SyncJobData {
  readonly v: 1;
  readonly incident: Incident;
}

export interface AlertOutboxOptions {
  /** ioredis options (with `url`), e.g. `workerConnection(env.redisUrl)` (`maxRetriesPerRequest: null`). */
  readonly connection: BullRedisOptions;
  /** BullMQ key prefix, no `:`. Default `evalwatch`. */
  readonly prefix?: string;
  /** Queue name. Default `alerts`. */
  readonly queueName?: string;
  /** The results store holding delivery records, claims and sent markers. */
  readonly store: ResultsStore;
  /** Slack, or the embedded sink. */
  readonly slack: SlackPoster;
  /** How messages are rendered (config, redactor, name). */
  readonly render: RenderOptions;
  /** Clock for claims and pacing. Default `Date.now`. */
  readonly now?: () => number;
  /** Sleep used while pacing. Default `setTimeout`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Scales every wait derived from Slack or pacing: `Retry-After`, the per-channel interval, the
   * retry backoff. 1 in production; tests use e.g. 0.001 so a `Retry-After: 30` waits 30 ms while
   * the server still says 30 s. Default 1.
   */
  readonly timeScale?: number;
  /** Least time between two Slack writes to one channel (ms, before scaling). Default 1000. */
  readonly channelIntervalMs?: number;
  /** Sync jobs one worker runs at once. Default 4. */
  readonly concurrency?: number;
  /** Attempts on transient errors (network, 5xx) before a job fails; 429s do not count. Default 12. */
  readonly attempts?: number;
  /** First retry delay (ms, before scaling), doubling each time. Default 5000. */
  readonly backoffMs?: number;
  /**
   * How long one worker holds an incident while syncing it (ms); a crashed worker's hold lapses
   * after this. Default: `lockDurationMs`.
   */
  readonly incidentLockMs?: number;
  /** See {@link DeliveryOptions.claimStaleMs}. Default 120000. */
  readonly claimStaleMs?: number;
  /** BullMQ lock of a running job (ms); a crashed worker's job is taken over after it. Default 30000. */
  readonly lockDurationMs?: number;
  /** How often stalled jobs are looked for (ms). Default 30000. */
  readonly stalledIntervalMs?: number;
  /** Completed jobs kept: age (s) and count. Default 7 days, 5000. */
  readonly keepCompleted?: { age: number; count: number };
  /** Failed jobs kept: age (s) and count. Default 30 days, 10000 (a failed alert is evidence). */
  readonly keepFailed?: { age: number; count: number };
  /** Default: silent. */
  readonly logger?: Logger;
  /** Worker name on jobs. Default `evalwatch-alerts-<pid>`. */
  readonly workerName?: string;
}

export interface AlertOutbox {
  readonly queue: Queue;
  /** Adds a sync job per notifying action; deterministic job ids make a repeated enqueue a no-op. Resolves jobs added. */
  enqueue(actions: readonly AlertAction[]): Promise<number>;
  /** The BullMQ processor, for a worker the caller runs (`new Worker(name, outbox.process, …)`). */
  process(job: Job<SyncJobData>, token?: string): Promise<SyncOutcome>;
  /** Starts a worker in this process on the outbox queue; closed by `close()`. */
  startWorker(): Worker;
  /**
   * Enqueues every incident whose Slack message is behind its state (a crash between routing and
   * enqueue, an outage), and retries failed syncs. Call at worker start. Resolves jobs (re)queued.
   */
  reconcile(incidents: readonly Incident[]): Promise<number>;
  /** Closes the worker(s) (waiting for in-flight jobs unless `force`), the queue and Redis. */
  close(force?: boolean): Promise<void>;
}

/**
 * The durable alert outbox on BullMQ: routing enqueues, workers deliver through
 * {@link syncIncident} with per-channel pacing shared in Redis, `Retry-After` honoured for every
 * worker (the job waits in Redis's delayed set, nothing is dropped), an incident lock so two
 * workers never sync the same incident at once, and no duplicate posts across retries, restarts
 * or replicas (see `delivery.ts`).
 *
 * @example
 * const outbox = createAlertOutbox({ connection: workerConnection(env.redisUrl), prefix: config.redis.prefix, store,
 *   slack: createWebApiPoster(createSlackClient({ token: env.slackToken! })), render: { config: config.alerts, redactor } });
 * outbox.startWorker();
 * await outbox.reconcile((await loadIncidents(store)).incidents);
 * await outbox.enqueue((await routeAndRecord({ store, runReport, config: config.alerts, now: Date.now })).actions);
 */
export function createAlertOutbox(o: AlertOutboxOptions): AlertOutbox {
  const prefix = o.prefix ?? 'evalwatch';
  const name = o.queueName ?? ALERTS_QUEUE;
  const scale = o.timeScale ?? 1;
  const now = o.now ?? Date.now;
  const { url, ...redisOpts } = o.connection;
  const queue = new Queue(name, { connection: o.connection, prefix });
  const ioOpts = { ...(redisOpts as RedisOptions), maxRetriesPerRequest: null };
  const redis = url ? new Redis(url, ioOpts) : new Redis(ioOpts);
  const onError = (err: Error) => o.logger?.warn({ err: err.message }, 'alerts outbox: redis error (retrying)');
  queue.on('error', onError);
  redis.on('error', onError);
  const pacer = createChannelPacer({
    redis,
    prefix: `${prefix}:${name}`,
    intervalMs: (o.channelIntervalMs ?? 1000) * scale,
    maxWaitMs: Math.max(5000 * scale, 2 * (o.channelIntervalMs ?? 1000) * scale),
    now,
    ...(o.sleep ? { sleep: o.sleep } : {}),
  });
  const delivery: DeliveryOptions = {
    store: o.store,
    poster: o.slack,
    render: o.render,
    now,
    pace: (channel) => pacer.acquire(channel),
    onRateLimited: (channel, ms) => pacer.hold(channel, now() + ms * scale),
    ...(o.claimStaleMs !== undefined ? { claimStaleMs: o.claimStaleMs } : {}),
    owner: o.workerName ?? `evalwatch-alerts-${process.pid}`,
  };
  const jobOpts = {
    attempts: o.attempts ?? 12,
    backoff: { type: 'exponential' as const, delay: Math.max(1, Math.round((o.backoffMs ?? 5000) * scale)) },
    removeOnComplete: o.keepCompleted ?? { age: 7 * 86_400, count: 5000 },
    removeOnFail: o.keepFailed ?? { age: 30 * 86_400, count: 10_000 },
  };
  const lockMs = o.incidentLockMs ?? o.lockDurationMs ?? 30_000;
  const workers: Worker[] = [];

  const defer = async (job: Job<SyncJobData>, token: string | undefined, delayMs: number, why: string): Promise<never> => {
    o.logger?.debug({ jobId: job.id, delayMs, why }, 'alerts outbox: deferring');
    await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(delayMs)), token);
    throw new DelayedError(why);
  };

  const processJob = async (job: Job<SyncJobData>, token?: string): Promise<SyncOutcome> => {
    const data = job.data;
    if (!data || data.v !== 1 || typeof data.incident?.id !== 'string' || !/^[A-Za-z0-9._-]+$/.test(data.incident.id)) {
      throw new UnrecoverableError(`alerts job ${String(job.id)}: invalid payload (expected { v: 1, incident })`);
    }
    const incident = data.incident;
    const lockKey = `${prefix}:${name}:lock:${incident.id}`;
    const lockValue = `${String(job.id)}:${token ?? ''}`;
    const got = await redis.set(lockKey, lockValue, 'PX', lockMs, 'NX');
    if (got !== 'OK') return await defer(job, token, 250 * scale + 5, 'incident locked by another worker');
    try {
      const outcome = await syncIncident(delivery, incident);
      o.logger?.info({ incident: incident.id, rev: incident.rev, ...outcome }, 'alerts outbox: synced');
      for (const reason of outcome.refused) o.logger?.error({ incident: incident.id, err: reason }, 'alerts outbox: Slack refused a copy for another channel; the incident itself was delivered');
      return outcome;
    } catch (err) {
      if (err instanceof RateLimitedDelayError) return await defer(job, token, (err.retryAt - now()) * scale, err.message);
      if (err instanceof ChannelHeldError || err instanceof DeliveryBusyError) return await defer(job, token, err.retryAt - now(), err.message);
      if (err instanceof PermanentDeliveryError) {
        o.logger?.error({ incident: incident.id, err: err.message }, 'alerts outbox: Slack refused; kept in the failed set, reconcile() retries it');
        throw new UnrecoverableError(err.message);
      }
      const c = classifySlackError(err);
      if (c.kind === 'rate_limited') {
        await pacer.hold(incident.channel, now() + c.retryAfterMs * scale);
        return await defer(job, token, c.retryAfterMs * scale, 'rate limited');
      }
      o.logger?.warn({ incident: incident.id, attempt: job.attemptsMade + 1, err: (err as Error).message }, 'alerts outbox: transient failure, will retry');
      throw err;
    } finally {
      // Release only our own lock: after a long stall another worker may hold it now.
      await redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lockKey, lockValue).catch(() => 0);
    }
  };

  return {
    queue,
    async enqueue(actions) {
      let added = 0;
      for (const a of actions) {
        if (!a.incident.notify) continue;
        const jobId = syncJobId(a.incident);
        const existing = await queue.getJob(jobId);
        if (existing) continue;
        await queue.add(SYNC_JOB, { v: 1, incident: a.incident }, { ...jobOpts, jobId });
        added += 1;
      }
      return added;
    },
    process: processJob,
    startWorker() {
      const worker = new Worker(name, (job: Job, token?: string) => {
        const p = processJob(job as Job<SyncJobData>, token);
        // A force-closed worker stops listening to its processors; their outcome must not become
        // an unhandled rejection (the job itself is recovered by the stalled-job check).
        p.catch(() => undefined);
        return p;
      }, {
        connection: { ...o.connection, maxRetriesPerRequest: null },
        prefix,
        concurrency: o.concurrency ?? 4,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: o.stalledIntervalMs ?? 30_000,
        maxStalledCount: 3,
        name: o.workerName ?? `evalwatch-alerts-${process.pid}`,
      });
      worker.on('error', onError);
      workers.push(worker);
      return worker;
    },
    async reconcile(incidents) {
      let n = 0;
      for (const inc of incidents) {
        if (!inc.notify) continue;
        const rec = await readDeliveryRecord(o.store, inc.id);
        if (rec && rec.rev >= inc.rev && rec.followUpSeq >= inc.followUpSeq) continue;
        const jobId = syncJobId(inc);
        const job = await queue.getJob(jobId);
        if (job) {
          if ((await job.getState()) === 'failed') {
            await job.retry('failed');
            n += 1;
          }
          continue;
        }
        await queue.add(SYNC_JOB, { v: 1, incident: inc }, { ...jobOpts, jobId });
        n += 1;
      }
      return n;
    },
    async close(force = false) {
      await Promise.all(workers.map((w) => w.close(force)));
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The job id of an incident revision: deterministic, without `:`.
 *
 * @example
 * syncJobId(incident); // 'sync.inc-3f2a9c1b0d-20261123T140200Z.r3.f1'
 */
export function syncJobId(incident: Pick<Incident, 'id' | 'rev' | 'followUpSeq'>): string {
  return `sync.${incident.id}.r${incident.rev}.f${incident.followUpSeq}`;
}
