import { Redis } from 'ioredis';

const HOW_TO_START =
  'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no ' +
  '(or point REDIS_URL at a Redis ≥ 6.2); the tests never skip Redis';

/**
 * Runs once before the suite: the queue tests talk to a real Redis, so an unreachable Redis fails
 * the whole run with instructions rather than silently skipping those tests.
 */
export default async function setup(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
  } catch (err) {
    throw new Error(`Redis is not reachable at ${url} (${(err as Error).message}); ${HOW_TO_START}`);
  } finally {
    redis.disconnect();
  }
}
