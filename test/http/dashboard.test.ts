import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQueueBoard } from '../../src/http/bull-board.ts';
import { DASHBOARD_COOKIE, sessionValid, sessionValue, tokenEquals } from '../../src/http/dashboard-auth.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { startHttpServer, type HttpServerOptions } from '../../src/http/server.ts';
import { createRunClient } from '../../src/queue/client.ts';
import { UNITS_QUEUE } from '../../src/queue/names.ts';
import { serveWorker } from '../../src/queue/serve.ts';
import { assertTestRedis, TEST_REDIS_URL } from '../helpers/redis.ts';
import { countPipeline } from '../queue/fixtures/count-pipeline.ts';
import { queueTestEnv } from '../queue/fixtures/env.ts';

const TOKEN = 'dash-token-9f2c41';
const bearer = { authorization: `Bearer ${TOKEN}` };

interface BoardQueues {
  queues: { name: string; readOnlyMode: boolean; counts: Record<string, number>; jobs: { id: string; failedReason?: string }[] }[];
}

describe('queue dashboard (bull-board behind the token, real HTTP, real Redis)', () => {
  beforeAll(() => assertTestRedis());
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)();
  });

  /** A served worker that has finished one run with one poisoned (failed) unit. */
  async function servedAfterRun() {
    const env = await queueTestEnv({ objects: 3, perObject: 10, poison: 1 });
    cleanups.push(() => env.dispose());
    const served = await serveWorker({
      ctx: env.context(),
      redisUrl: TEST_REDIS_URL,
      resolvePipeline: async () => countPipeline({ poison: 'poison' }),
      options: { attempts: 1 },
      // The configured default bind (127.0.0.1), like the rest of the endpoint; only the port is free.
      http: { ...env.config.http, port: 0 },
      dashboardToken: TOKEN,
      signals: [],
    });
    cleanups.push(() => served.stop());
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix: env.prefix, store: env.context().store });
    cleanups.push(() => client.close());
    await client.enqueue(env.run);
    await client.wait(env.run, { pollMs: 50 });
    return { env, served, base: served.http!.url };
  }

  /** Our HTTP server (no worker behind it) in front of a board over one empty queue; `extra` adds options. */
  async function serverOverEmptyBoard(extra: Partial<HttpServerOptions>) {
    const metrics = createMetrics({ collectDefault: false });
    const queue = new Queue(UNITS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: 'evalwatch-test-board-unused' });
    cleanups.push(() => queue.close());
    const http = await startHttpServer({
      port: 0,
      registry: metrics.registry,
      live: async () => ({ ok: true }),
      ready: async () => ({ ok: true }),
      board: createQueueBoard({ queues: [queue] }),
      ...extra,
    });
    cleanups.push(() => http.close());
    return http;
  }

  it('serves the bull-board UI, its assets and its read API to a bearer token, on 127.0.0.1', async () => {
    const { env, served, base } = await servedAfterRun();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const denied = await fetch(`${base}/dashboard/`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await denied.text()).toContain('/dashboard/?token=');
    expect((await fetch(`${base}/dashboard/`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    const page = await fetch(`${base}/dashboard/`, { headers: bearer });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-powered-by')).toBeNull();
    const html = await page.text();
    expect(html).toContain('<base href="/dashboard/"');
    expect(html).toContain('evalwatch queues');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}/dashboard/${script}`, { headers: bearer });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.text()).length).toBeGreaterThan(1000);
    // Assets are guarded too: the board is one unit behind the token.
    expect((await fetch(`${base}/dashboard/${script}`)).status).toBe(401);

    const api = await fetch(`${base}/dashboard/api/queues?activeQueue=${UNITS_QUEUE}&status=failed&page=1`, { headers: bearer });
    expect(api.status).toBe(200);
    const body = (await api.json()) as BoardQueues;
    expect(body.queues.map((q) => q.name).sort()).toEqual(['runs', 'units']);
    for (const q of body.queues) expect(q.readOnlyMode).toBe(true);
    const units = body.queues.find((q) => q.name === UNITS_QUEUE);
    expect(units?.counts.failed).toBe(1);
    expect(units?.jobs).toHaveLength(1);
    expect(units?.jobs[0]?.failedReason).toMatch(/poisoned/);

    // The JSON snapshot for scripts is still there, behind the same token.
    const snap = await fetch(`${base}/dashboard/queues`, { headers: bearer });
    expect(snap.status).toBe(200);
    expect(((await snap.json()) as { queues: Record<string, unknown> }).queues).toHaveProperty('units');

    // Read-only at the HTTP layer: no method but GET/HEAD reaches the board, token or not.
    const pause = await fetch(`${base}/dashboard/api/queues/${UNITS_QUEUE}/pause`, { method: 'PUT', headers: bearer });
    expect(pause.status).toBe(405);
    const retry = await fetch(`${base}/dashboard/api/queues/${UNITS_QUEUE}/retry/failed`, { method: 'PUT', headers: bearer });
    expect(retry.status).toBe(405);
    const units2 = served.worker.queues[UNITS_QUEUE];
    expect(await units2.isPaused()).toBe(false);
    expect(await units2.getFailedCount()).toBe(1);
    expect(env.prefix).toMatch(/^evalwatch-test-/);
  });

  it('lets a browser in with ?token= once: cookie, redirect without the token, then the cookie alone', async () => {
    const { base } = await servedAfterRun();

    const wrong = await fetch(`${base}/dashboard/?token=nope`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const login = await fetch(`${base}/dashboard/queue/units?status=failed&token=${TOKEN}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/dashboard/queue/units?status=failed');
    expect(login.headers.get('referrer-policy')).toBe('no-referrer');
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${DASHBOARD_COOKIE}=v1\\.\\d+\\.`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/dashboard');
    expect(setCookie).toContain('Max-Age=43200');
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).not.toContain('Secure');
    const cookie = setCookie.split(';')[0] as string;

    const page = await fetch(`${base}/dashboard/queue/units?status=failed`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/dashboard/"');
    const api = await fetch(`${base}/dashboard/api/queues`, { headers: { cookie: `other=1; ${cookie}` } });
    expect(api.status).toBe(200);
    expect(((await api.json()) as BoardQueues).queues).toHaveLength(2);
    // A cookie does not override a wrong bearer header (a broken script stays visibly broken).
    expect((await fetch(`${base}/dashboard/api/queues`, { headers: { cookie, authorization: 'Bearer wrong' } })).status).toBe(401);
    // A forged or tampered cookie is refused.
    const forged = cookie.replace(/\.([^.]+)$/, (_m, mac: string) => `.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`);
    expect((await fetch(`${base}/dashboard/api/queues`, { headers: { cookie: forged } })).status).toBe(401);

    // Behind a TLS proxy the cookie is Secure.
    const viaTls = await fetch(`${base}/dashboard/?token=${TOKEN}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(viaTls.headers.get('set-cookie')).toContain('Secure');
  });

  it('expires browser sessions on the injected clock, and a new token logs every browser out', async () => {
    let now = Date.UTC(2026, 10, 23, 12);
    const http = await serverOverEmptyBoard({ dashboardToken: TOKEN, dashboardSessionMs: 60_000, now: () => now });
    const login = await fetch(`${http.url}/dashboard?token=${TOKEN}`, { redirect: 'manual' });
    expect(login.headers.get('location')).toBe('/dashboard');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect((await fetch(`${http.url}/dashboard/`, { headers: { cookie } })).status).toBe(200);
    now += 59_000;
    expect((await fetch(`${http.url}/dashboard/`, { headers: { cookie } })).status).toBe(200);
    now += 2_000;
    expect((await fetch(`${http.url}/dashboard/`, { headers: { cookie } })).status).toBe(401);

    const value = sessionValue(TOKEN, now + 1_000);
    expect(sessionValid(value, TOKEN, now)).toBe(true);
    expect(sessionValid(value, 'rotated-token', now)).toBe(false);
    expect(sessionValid(value, TOKEN, now + 1_000)).toBe(false);
    expect(sessionValid(`v1.${now + 1_000_000}.${value.split('.')[2]}`, TOKEN, now)).toBe(false);
    expect(sessionValid(undefined, TOKEN, now)).toBe(false);
    expect(tokenEquals(TOKEN, TOKEN)).toBe(true);
    expect(tokenEquals(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenEquals('', '')).toBe(false);
  });

  it('the board itself is read-only: a write that got past the server would still be refused', async () => {
    const env = await queueTestEnv({ objects: 1, perObject: 1 });
    cleanups.push(() => env.dispose());
    const queue = new Queue(UNITS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.prefix });
    cleanups.push(() => queue.close());
    await queue.add('unit', { v: 1 }, { jobId: 'j1' });
    // The board alone, without our server's method and token gate in front of it.
    const board = createQueueBoard({ queues: [queue] });
    const server = createServer((req, res) => board(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`;
    for (const [method, path] of [
      ['PUT', `/api/queues/${UNITS_QUEUE}/pause`],
      ['PUT', `/api/queues/${UNITS_QUEUE}/empty`],
      ['PUT', `/api/queues/${UNITS_QUEUE}/j1/clean`],
      ['POST', `/api/queues/${UNITS_QUEUE}/add`],
    ] as const) {
      const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: '{"name":"x","data":{}}' });
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
    }
    expect(await queue.isPaused()).toBe(false);
    expect(await queue.getJobCounts('wait')).toEqual({ wait: 1 });
    expect((await queue.getJob('j1'))?.id).toBe('j1');
  });

  it('without a token every dashboard path is a 404, the board included', async () => {
    const http = await serverOverEmptyBoard({});
    for (const p of ['/dashboard', '/dashboard/', '/dashboard/api/queues', `/dashboard/?token=${TOKEN}`]) {
      expect((await fetch(`${http.url}${p}`, { headers: bearer, redirect: 'manual' })).status, p).toBe(404);
    }
  });
});
