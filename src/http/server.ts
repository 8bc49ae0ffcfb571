import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BoardHandler } from './bull-board.ts';
import type { QueueSnapshot } from './dashboard.ts';
import { authorizeDashboard } from './dashboard-auth.ts';

/** Where the dashboard lives: the bull-board UI at `/dashboard/`, the JSON snapshot at `/dashboard/queues`. */
export const DASHBOARD_PATH = '/dashboard';

/** A health check outcome. */
export interface Check {
  readonly ok: boolean;
  readonly reason?: string;
}

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Interface to bind. Default 127.0.0.1: metrics and the dashboard are not public. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 9464. */
  readonly port?: number;
  /** Metrics registry served at `/metrics`. */
  readonly registry: Registry;
  /** `/healthz`: is the process alive and consuming. */
  readonly live: () => Promise<Check>;
  /** `/readyz`: can it take work (Redis answers, not shutting down). */
  readonly ready: () => Promise<Check>;
  /**
   * Dashboard token (`EVALWATCH_DASHBOARD_TOKEN`): a bearer header, or `?token=` once in a browser
   * (which gets a session cookie); see `dashboard-auth.ts`. Without it every dashboard path is a
   * 404, never open. Default unset.
   */
  readonly dashboardToken?: string;
  /** JSON snapshot at `/dashboard/queues`. Default: none (404). */
  readonly snapshot?: () => Promise<QueueSnapshot>;
  /** The bull-board UI and API under `/dashboard/` (see `createQueueBoard`). Default: none (404). */
  readonly board?: BoardHandler;
  /** Browser session length of the dashboard (ms). Default 43200000 (12 h). */
  readonly dashboardSessionMs?: number;
  /** Clock for the dashboard session cookie. Default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** A running HTTP server. */
export interface HttpServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (liveness), `/readyz` (readiness), `/metrics` (Prometheus text) and, behind the
 * dashboard token, the read-only bull-board UI under `/dashboard/` and a JSON snapshot at
 * `/dashboard/queues` (counts and recent failures per queue).
 * Plain node:http, GET/HEAD only (the board included: nothing here changes a queue); every other
 * path is 404 and every other method 405.
 *
 * @example
 * const http = await startHttpServer({ registry: metrics.registry, live: worker.live, ready: worker.ready });
 * // curl 127.0.0.1:9464/metrics
 */
export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    handle(o, req, res).catch((err: Error) => {
      o.logger?.warn({ err: err.message, path: req.url }, 'http handler failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.end();
    });
  });
  // Probes hold connections open; do not let them delay shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 9464, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(o: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'text/plain', 'method not allowed\n');
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/healthz':
      return check(res, await o.live());
    case '/readyz':
      return check(res, await o.ready());
    case '/metrics':
      return send(res, 200, o.registry.contentType, await o.registry.metrics());
    default:
      if (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`)) return dashboard(o, req, res, path);
      return send(res, 404, 'text/plain', 'not found\n');
  }
}

const DENIED =
  'unauthorized: send "Authorization: Bearer <EVALWATCH_DASHBOARD_TOKEN>", or in a browser open ' +
  `${DASHBOARD_PATH}/?token=<EVALWATCH_DASHBOARD_TOKEN> once (a session cookie replaces the token)\n`;

async function dashboard(o: HttpServerOptions, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const json = path === `${DASHBOARD_PATH}/queues`;
  // Disabled without a token or something to show: indistinguishable from a missing route.
  if (!o.dashboardToken || !(json ? o.snapshot : o.board)) return send(res, 404, 'text/plain', 'not found\n');
  // The token may be in the URL (browser login): never let it travel on in a Referer, and keep
  // the board out of frames and caches.
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  const access = authorizeDashboard(req, {
    token: o.dashboardToken,
    basePath: DASHBOARD_PATH,
    now: o.now ?? Date.now,
    ...(o.dashboardSessionMs !== undefined ? { sessionMs: o.dashboardSessionMs } : {}),
  });
  if (access.kind === 'deny') {
    res.setHeader('www-authenticate', 'Bearer realm="evalwatch"');
    return send(res, 401, 'text/plain', DENIED);
  }
  if (access.kind === 'login') {
    res.writeHead(303, { location: access.location, 'set-cookie': access.setCookie, 'cache-control': 'no-store' });
    res.end();
    return;
  }
  if (json && o.snapshot) return send(res, 200, 'application/json', `${JSON.stringify(await o.snapshot(), null, 2)}\n`);
  res.setHeader('cache-control', 'no-store');
  (o.board as BoardHandler)(req, res);
}

function check(res: ServerResponse, c: Check): void {
  send(res, c.ok ? 200 : 503, 'application/json', `${JSON.stringify(c.ok ? { ok: true } : { ok: false, reason: c.reason })}\n`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
