import { Job, Queue } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { availablePipelines } from '../../src/pipeline/registry.ts';
import { runInline } from '../../src/pipeline/run-inline.ts';
import { runPartialsPrefix } from '../../src/pipeline/run-keys.ts';
import type { Pipeline } from '../../src/pipeline/types.ts';
import { createRunClient } from '../../src/queue/client.ts';
import { finalizeResultSchema, type UnitResult } from '../../src/queue/contracts.ts';
import { finalizeJobId, RUNS_QUEUE, UNITS_QUEUE } from '../../src/queue/names.ts';
import { startQueueWorker, type QueueWorker } from '../../src/queue/worker.ts';
import { assertTestRedis, TEST_REDIS_URL } from '../helpers/redis.ts';
import { countPipeline, type CountPartial } from './fixtures/count-pipeline.ts';
import { comparable, queueTestEnv, type QueueTestEnv } from './fixtures/env.ts';
import { until } from './fixtures/spawn.ts';

const fast = { lockDurationMs: 5_000, stalledIntervalMs: 1_000, backoffMs: 50, attempts: 2 };

/** Counts processUnit calls, to prove a duplicate enqueue does no duplicate work. */
function counting(p: Pipeline<CountPartial>) {
  const calls = new Map<string, number>();
  const wrapped: Pipeline<CountPartial> = {
    ...p,
    async processUnit(ctx, run, unit) {
      calls.set(unit.id, (calls.get(unit.id) ?? 0) + 1);
      return p.processUnit(ctx, run, unit);
    },
  };
  return { pipeline: wrapped, calls };
}

describe('queue runs (in-process workers, real Redis)', () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });

  async function setup(o: { objects: number; perObject: number; poison?: number }, pipeline: Pipeline<CountPartial>, workers = 1) {
    const env = await queueTestEnv(o);
    cleanups.push(() => env.dispose());
    const started: QueueWorker[] = [];
    for (let i = 0; i < workers; i++) {
      const w = await startQueueWorker({ ctx: env.context(), redisUrl: TEST_REDIS_URL, resolvePipeline: async () => pipeline, options: fast });
      started.push(w);
      cleanups.push(() => w.close());
    }
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: env.context().store, options: fast });
    cleanups.push(() => client.close());
    return { env, workers: started, client };
  }

  it('produces the same report as the inline runner over the same window', async () => {
    const { env, client } = await setup({ objects: 9, perObject: 37 }, countPipeline());
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    expect(done.phase).toBe('finished');
    const inline = await runInline(env.context('inline'), countPipeline(), env.run, { concurrency: 3 });
    expect(done.report?.input.records).toBe(9 * 37);
    expect(done.report?.coverage).toEqual({ objects: 9, objectsRead: 9, unitsPlanned: 9, unitsDone: 9, unitsFailed: 0 });
    expect(comparable(done.report)).toEqual(comparable(inline.report));
    expect(done.report?.findings.length).toBeGreaterThan(0);
  });

  it('the same run enqueued twice (and again after it finished) yields one result and no duplicate work', async () => {
    const { pipeline, calls } = counting(countPipeline({ delayMs: 20 }));
    const { env, client } = await setup({ objects: 6, perObject: 10 }, pipeline, 2);
    const [a, b] = await Promise.all([client.enqueue(env.run), client.enqueue(env.run)]);
    expect(a.jobId).toBe(b.jobId);
    const done = await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    expect(done.report?.input.records).toBe(60);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(calls.size).toBe(6);
    // After the run finished and even if its jobs were removed, the durable record stops a re-run.
    const again = await client.enqueue(env.run);
    expect(again.state).toBe('already_finished');
    expect(calls.size).toBe(6);
  });

  it('a unit that exhausts its attempts is accounted for and the parent still finishes (degraded)', async () => {
    const { env, client } = await setup({ objects: 5, perObject: 10, poison: 2 }, countPipeline({ poison: 'poison' }));
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    const r = done.report!;
    expect(r.status).toBe('degraded');
    expect(r.coverage).toMatchObject({ unitsPlanned: 5, unitsDone: 4, unitsFailed: 1 });
    const failed = (r.sections.failedUnits as { keys: string[]; error: string }[])[0]!;
    expect(failed.keys[0]).toMatch(/poison/);
    expect(failed.error).toMatch(/poisoned object/);
    expect(r.input.records).toBe(40);
  });

  it('loads every pipeline before it takes jobs (module loading is not paid inside a run), once each', async () => {
    const env = await queueTestEnv({ objects: 1, perObject: 1 });
    cleanups.push(() => env.dispose());
    const loaded: string[] = [];
    const w = await startQueueWorker({
      ctx: env.context(),
      redisUrl: TEST_REDIS_URL,
      resolvePipeline: async (name) => (loaded.push(name), countPipeline()),
      options: fast,
    });
    cleanups.push(() => w.close());
    expect(loaded.sort()).toEqual([...availablePipelines()].sort());
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: env.context().store });
    cleanups.push(() => client.close());
    await client.enqueue(env.run);
    await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    expect(loaded).toHaveLength(availablePipelines().length);
  });

  it('an empty window finishes with an unmeasurable report instead of waiting forever', async () => {
    const { env, client } = await setup({ objects: 0, perObject: 0 }, countPipeline());
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    expect(done.report?.status).toBe('unmeasurable');
    expect(done.report?.coverage.unitsPlanned).toBe(0);
  });

  it('keeps large partials out of Redis (store offload) with the same report', async () => {
    const env = await queueTestEnv({ objects: 4, perObject: 20 });
    cleanups.push(() => env.dispose());
    const w = await startQueueWorker({
      ctx: env.context(),
      redisUrl: TEST_REDIS_URL,
      resolvePipeline: async () => countPipeline(),
      options: { ...fast, partialInlineMaxBytes: 10 },
    });
    cleanups.push(() => w.close());
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: env.context().store });
    cleanups.push(() => client.close());
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    const inline = await runInline(env.context('inline'), countPipeline(), env.run);
    expect(comparable(done.report)).toEqual(comparable(inline.report));
    // Every unit really went through the store (a silently inline run would pass the check above).
    const units = new Queue(UNITS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => units.close());
    const results = (await units.getCompleted()).map((j) => j.returnvalue as UnitResult);
    expect(results).toHaveLength(4);
    expect(results.every((r) => r.partialKey !== undefined && r.partial === undefined)).toBe(true);
    // Finalize removes them once the report is written (it may still be at it when wait returns).
    const store = env.context().store;
    await until(async () => {
      for await (const _ of store.list(runPartialsPrefix(env.run))) return false;
      return true;
    });
    // The finalize job reports the wall time of its serial steps (logs, bench/queue).
    const runs = new Queue(RUNS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => runs.close());
    const fin = await until(async () => {
      const j = await Job.fromId(runs, finalizeJobId(env.run.runId));
      return j?.finishedOn ? j : undefined;
    });
    const result = finalizeResultSchema.parse(fin!.returnvalue);
    expect(Object.keys(result.timingsMs ?? {}).sort()).toEqual(['cleanupMs', 'collectMs', 'finalizeMs', 'mergeMs', 'onReportMs', 'writeMs']);
    for (const ms of Object.values(result.timingsMs ?? {})) expect(ms).toBeGreaterThanOrEqual(0);
  });
});

