import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCaptures } from '../../bench/queue.ts';
import { parseConfig } from '../../src/config/load.ts';
import { getPipeline } from '../../src/pipeline/registry.ts';
import { runInline } from '../../src/pipeline/run-inline.ts';
import { createRunClient } from '../../src/queue/client.ts';
import { runIdFor } from '../../src/queue/names.ts';
import { startQueueWorker } from '../../src/queue/worker.ts';
import { createContext } from '../../src/runtime/context.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { assertTestRedis, deletePrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { comparable } from './fixtures/env.ts';

describe('drift pipeline end to end through the queue (real Redis, fs source and store)', () => {
  const prefix = testPrefix();
  let dir = '';
  beforeAll(async () => {
    await assertTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'evalwatch-drift-e2e-'));
  });
  afterAll(async () => {
    await deletePrefix(prefix);
    await rm(dir, { recursive: true, force: true });
  });

  it('a queue run of drift reports exactly what the inline runner reports', async () => {
    const end = Date.UTC(2026, 10, 23, 0);
    await writeCaptures(join(dir, 'captures'), 6_000, end);
    const ctxFor = (store: string) =>
      createContext({
        config: parseConfig({ captures: { source: { kind: 'fs', path: join(dir, 'captures') } }, store: { kind: 'fs', path: join(dir, store) }, redis: { prefix } }, 'drift e2e'),
        logger: silentLogger(),
        now: () => end + 60_000,
      });
    const window = { start: end - 6 * 3_600_000, end };
    const run = { runId: runIdFor('drift', window), pipeline: 'drift' as const, window, requestedAt: end };
    const worker = await startQueueWorker({ ctx: ctxFor('queue'), redisUrl: TEST_REDIS_URL, options: { concurrency: 2 } });
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix, store: ctxFor('queue').store });
    try {
      await client.enqueue(run);
      const done = await client.wait(run, { pollMs: 50 });
      const inline = await runInline(ctxFor('inline'), await getPipeline('drift'), run);
      expect(done.report?.coverage).toMatchObject({ unitsPlanned: 24, unitsDone: 24, unitsFailed: 0 });
      expect(done.report?.input.records).toBe(inline.report.input.records);
      expect(comparable(done.report)).toEqual(comparable(inline.report));
    } finally {
      await client.close();
      await worker.close();
    }
  });
});
