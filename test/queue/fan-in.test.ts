import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/pipeline/run-core.ts';
import { runInline } from '../../src/pipeline/run-inline.ts';
import { runPartialKey, runPartialsPrefix } from '../../src/pipeline/run-keys.ts';
import type { Pipeline } from '../../src/pipeline/types.ts';
import type { ResultsStore } from '../../src/store/types.ts';
import { createRunClient, type RunStatusView } from '../../src/queue/client.ts';
import { mergeResultSchema } from '../../src/queue/contracts.ts';
import { JOB, RUNS_QUEUE } from '../../src/queue/names.ts';
import type { QueueLayerOptions } from '../../src/queue/options.ts';
import { ProgressStore } from '../../src/queue/progress.ts';
import { startQueueWorker } from '../../src/queue/worker.ts';
import { assertTestRedis, TEST_REDIS_URL } from '../helpers/redis.ts';
import { countPipeline, type CountPartial } from './fixtures/count-pipeline.ts';
import { comparable, queueTestEnv, type QueueTestEnv } from './fixtures/env.ts';
import { until } from './fixtures/spawn.ts';

/** A run's progress hash as the run client reads it. */
async function progressOf(prefix: string, runId: string) {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    return await new ProgressStore(redis, prefix, 60).read(runId);
  } finally {
    redis.disconnect();
  }
}

const fast = { lockDurationMs: 5_000, stalledIntervalMs: 1_000, backoffMs: 50, attempts: 2 };
/** 9 objects with maxFanIn 4: three merge groups of three units. */
const twoLevel = { ...fast, maxFanIn: 4 };

