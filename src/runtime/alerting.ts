import type { Logger } from 'pino';
import {
  createAlertOutbox,
  createFileSink,
  createRedactor,
  createReportLinker,
  createSlackClient,
  createWebApiPoster,
  deliverInline,
  loadIncidents,
  routeAndRecord,
  type AlertOutbox,
  type SlackPoster,
} from '../alerts/index.ts';
import type { EvalwatchEnv } from '../config/env.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import { workerConnection } from '../queue/redis.ts';
import type { RunReport } from '../report/types.ts';
import type { ResultsStore } from '../store/types.ts';

/** Turns every finished run report into alerts: routed to incidents, then delivered. */
export interface Alerting {
  /** Called once per written report; never throws (a delivery problem must not fail the run). */
  onReport(report: RunReport, reportKey: string): Promise<void>;
  close(): Promise<void>;
}

export interface AlertingOptions {
  readonly config: EvalwatchConfig;
  readonly env: EvalwatchEnv;
  readonly store: ResultsStore;
  readonly logger: Logger;
  readonly now: () => number;
  /** Slack API base URL (tests). Default Slack's. */
  readonly slackApiUrl?: string;
  /** Sink file override (the demo writes next to its own results). Default `alerts.sink.path`. */
  readonly sinkPath?: string;
  /** Console of the sink; `null` for none. Default standard error when `alerts.sink.console`. */
  readonly console?: NodeJS.WritableStream | null;
}

function posterFor(options: AlertingOptions): SlackPoster {
  const { config, env } = options;
  if (env.slackToken) {
    return createWebApiPoster(createSlackClient({ token: env.slackToken, ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}) }));
  }
  const console = options.console !== undefined ? options.console : config.alerts.sink.console ? process.stderr : null;
  return createFileSink({ path: options.sinkPath ?? config.alerts.sink.path, console, now: options.now });
}

/** Routes one report into incidents (state in the store) and returns the delivery actions. */
async function route(options: AlertingOptions, report: RunReport, reportKey: string) {
  const { actions } = await routeAndRecord({ store: options.store, runReport: report, config: options.config.alerts, now: options.now, reportKey });
  return actions;
}

function renderOptions(config: EvalwatchConfig, store: ResultsStore) {
  return { config: config.alerts, redactor: createRedactor(config.alerts.redaction), name: config.name, reportLinks: createReportLinker({ store, config: config.alerts }) };
}

/**
 * Alerting for runs in this process (`--inline`, the demo, a plain cron): route, then deliver
 * directly — to Slack with `SLACK_BOT_TOKEN`, else to the console and the sink file. Delivery
 * records live in the results store, so a repeated inline run never posts twice.
 *
 * @example
 * const alerting = createInlineAlerting({ config, env, store, logger, now: Date.now });
 * await alerting.onReport(report, reportKey);
 */
export function createInlineAlerting(options: AlertingOptions): Alerting {
  const poster = posterFor(options);
  const render = renderOptions(options.config, options.store);
  return {
    async onReport(report, reportKey) {
      try {
        await deliverInline(await route(options, report, reportKey), poster, { store: options.store, render: { ...render, reportLocation: options.store.locate(reportKey) }, now: options.now });
      } catch (err) {
        options.logger.error({ runId: report.runId, err: (err as Error).message }, 'alert routing or delivery failed; incidents are replayed by the next run or worker start');
      }
    },
    async close() {},
  };
}

/**
 * Alerting inside `evalwatch worker`: route, then hand the actions to the durable outbox (BullMQ,
 * per-channel pacing, 429-aware retries, no duplicate posts). At start it replays whatever was
 * recorded but not delivered while no worker ran, resolves included.
 *
 * @example
 * const alerting = await createQueueAlerting({ ...options, redisUrl: env.redisUrl });
 */
export async function createQueueAlerting(options: AlertingOptions & { readonly redisUrl: string }): Promise<Alerting & { outbox: AlertOutbox }> {
  const outbox = createAlertOutbox({
    connection: workerConnection(options.redisUrl),
    prefix: options.config.redis.prefix,
    store: options.store,
    slack: posterFor(options),
    render: renderOptions(options.config, options.store),
    now: options.now,
  });
  outbox.startWorker();
  const replayed = await outbox.reconcile((await loadIncidents(options.store)).incidents);
  if (replayed > 0) options.logger.info({ replayed }, 'replaying alert deliveries recorded while no worker ran');
  return {
    outbox,
    async onReport(report, reportKey) {
      try {
        await outbox.enqueue(await route(options, report, reportKey));
      } catch (err) {
        options.logger.error({ runId: report.runId, err: (err as Error).message }, 'alert routing failed; replayed at the next worker start');
      }
    },
    close: () => outbox.close(),
  };
}
