import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The Redis the tests use: `REDIS_URL`, default the machine's Redis on 127.0.0.1:6379. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const HOW_TO_START =
  'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no ' +
  '(or point REDIS_URL at a Redis ≥ 6.2); the queue tests never skip Redis';

/**
 * Fails (never skips) when Redis is unreachable, with a message saying how to start it. The vitest
 * global setup calls it once; queue test files may call it again in `beforeAll`.
 *
 * @example
 * await assertTestRedis();
 */
export async function assertTestRedis(url = TEST_REDIS_URL): Promise<void> {
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

/**
 * A BullMQ prefix no other test (or run) shares: `evalwatch-test-<random>`.
 *
 * @example
 * const prefix = testPrefix();
 */
export function testPrefix(): string {
  return `evalwatch-test-${randomBytes(5).toString('hex')}`;
}

/**
 * Deletes every key under a prefix (SCAN + UNLINK, never KEYS or FLUSHDB: the Redis is shared).
 *
 * @example
 * afterAll(() => deletePrefix(prefix));
 */
export async function deletePrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  if (!/^evalwatch-test-/.test(prefix)) throw new Error(`refusing to delete keys of a non-test prefix "${prefix}"`);
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1.
 *
 * @example
 * const port = await freePort();
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A private redis-server for tests that restart Redis (never the machine's shared one). */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Starts (or restarts) the server on the same port and folder; AOF data survives a restart. */
  start(): Promise<void>;
  /** `SHUTDOWN` (with the AOF fsynced), then waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * A separate redis-server with append-only persistence in `dir`, on a free port.
 *
 * @example
 * const r = await privateRedis(tmpDir); await r.start(); … await r.stop(); await r.start();
 */
export async function privateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  return {
    port,
    url,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], {
        stdio: 'ignore',
      });
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await assertTestRedis(url);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      redis.on('error', () => {});
      await redis.call('SHUTDOWN').catch(() => undefined);
      redis.disconnect();
      await exited;
      child = null;
    },
  };
}
