import { Queue } from 'bullmq';
import { createQueueBoard } from '../http/bull-board.ts';
import { queueSnapshot } from '../http/dashboard.ts';
import { createMetrics, type EvalwatchMetrics } from '../http/metrics.ts';
import { DASHBOARD_PATH, startHttpServer, type HttpServer } from '../http/server.ts';
import { QUEUE_NAMES } from './names.ts';
import { producerConnection } from './redis.ts';
import type { ShutdownResult } from './shutdown.ts';
import { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from './worker.ts';

/** Options of {@link serveWorker}: the worker's, plus the HTTP endpoint and signal handling. */
export interface ServeWorkerOptions extends Omit<QueueWorkerOptions, 'metrics'> {
  /** HTTP endpoint; `null` serves none. Default `ctx.config.http` (127.0.0.1:9464). */
  readonly http?: { host: string; port: number } | null;
  /** `EVALWATCH_DASHBOARD_TOKEN`; the dashboard (bull-board, read-only) is disabled when unset. */
  readonly dashboardToken?: string;
  /** Metrics to record into and serve (so callers can hook other counters to them). Default: a new registry. */
  readonly metrics?: EvalwatchMetrics;
  /** Signals that start a graceful shutdown. Default SIGTERM and SIGINT; `[]` installs none. */
  readonly signals?: NodeJS.Signals[];
}

/** A served worker. */
export interface ServedWorker {
  readonly worker: QueueWorker;
  readonly metrics: EvalwatchMetrics;
  readonly http: HttpServer | null;
  /** Resolves when the worker has stopped (after a signal or {@link ServedWorker.stop}). */
  readonly stopped: Promise<ShutdownResult>;
  stop(): Promise<ShutdownResult>;
}

/**
 * `evalwatch worker` as a function: starts the queue worker, serves /healthz /readyz /metrics
 * (and the dashboard), and on SIGTERM/SIGINT shuts down gracefully within the configured deadline.
 * A second signal during shutdown does not cut it short (the deadline already bounds it); the
 * orchestrator's SIGKILL is the backstop and loses nothing, since unfinished jobs stall back.
 *
 * @example
 * const served = await serveWorker({ ctx, redisUrl: env.redisUrl, dashboardToken: env.dashboardToken });
 * await served.stopped; // after SIGTERM
 */
export async function serveWorker(o: ServeWorkerOptions): Promise<ServedWorker> {
  const metrics = o.metrics ?? createMetrics();
  const worker = await startQueueWorker({ ...o, metrics });
  const httpOpts = o.http === undefined ? o.ctx.config.http : o.http;
  let http: HttpServer | null = null;
  // The dashboard reads through queues of its own on the fail-fast producer profile: a page opened
  // during a Redis outage errors at once instead of hanging on the workers' retry-forever connection.
  const boardQueues = httpOpts && o.dashboardToken ? dashboardQueues(o.redisUrl, worker.prefix) : [];
  try {
    if (httpOpts) {
      http = await startHttpServer({
        host: httpOpts.host,
        port: httpOpts.port,
        registry: metrics.registry,
        live: () => worker.live(),
        ready: () => worker.ready(),
        ...(o.dashboardToken ? { dashboardToken: o.dashboardToken } : {}),
        snapshot: () => queueSnapshot(worker.queues),
        ...(boardQueues.length > 0 ? { board: createQueueBoard({ queues: boardQueues, basePath: DASHBOARD_PATH }) } : {}),
        logger: o.ctx.logger,
      });
      o.ctx.logger.info({ url: http.url }, 'serving /healthz /readyz /metrics');
      // Never the token itself: the operator has it in EVALWATCH_DASHBOARD_TOKEN.
      if (boardQueues.length > 0) o.ctx.logger.info({ url: `${http.url}${DASHBOARD_PATH}/?token=<EVALWATCH_DASHBOARD_TOKEN>` }, 'queue dashboard (read-only)');
    }
  } catch (err) {
    await closeQueues(boardQueues);
    await worker.close();
    throw err;
  }

  let resolveStopped!: (r: ShutdownResult) => void;
  const stopped = new Promise<ShutdownResult>((r) => (resolveStopped = r));
  let stopping: Promise<ShutdownResult> | null = null;
  const signals = o.signals ?? ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals) => {
    o.ctx.logger.info({ signal }, 'signal received: graceful shutdown');
    void stop();
  };
  for (const s of signals) process.on(s, onSignal);

  function stop(): Promise<ShutdownResult> {
    stopping ??= (async () => {
      // The worker goes first: /readyz answers 503 from the moment shutdown starts.
      const result = await worker.close();
      await http?.close();
      await closeQueues(boardQueues);
      for (const s of signals) process.off(s, onSignal);
      resolveStopped(result);
      return result;
    })();
    return stopping;
  }
  return { worker, metrics, http, stopped, stop };
}

function dashboardQueues(redisUrl: string, prefix: string): Queue[] {
  return QUEUE_NAMES.map((name) => {
    const q = new Queue(name, { connection: producerConnection(redisUrl), prefix });
    // Errors surface in the request that hit them; the emitter must not crash the process.
    q.on('error', () => {});
    return q;
  });
}

async function closeQueues(queues: readonly Queue[]): Promise<void> {
  await Promise.allSettled(queues.map((q) => q.close()));
}
