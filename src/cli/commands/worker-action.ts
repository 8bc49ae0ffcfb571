import type { Command } from 'commander';
import { readEnv, redactUrl } from '../../config/env.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { createMetrics } from '../../http/metrics.ts';
import { createJudgePipeline, judgeMetricsListener } from '../../judge/index.ts';
import { getPipeline } from '../../pipeline/registry.ts';
import type { Pipeline } from '../../pipeline/types.ts';
import { assertRedisReachable } from '../../queue/redis.ts';
import { serveWorker } from '../../queue/serve.ts';
import { createQueueAlerting } from '../../runtime/alerting.ts';
import { createContext } from '../../runtime/context.ts';
import { ExitCode, setExitCode } from '../exit-codes.ts';

/** Flags of `evalwatch worker` (see `worker.ts` for their help and defaults). */
export interface WorkerOptions {
  config?: string;
  concurrency?: string;
  httpPort?: string;
}

/**
 * The body of `evalwatch worker`, loaded only when the command runs (it pulls in bullmq,
 * ioredis, express, bull-board, the judge and alerting). Resolves when the worker has stopped.
 *
 * @example
 * .action(async function (this: Command, opts) { await (await import('./worker-action.ts')).workerCommand(this, opts); })
 */
export async function workerCommand(command: Command, opts: WorkerOptions): Promise<void> {
  const concurrency = opts.concurrency === undefined ? undefined : positiveInt('--concurrency', opts.concurrency, 1);
  const httpPort = opts.httpPort === undefined ? undefined : positiveInt('--http-port', opts.httpPort, 0);
  const { config, path } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  const env = readEnv();
  await assertRedisReachable(env.redisUrl);
  const base = createContext({ config });
  // Alerts go through the durable outbox in the same Redis; deliveries missed while no worker ran are replayed now.
  const alerting = await createQueueAlerting({ config, env, store: base.store, logger: base.logger, now: base.now, redisUrl: env.redisUrl });
  const ctx = { ...base, onReport: alerting.onReport };
  ctx.logger.info({ config: path ?? 'embedded default', redis: redactUrl(env.redisUrl), prefix: config.redis.prefix }, 'starting worker');
  // Judge calls, tokens and dollars are counted on the same /metrics registry the worker serves.
  const metrics = createMetrics();
  const judge = createJudgePipeline({ onEvent: judgeMetricsListener(metrics) }) as Pipeline;
  const served = await serveWorker({
    ctx,
    metrics,
    resolvePipeline: async (name) => (name === 'judge' ? judge : getPipeline(name)),
    redisUrl: env.redisUrl,
    options: { ...config.queue, ...(concurrency !== undefined ? { concurrency } : {}) },
    http: { host: config.http.host, port: httpPort ?? config.http.port },
    ...(env.dashboardToken ? { dashboardToken: env.dashboardToken } : {}),
  });
  process.stderr.write(
    `evalwatch worker: consuming (prefix ${config.redis.prefix}, ${Object.keys(config.schedules).length} schedules)${served.http ? `, health at ${served.http.url}` : ''}\n`,
  );
  await served.stopped;
  await alerting.close();
  setExitCode(command, ExitCode.ok);
}

function positiveInt(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag}: expected an integer ≥ ${min}, got "${text}"`);
  return n;
}