describe('two-level fan-in through the queue (real Redis)', () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });

  async function setup(
    o: { objects: number; perObject: number; poison?: number },
    pipeline: Pipeline<CountPartial>,
    options: Partial<QueueLayerOptions>,
    workers = 1,
    workerStore?: (store: ResultsStore) => ResultsStore,
  ) {
    const env = await queueTestEnv(o);
    cleanups.push(() => env.dispose());
    for (let i = 0; i < workers; i++) {
      const base = env.context();
      const ctx = workerStore ? { ...base, store: workerStore(base.store) } : base;
      const w = await startQueueWorker({ ctx, redisUrl: TEST_REDIS_URL, resolvePipeline: async () => pipeline, options });
      cleanups.push(() => w.close());
    }
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: env.context().store, options });
    cleanups.push(() => client.close());
    const runs = new Queue(RUNS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => runs.close());
    return { env, client, runs };
  }

  /** Runs `env.run` to its report, which must be degraded with this coverage; returns it with its failed units. */
  async function degradedRun(env: QueueTestEnv, client: Awaited<ReturnType<typeof setup>>['client'], coverage: Record<string, number>) {
    await client.enqueue(env.run);
    const r = (await client.wait(env.run, { pollMs: 20, timeoutMs: 20_000 })).report!;
    expect(r.status).toBe('degraded');
    expect(r.coverage).toMatchObject(coverage);
    return { r, failed: r.sections.failedUnits as { keys: string[]; error: string }[] };
  }

  it('merge jobs merge groups of units; the report equals an inline run with the same grouping', async () => {
    const { env, client, runs } = await setup({ objects: 9, perObject: 23 }, countPipeline({ delayMs: 10 }), twoLevel, 2);
    await client.enqueue(env.run);
    const seen: RunStatusView[] = [];
    const done = await client.wait(env.run, { pollMs: 20, timeoutMs: 20_000, onProgress: (s) => seen.push(s) });
    expect(done.report?.coverage).toEqual({ objects: 9, objectsRead: 9, unitsPlanned: 9, unitsDone: 9, unitsFailed: 0 });
    expect((await readRunRecord(env.context(), env.run))?.fanIn).toBe(3);
    const merges = (await runs.getCompleted()).filter((j) => j.name === JOB.merge).map((j) => mergeResultSchema.parse(j.returnvalue));
    expect(merges.map((m) => [m.group, m.done]).sort()).toEqual([[0, 3], [1, 3], [2, 3]]);
    // The grouping lives in the run record, so the inline runner merges the same partials the same way.
    const inline = await runInline(env.context('inline'), countPipeline(), env.run, { maxFanIn: 4 });
    expect(comparable(done.report)).toEqual(comparable(inline.report));
    // Progress of a two-level run counts units (its finalize job's children are merge jobs).
    expect(seen.filter((s) => s.phase === 'running').every((s) => s.unitsPlanned === 9 && s.unitsDone <= 9)).toBe(true);
    // …from the progress hash, which every unit reported to (the finished view above reads the report).
    await until(async () => (await progressOf(env.prefix, env.run.runId)).unitsReported === 9);
    expect(await progressOf(env.prefix, env.run.runId)).toMatchObject({ unitsReported: 9, unitsFailed: 0 });
    // Partials of units and of merge groups are removed once the report is written.
    const store = env.context().store;
    await until(async () => {
      for await (const _ of store.list(runPartialsPrefix(env.run))) return false;
      return true;
    });
  });

  it('large merged partials go through the results store like unit partials, with the same report', async () => {
    const { env, client, runs } = await setup({ objects: 9, perObject: 11 }, countPipeline(), { ...twoLevel, partialInlineMaxBytes: 10 });
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 20, timeoutMs: 20_000 });
    const inline = await runInline(env.context('inline'), countPipeline(), env.run, { maxFanIn: 4 });
    expect(comparable(done.report)).toEqual(comparable(inline.report));
    const merges = (await runs.getCompleted()).filter((j) => j.name === JOB.merge).map((j) => mergeResultSchema.parse(j.returnvalue));
    expect(merges).toHaveLength(3);
    expect(merges.every((m) => m.partialKey !== undefined && m.partial === undefined)).toBe(true);
  });

  it('a unit that exhausts its attempts inside a group is accounted for; its group still merges the rest', async () => {
    const { env, client } = await setup({ objects: 9, perObject: 10, poison: 4 }, countPipeline({ poison: 'poison' }), twoLevel);
    const { r, failed } = await degradedRun(env, client, { unitsPlanned: 9, unitsDone: 8, unitsFailed: 1 });
    expect(r.input.records).toBe(80);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.keys[0]).toMatch(/poison/);
    expect(failed[0]!.error).toMatch(/poisoned object/);
    const status = await client.status(env.run);
    expect(status.unitsFailed).toBe(1);
    // The live view of a running two-level run takes failures from the progress hash: the worker
    // records the unit's final failure there (status above reads the finished report instead).
    await until(async () => (await progressOf(env.prefix, env.run.runId)).unitsFailed === 1);
    expect(await progressOf(env.prefix, env.run.runId)).toMatchObject({ unitsReported: 8, unitsFailed: 1 });
  });

  it('a merge job that exhausts its attempts fails its whole group, reported unit by unit; the run still finishes', async () => {
    // Units of the poisoned object's group carry a marker, and merging a marked partial throws.
    const base = countPipeline();
    const pipeline: Pipeline<CountPartial> = {
      ...base,
      async processUnit(ctx, run, u) {
        const p = await base.processUnit(ctx, run, u);
        return u.keys.some((k) => k.includes('poison')) ? { ...p, latencySum: -1 } : p;
      },
      merge(parts) {
        if (parts.some((p) => p.latencySum === -1)) throw new Error('cannot merge a marked partial');
        return base.merge(parts);
      },
    };
    const { env, client } = await setup({ objects: 9, perObject: 10, poison: 0 }, pipeline, twoLevel);
    const { r, failed } = await degradedRun(env, client, { unitsPlanned: 9, unitsDone: 6, unitsFailed: 3 });
    expect(r.input.records).toBe(60);
    expect(failed).toHaveLength(3);
    for (const f of failed) expect(f.error).toMatch(/^merge of group 0 failed: .*cannot merge a marked partial/);
  });

  it('a stored partial cut short (a scratch write a crash lost) fails its group with an error naming the key; the run still finishes', async () => {
    // Partials are scratch writes (no fsync): a machine crash may leave one truncated. Simulated
    // by a store that cuts the poisoned object's partial in half, and only scratch writes.
    const scratch: string[] = [];
    let env: QueueTestEnv | undefined;
    // The poisoned unit's partial key, from the run record (read once, when the first partial is written).
    let poisoned: Promise<string> | undefined;
    const poisonedPartial = () =>
      (poisoned ??= readRunRecord(env!.context(), env!.run).then((record) => runPartialKey(env!.run, record!.units.find((u) => u.keys.some((k) => k.includes('poison')))!.id)));
    const truncating = (store: ResultsStore): ResultsStore => ({
      ...store,
      put: async (key, body, opts) => {
        if (opts?.durable === false) scratch.push(key);
        const cut = opts?.durable === false && key === (await poisonedPartial()) ? String(body).slice(0, String(body).length >> 1) : body;
        return store.put(key, cut, opts);
      },
    });
    const made = await setup({ objects: 9, perObject: 10, poison: 4 }, countPipeline(), { ...twoLevel, partialInlineMaxBytes: 10 }, 1, truncating);
    env = made.env;
    const { failed } = await degradedRun(env, made.client, { unitsPlanned: 9, unitsDone: 6, unitsFailed: 3 });
    // Every unit partial and both surviving groups' merged partials were written as scratch.
    expect(scratch.length).toBeGreaterThanOrEqual(9 + 2);
    expect(failed).toHaveLength(3);
    for (const f of failed) expect(f.error).toMatch(/^merge of group 1 failed: partial runs\/.*\/partials\/.* in the results store is not valid JSON/);
  });
});
