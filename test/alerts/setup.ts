import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { resolveAlertsConfig, type AlertsConfigInput } from '../../src/alerts/config.ts';
import { createAlertOutbox, type AlertOutbox, type AlertOutboxOptions } from '../../src/alerts/outbox.ts';
import { createRedactor } from '../../src/alerts/redact.ts';
import { routeAndRecord } from '../../src/alerts/state.ts';
import { createSlackClient, createWebApiPoster } from '../../src/alerts/slack.ts';
import type { AlertAction } from '../../src/alerts/types.ts';
import type { RunReport } from '../../src/report/types.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import type { ResultsStore } from '../../src/store/types.ts';
import { startSlackServer, type SlackServerOptions, type SlackTestServer } from '../helpers/slack-server.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Harness {
  slack: SlackTestServer;
  store: ResultsStore;
  prefix: string;
  config: ReturnType<typeof resolveAlertsConfig>;
  outboxes: AlertOutbox[];
  outbox(over?: Partial<AlertOutboxOptions>): AlertOutbox;
  route(report: RunReport, now: number): Promise<AlertAction[]>;
  waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  cleanup(): Promise<void>;
}

/** A local Slack server, a temp fs store, and outboxes on a unique BullMQ prefix (all cleaned up). */
export async function harness(configInput: AlertsConfigInput = {}, slackOptions: SlackServerOptions = {}): Promise<Harness> {
  const slack = await startSlackServer(slackOptions);
  const dir = await mkdtemp(join(tmpdir(), 'evalwatch-alerts-'));
  const store = createFsStore({ root: dir, fsync: false });
  const prefix = `ewtest-alerts-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const config = resolveAlertsConfig({ slackChannel: 'C0ALERTS', ...configInput });
  const redactor = createRedactor(config.redaction);
  const outboxes: AlertOutbox[] = [];
  const h: Harness = {
    slack,
    store,
    prefix,
    config,
    outboxes,
    outbox(over = {}) {
      const poster = createWebApiPoster(createSlackClient({ token: 'xoxb-test', slackApiUrl: slack.url, timeoutMs: 5000 }));
      const o = createAlertOutbox({
        connection: { url: REDIS_URL, maxRetriesPerRequest: null },
        prefix,
        store,
        slack: poster,
        render: { config, redactor },
        timeScale: 0.001,
        backoffMs: 20_000,
        claimStaleMs: 300,
        lockDurationMs: 2000,
        incidentLockMs: 1000,
        stalledIntervalMs: 500,
        ...over,
      });
      outboxes.push(o);
      return o;
    },
    async route(report, now) {
      const r = await routeAndRecord({ store, runReport: report, config, now: () => now, redactor });
      return r.actions;
    },
    async waitFor(cond, what, timeoutMs = 20_000) {
      const t0 = Date.now();
      while (!(await cond())) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async cleanup() {
      for (const o of outboxes) await o.close(true).catch(() => undefined);
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await slack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** True when every job of the outbox queue has completed (none waiting, delayed, active or failed). */
export async function drained(o: AlertOutbox): Promise<boolean> {
  const c = await o.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
  return Object.values(c).every((n) => n === 0);
}
