import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { redactUrl } from '../config/env.ts';

/** Redis cannot be reached: the message names REDIS_URL (without its password) and how to fix it. */
export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(readonly url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `cannot reach Redis at ${redactUrl(url)} (REDIS_URL): ${why}. ` +
        'Start one with "redis-server --daemonize yes --bind 127.0.0.1 --port 6379", or set REDIS_URL; ' +
        'to run without Redis use "evalwatch run <pipeline> --inline".',
      { cause },
    );
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Connection options for long-lived workers: commands wait for a reconnect instead of failing
 * (`maxRetriesPerRequest: null`, which BullMQ requires for its blocking connection), and the
 * reconnect delay grows to 5 s so a Redis restart or failover is ridden out, not crashed on.
 *
 * @example
 * new Worker('units', processor, { connection: workerConnection(env.redisUrl), prefix });
 */
export function workerConnection(url: string): RedisOptions & { url: string } {
  return {
    url,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
    connectionName: 'evalwatch-worker',
  };
}

/**
 * Connection options for producers (the CLI, HTTP handlers): a command fails after one retry
 * instead of hanging, so a user waiting at a terminal sees a clear error quickly.
 *
 * @example
 * new Queue('runs', { connection: producerConnection(env.redisUrl), prefix });
 */
export function producerConnection(url: string): RedisOptions & { url: string } {
  return {
    url,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    // Keep reconnecting in the background (a waiting `evalwatch run` outlives a Redis restart),
    // while each command fails after one retry instead of hanging.
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
    connectionName: 'evalwatch-producer',
  };
}

/**
 * Pings Redis once with a short timeout; throws a {@link RedisUnavailableError} that says how to
 * start Redis. Call it before building queues in a CLI, so the user never waits on a hang.
 *
 * @example
 * await assertRedisReachable(readEnv().redisUrl);
 */
export async function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis reports connection errors on the emitter as well; the rejection below carries them.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new RedisUnavailableError(url, err);
  } finally {
    client.disconnect();
  }
}
