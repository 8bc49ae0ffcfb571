import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.ts';
import { serveWorker } from '../../src/queue/serve.ts';
import { assertTestRedis, TEST_REDIS_URL } from '../helpers/redis.ts';
import { countPipeline } from '../queue/fixtures/count-pipeline.ts';
import { queueTestEnv } from '../queue/fixtures/env.ts';
import { until } from '../queue/fixtures/spawn.ts';
import { createRunClient } from '../../src/queue/client.ts';
import { startHttpServer } from '../../src/http/server.ts';

describe('HTTP health, metrics and dashboard', () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });

  it('serves /healthz /readyz /metrics, a token-guarded dashboard, and fails readiness once shutdown starts', async () => {
    const env = await queueTestEnv({ objects: 3, perObject: 10, poison: 1 });
    cleanups.push(() => env.dispose());
    const served = await serveWorker({
      ctx: env.context(),
      redisUrl: TEST_REDIS_URL,
      resolvePipeline: async () => countPipeline({ poison: 'poison' }),
      options: { attempts: 1 },
      http: { host: '127.0.0.1', port: 0 },
      dashboardToken: 's3cret-token',
      signals: [],
    });
    let stopped = false;
    cleanups.push(() => (stopped ? Promise.resolve() : served.stop()));
    const base = served.http!.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true });

    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: env.context().store });
    cleanups.push(() => client.close());
    await client.enqueue(env.run);
    await client.wait(env.run, { pollMs: 50 });

    // The report is readable (report.json) a moment before the finalize job has counted it.
    const text = await until(async () => {
      const t = await (await fetch(`${base}/metrics`)).text();
      return /evalwatch_runs_total\{/.test(t) ? t : undefined;
    });
    expect(text).toMatch(/evalwatch_queue_jobs\{queue="units",state="failed"\} 1/);
    expect(text).toMatch(/evalwatch_job_duration_seconds_count\{queue="units",name="unit",outcome="completed"\} 2/);
    expect(text).toMatch(/evalwatch_runs_total\{pipeline="drift",status="degraded"\} 1/);
    expect(text).toMatch(/evalwatch_findings_total\{kind="test.volume",severity="info"\} \d/);
    expect(text).toContain('evalwatch_judge_calls_total');
    expect(text).toContain('evalwatch_judge_cost_usd_total');
    // Low cardinality: no run id, job id or route ever becomes a label.
    expect(text).not.toContain(env.run.runId);
    expect(text).not.toMatch(/route="/);

    // The dashboard (bull-board and this JSON snapshot) has tests of its own in dashboard.test.ts.
    expect((await fetch(`${base}/dashboard/queues`)).status).toBe(401);
    expect((await fetch(`${base}/dashboard/queues`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const dash = await fetch(`${base}/dashboard/queues`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(dash.status).toBe(200);
    const snap = (await dash.json()) as { queues: Record<string, { counts: Record<string, number>; recentFailed: { failedReason: string }[] }> };
    expect(snap.queues.units?.counts.failed).toBe(1);
    expect(snap.queues.units?.recentFailed[0]?.failedReason).toMatch(/poisoned/);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);

    const stopping = served.stop();
    stopped = true;
    // Shutdown has begun: the worker answers "not ready" (or the server is already gone).
    expect(await served.worker.ready()).toEqual({ ok: false, reason: 'shutting down' });
    await stopping;
  });

  it('the dashboard is disabled (404) without a token', async () => {
    const metrics = createMetrics({ collectDefault: false });
    const http = await startHttpServer({
      port: 0,
      registry: metrics.registry,
      live: async () => ({ ok: false, reason: 'stuck' }),
      ready: async () => ({ ok: true }),
      snapshot: async () => ({ queues: {} }),
    });
    cleanups.push(() => http.close());
    expect((await fetch(`${http.url}/dashboard/queues`, { headers: { authorization: 'Bearer x' } })).status).toBe(404);
    const live = await fetch(`${http.url}/healthz`);
    expect(live.status).toBe(503);
    expect(await live.json()).toEqual({ ok: false, reason: 'stuck' });
  });
});
