import { Queue } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EvalwatchConfig } from '../../src/config/schema.ts';
import { RUNS_QUEUE, runIdFor } from '../../src/queue/names.ts';
import { resolveQueueOptions } from '../../src/queue/options.ts';
import { planRun, type ProcessorDeps } from '../../src/queue/processors.ts';
import { reconcileSchedules } from '../../src/queue/schedules.ts';
import { assertTestRedis, deletePrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.ts';
import { countPipeline } from './fixtures/count-pipeline.ts';
import { queueTestEnv } from './fixtures/env.ts';
import { FlowProducer, Job } from 'bullmq';

const opts = resolveQueueOptions();
type Schedules = EvalwatchConfig['schedules'];
const hourly: Schedules = { 'drift-hourly': { pipeline: 'drift', cron: '0 * * * *', tz: 'UTC', window: '1h' } };

describe('job schedulers (real Redis)', () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });
  const queueOn = (prefix: string) => {
    const q = new Queue(RUNS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix });
    cleanups.push(() => q.close());
    return q;
  };
  const fresh = () => {
    const prefix = testPrefix();
    cleanups.push(() => deletePrefix(prefix));
    return prefix;
  };

  it('a changed cron after a restart leaves exactly one scheduler, with the new pattern', async () => {
    const prefix = fresh();
    await reconcileSchedules(queueOn(prefix), hourly, opts);
    // "restart" with a new config: a new process, a new Queue instance.
    const changed: Schedules = { 'drift-hourly': { pipeline: 'drift', cron: '15 * * * *', tz: 'Europe/Berlin', window: '1h' } };
    await reconcileSchedules(queueOn(prefix), changed, opts);
    const list = await queueOn(prefix).getJobSchedulers(0, -1);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ key: 'drift-hourly', pattern: '15 * * * *', tz: 'Europe/Berlin' });
    // exactly one pending (delayed) job for it, too
    expect(await queueOn(prefix).getDelayedCount()).toBe(1);
  });

  it('two replicas starting at once converge on one scheduler per schedule', async () => {
    const prefix = fresh();
    const two: Schedules = { ...hourly, nightly: { pipeline: 'nightly', cron: '0 3 * * *', tz: 'America/New_York', window: '24h' } };
    await Promise.all([reconcileSchedules(queueOn(prefix), two, opts), reconcileSchedules(queueOn(prefix), two, opts), reconcileSchedules(queueOn(prefix), two, opts)]);
    const list = await queueOn(prefix).getJobSchedulers(0, -1);
    expect(list.map((s) => s.key).sort()).toEqual(['drift-hourly', 'nightly']);
    expect(await queueOn(prefix).getDelayedCount()).toBe(2);
  });

  it('removes schedulers that are no longer configured', async () => {
    const prefix = fresh();
    await reconcileSchedules(queueOn(prefix), { ...hourly, old: { pipeline: 'slo', cron: '*/5 * * * *', tz: 'UTC', window: '5m' } }, opts);
    const r = await reconcileSchedules(queueOn(prefix), hourly, opts);
    expect(r.removed).toEqual(['old']);
    expect((await queueOn(prefix).getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(['drift-hourly']);
  });

  it('a scheduled job carries pipeline and window; its run id comes from the scheduled time', async () => {
    const prefix = fresh();
    const q = queueOn(prefix);
    await reconcileSchedules(q, hourly, opts);
    const [delayed] = await q.getDelayed();
    expect(delayed?.id).toMatch(/^repeat:drift-hourly:\d+$/);
    expect(delayed?.data).toEqual({ v: 1, trigger: 'schedule', schedule: 'drift-hourly', pipeline: 'drift', windowMs: 3_600_000 });

    // Processing a scheduler job for 14:00 plans the run drift-…T1400Z-1h over 13:00–14:00.
    const env = await queueTestEnv({ objects: 3, perObject: 5 });
    cleanups.push(() => env.dispose());
    const flow = new FlowProducer({ connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => flow.close());
    const runs = queueOn(env.prefix);
    const deps = { ctx: env.context(), resolvePipeline: async () => countPipeline(), flow, runsQueue: runs, options: opts, progress: undefined as never } as ProcessorDeps;
    const job = { id: `repeat:drift-hourly:${env.run.window.end}`, data: delayed?.data, opts: {}, timestamp: 0, delay: 0, attemptsMade: 0 };
    const first = await planRun(deps, job as never);
    expect(first).toEqual({ runId: runIdFor('drift', env.run.window), state: 'started', units: 3 });
    // An overlapping duplicate trigger for the same window collapses into the same run.
    const second = await planRun(deps, { ...job, id: `repeat:other-schedule:${env.run.window.end}` } as never);
    expect(second.state).toBe('in_progress');
    const parent = await Job.fromId(runs, first.runId);
    expect(await parent?.getDependenciesCount()).toMatchObject({ unprocessed: 3 });
  });
});
