import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInline } from '../../src/pipeline/run-inline.ts';
import { createRunClient, type RunClient } from '../../src/queue/client.ts';
import { UNITS_QUEUE } from '../../src/queue/names.ts';
import { assertTestRedis, privateRedis, TEST_REDIS_URL } from '../helpers/redis.ts';
import { countPipeline } from './fixtures/count-pipeline.ts';
import { comparable, queueTestEnv, type QueueTestEnv } from './fixtures/env.ts';
import { spawnWorker, until, type WorkerProcess } from './fixtures/spawn.ts';

/** Short locks so a killed worker's jobs come back in about two seconds. */
const FAST = JSON.stringify({ lockDurationMs: 2_000, stalledIntervalMs: 500, backoffMs: 100, concurrency: 2 });

describe('crash safety (worker processes, real Redis)', { timeout: 60_000 }, () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  const procs: WorkerProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });
  const start = (env: QueueTestEnv, extra: Record<string, string>) => {
    const p = spawnWorker(env, { EW_OPTIONS: FAST, ...extra });
    procs.push(p);
    return p;
  };
  const inlineReport = async (env: QueueTestEnv) => (await runInline(env.context('inline'), countPipeline(), env.run)).report;
  /** A test env and a run client on it (on `redisUrl`), both cleaned up after the test. */
  const setup = async (shape: { objects: number; perObject: number }, redisUrl = TEST_REDIS_URL) => {
    const env = await queueTestEnv(shape);
    // A private Redis dies with its test: then only the temp folder needs removing.
    cleanups.push(() => (redisUrl === TEST_REDIS_URL ? env.dispose() : rm(env.dir, { recursive: true, force: true })));
    const client = await createRunClient({ redisUrl, prefix: env.prefix, store: env.context().store });
    cleanups.push(() => client.close());
    return { env, client };
  };
  /** Starts a worker process, waits until it is ready, and enqueues the env's run. */
  const startRun = async (env: QueueTestEnv, client: RunClient, extra: Record<string, string>) => {
    const p = start(env, extra);
    await p.ready;
    await client.enqueue(env.run);
    return p;
  };
  /** Runs the env's two units on a worker, SIGTERMs it while both are active, and checks it exits 0. */
  const sigtermWhileBusy = async (env: QueueTestEnv, client: RunClient, extra: Record<string, string>) => {
    const units = new Queue(UNITS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => units.close());
    const a = await startRun(env, client, extra);
    await until(async () => (await units.getActiveCount()) === 2);
    a.child.kill('SIGTERM');
    const exit = await a.exited;
    expect(exit.code).toBe(0);
    return { exit, units };
  };

  it('kill -9 mid-run, then another worker: the run completes with the report of an uninterrupted run', async () => {
    const { env, client } = await setup({ objects: 12, perObject: 25 });
    const a = await startRun(env, client, { EW_DELAY_MS: '250' });
    // Kill once some units are done and others are in flight.
    await until(async () => (await client.status(env.run)).unitsDone >= 3);
    a.child.kill('SIGKILL');
    const killed = await a.exited;
    expect(killed.signal).toBe('SIGKILL');
    const mid = await client.status(env.run);
    expect(mid.phase).toBe('running');
    expect(mid.unitsDone).toBeLessThan(12);

    const b = start(env, { EW_DELAY_MS: '0' });
    await b.ready;
    const done = await client.wait(env.run, { pollMs: 100 });
    expect(done.report?.coverage).toMatchObject({ unitsPlanned: 12, unitsDone: 12, unitsFailed: 0 });
    expect(comparable(done.report)).toEqual(comparable(await inlineReport(env)));
  });

  it('kill -9 mid-run of a two-level run (merge jobs): the run completes with the report of an uninterrupted run', async () => {
    const { env, client } = await setup({ objects: 12, perObject: 25 });
    const twoLevel = JSON.stringify({ ...JSON.parse(FAST), maxFanIn: 4 });
    const a = await startRun(env, client, { EW_DELAY_MS: '250', EW_OPTIONS: twoLevel });
    // Past the first group of four: its merge job may be done, running or waiting when the worker dies.
    await until(async () => (await client.status(env.run)).unitsDone >= 5);
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const b = start(env, { EW_DELAY_MS: '0', EW_OPTIONS: twoLevel });
    await b.ready;
    const done = await client.wait(env.run, { pollMs: 100 });
    expect(done.report?.coverage).toMatchObject({ unitsPlanned: 12, unitsDone: 12, unitsFailed: 0 });
    const inline = await runInline(env.context('inline'), countPipeline(), env.run, { maxFanIn: 4 });
    expect(comparable(done.report)).toEqual(comparable(inline.report));
  });

  it('two worker processes sharing a run give the same report as one', async () => {
    const { env, client } = await setup({ objects: 10, perObject: 30 });
    const [a, b] = [start(env, { EW_DELAY_MS: '60' }), start(env, { EW_DELAY_MS: '60' })];
    await Promise.all([a.ready, b.ready]);
    await client.enqueue(env.run);
    const done = await client.wait(env.run, { pollMs: 100 });
    expect(done.report?.coverage.unitsDone).toBe(10);
    expect(comparable(done.report)).toEqual(comparable(await inlineReport(env)));
  });

  it('SIGTERM during jobs: exits 0 within the deadline, hands the jobs back, and no job is lost', async () => {
    const { env, client } = await setup({ objects: 2, perObject: 10 });
    const opts = JSON.stringify({ lockDurationMs: 30_000, stalledIntervalMs: 30_000, concurrency: 2, shutdownDeadlineMs: 300 });
    const { exit, units } = await sigtermWhileBusy(env, client, { EW_DELAY_MS: '20000', EW_OPTIONS: opts });
    expect(exit.stdout).toContain('STOPPED {"drained":false,"handedBack":2}');
    // Handed back, not failed, not stuck in active until a stalled check (lock is 30 s here).
    expect(await units.getJobCounts('active', 'wait', 'failed')).toEqual({ active: 0, wait: 2, failed: 0 });

    const b = start(env, { EW_DELAY_MS: '0', EW_OPTIONS: opts });
    await b.ready;
    const done = await client.wait(env.run, { pollMs: 100 });
    expect(done.report?.coverage).toMatchObject({ unitsDone: 2, unitsFailed: 0 });
    expect(done.report?.input.records).toBe(20);
  });

  it('SIGTERM with short jobs: in-flight jobs finish before the process exits', async () => {
    const { env, client } = await setup({ objects: 2, perObject: 10 });
    const { exit, units } = await sigtermWhileBusy(env, client, { EW_DELAY_MS: '700', EW_OPTIONS: JSON.stringify({ concurrency: 2, shutdownDeadlineMs: 15_000 }) });
    expect(exit.stdout).toContain('STOPPED {"drained":true,"handedBack":0}');
    expect(await units.getJobCounts('active', 'wait', 'failed')).toEqual({ active: 0, wait: 0, failed: 0 });
  });

  it('Redis restarted in the middle of a run: the run completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalwatch-redis-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const redis = await privateRedis(dir);
    await redis.start();
    cleanups.push(() => redis.stop());
    const { env, client } = await setup({ objects: 10, perObject: 20 }, redis.url);
    const a = await startRun(env, client, { EW_DELAY_MS: '200', REDIS_URL: redis.url });
    await until(async () => (await client.status(env.run)).unitsDone >= 2);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    const done = await client.wait(env.run, { pollMs: 100 });
    expect(done.report?.coverage).toMatchObject({ unitsPlanned: 10, unitsDone: 10, unitsFailed: 0 });
    expect(comparable(done.report)).toEqual(comparable(await inlineReport(env)));
    expect(a.child.exitCode).toBe(null); // the worker rode the outage out
  });
});
