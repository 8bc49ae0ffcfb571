import { Job, Queue } from 'bullmq';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runPartialsPrefix } from '../../src/pipeline/run-keys.ts';
import type { Pipeline, RunRequest } from '../../src/pipeline/types.ts';
import { createRunClient } from '../../src/queue/client.ts';
import { finalizeResultSchema, prepareResultSchema } from '../../src/queue/contracts.ts';
import { finalizeJobId, prepareJobId, RUNS_QUEUE } from '../../src/queue/names.ts';
import { startQueueWorker } from '../../src/queue/worker.ts';
import { assertTestRedis, TEST_REDIS_URL } from '../helpers/redis.ts';
import { countPipeline, type CountPartial } from './fixtures/count-pipeline.ts';
import { queueTestEnv } from './fixtures/env.ts';
import { until } from './fixtures/spawn.ts';

const fast = { lockDurationMs: 5_000, stalledIntervalMs: 1_000, backoffMs: 50, attempts: 2 };

/** The count pipeline with a prepare step; its report says which bytes its finalize was given. */
function preparing(prepare: (run: RunRequest) => Promise<Uint8Array>): Pipeline<CountPartial> {
  const p = countPipeline();
  return {
    ...p,
    prepare: (_ctx, run) => prepare(run),
    async finalize(ctx, run, merged, accounting, prepared) {
      const report = await p.finalize(ctx, run, merged, accounting);
      return { ...report, sections: { ...report.sections, prepared: prepared ? Buffer.from(prepared).toString() : null } };
    },
  };
}

describe('prepare jobs (real Redis)', () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });

  async function runWith(pipeline: Pipeline<CountPartial>, options: { maxFanIn?: number } = {}) {
    const env = await queueTestEnv({ objects: 5, perObject: 8 });
    cleanups.push(() => env.dispose());
    const warnings: { msg: string; reason?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void warnings.push(JSON.parse(l) as { msg: string }) });
    const ctx = { ...env.context(), logger };
    const w = await startQueueWorker({ ctx, redisUrl: TEST_REDIS_URL, resolvePipeline: async () => pipeline, options: { ...fast, ...options } });
    cleanups.push(() => w.close());
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: ctx.store, options: fast });
    cleanups.push(() => client.close());
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 50, timeoutMs: 20_000 });
    const runs = new Queue(RUNS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => runs.close());
    const fin = await until(async () => {
      const j = await Job.fromId(runs, finalizeJobId(env.run.runId));
      return j?.finishedOn ? j : undefined;
    });
    return { env, ctx, done, warnings, runs, finalize: finalizeResultSchema.parse(fin!.returnvalue) };
  }

  for (const [level, options] of [['one-level', {}], ['two-level', { maxFanIn: 2 }]] as const) {
    it(`runs beside the units and hands its bytes to the finalize (${level} run); the bytes are scratch, removed with the partials`, async () => {
      const { env, ctx, done, warnings, runs, finalize } = await runWith(preparing(async (run) => Buffer.from(`history of ${run.runId}`)), options);
      expect(done.report?.status).toBe('ok');
      expect(done.report?.coverage).toMatchObject({ unitsPlanned: 5, unitsDone: 5, unitsFailed: 0 });
      expect(done.report?.sections.prepared).toBe(`history of ${env.run.runId}`);
      const job = await Job.fromId(runs, prepareJobId(env.run.runId));
      expect(prepareResultSchema.parse(job?.returnvalue)).toMatchObject({ bytes: `history of ${env.run.runId}`.length });
      expect(finalize.timingsMs?.preparedMs).toBeGreaterThanOrEqual(0);
      expect(warnings).toEqual([]);
      await until(async () => {
        for await (const _ of ctx.store.list(runPartialsPrefix(env.run))) return false;
        return true;
      });
    });
  }

  it('a prepare that fails does not fail the run: the finalize does without its bytes and logs why', async () => {
    const { done, warnings } = await runWith(
      preparing(async () => {
        throw new Error('history store unreachable');
      }),
    );
    expect(done.report?.status).toBe('ok');
    expect(done.report?.coverage).toMatchObject({ unitsPlanned: 5, unitsDone: 5, unitsFailed: 0 });
    expect(done.report?.sections.prepared).toBeNull();
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'no prepared bytes; the finalize does the prepare work itself', reason: 'prepare job did not complete: history store unreachable' }),
      ]),
    );
  });
});
