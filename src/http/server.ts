import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { bearerMatches, type QueueSnapshot } from './dashboard.ts';

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
  /** Dashboard: bearer token (`EVALWATCH_DASHBOARD_TOKEN`); disabled when unset. Default unset. */
  readonly dashboardToken?: string;
  /** Dashboard data. Default: none (the dashboard answers 404). */
  readonly snapshot?: () => Promise<QueueSnapshot>;
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
 * Serves `/healthz` (liveness), `/readyz` (readiness), `/metrics` (Prometheus text) and, behind a
 * bearer token, `/dashboard/queues` (read-only JSON: counts and recent failures per queue).
 * Plain node:http, GET/HEAD only; every other path is 404 and every other method 405.
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
    case '/dashboard/queues': {
      // Disabled without a token or data source: indistinguishable from a missing route.
      if (!o.dashboardToken || !o.snapshot) return send(res, 404, 'text/plain', 'not found\n');
      if (!bearerMatches(req, o.dashboardToken)) {
        res.setHeader('www-authenticate', 'Bearer realm="evalwatch"');
        return send(res, 401, 'text/plain', 'unauthorized\n');
      }
      return send(res, 200, 'application/json', `${JSON.stringify(await o.snapshot(), null, 2)}\n`);
    }
    default:
      return send(res, 404, 'text/plain', 'not found\n');
  }
}

function check(res: ServerResponse, c: Check): void {
  send(res, c.ok ? 200 : 503, 'application/json', `${JSON.stringify(c.ok ? { ok: true } : { ok: false, reason: c.reason })}\n`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
