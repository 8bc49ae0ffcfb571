import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { historyDaysBefore, writeCaptures } from '../../bench/queue.ts';
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

  const end = Date.UTC(2026, 10, 23, 0);
  const window = { start: end - 6 * 3_600_000, end };
  const window0Run = { runId: runIdFor('drift', window), pipeline: 'drift' as const, window, requestedAt: end };
  const ctxFor = (store: string, logger = silentLogger()) =>
    createContext({
      config: parseConfig({ captures: { source: { kind: 'fs', path: join(dir, 'captures') } }, store: { kind: 'fs', path: join(dir, store) }, redis: { prefix } }, 'drift e2e'),
      logger,
      now: () => end + 60_000,
    });

  /** The run through a queue worker on store `store`, and inline on `<store>-inline`. Each call, its own run id (one Redis prefix). */
  async function queueAndInline(store: string, logger = silentLogger()) {
    const run = { ...window0Run, runId: `${window0Run.runId}-${store}` };
    const worker = await startQueueWorker({ ctx: ctxFor(store, logger), redisUrl: TEST_REDIS_URL, options: { concurrency: 2 } });
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix, store: ctxFor(store).store });
    try {
      await client.enqueue(run);
      const done = await client.wait(run, { pollMs: 50 });
      const inline = await runInline(ctxFor(`${store}-inline`), await getPipeline('drift'), run);
      return { queue: done.report, inline: inline.report };
    } finally {
      await client.close();
      await worker.close();
    }
  }

  it('a queue run of drift reports exactly what the inline runner reports', async () => {
    await writeCaptures(join(dir, 'captures'), 6_000, end);
    const { queue, inline } = await queueAndInline('plain');
    expect(queue?.coverage).toMatchObject({ unitsPlanned: 24, unitsDone: 24, unitsFailed: 0 });
    expect(queue?.input.records).toBe(inline.input.records);
    expect(comparable(queue)).toEqual(comparable(inline));
  });

  it('with a baseline in history (read by the prepare job beside the units), the same report as the inline runner', async () => {
    // The window's hours, as the first test stored them, copied to the two days before it.
    const history = await historyDaysBefore(ctxFor('plain').store, window, 2);
    for (const store of ['history', 'history-inline']) for (const [key, body] of history) await ctxFor(store).store.put(key, body);
    const logged: { level: number; msg: string }[] = [];
    const { queue, inline } = await queueAndInline('history', pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l) as { level: number; msg: string }) }));
    expect((queue?.sections.drift as { baseline: { hours: number } }).baseline.hours).toBe(12);
    expect(comparable(queue)).toEqual(comparable(inline));
    // The finalize used the prepared history: no warning, and no re-read because history changed.
    expect(logged.filter((l) => l.level >= 40)).toEqual([]);
    expect(logged.map((l) => l.msg)).toContain('run finished');
    expect(logged.map((l) => l.msg)).not.toContain('history gained hours since it was prepared; reading history in the finalize');
  });
});
