import { access, cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { HOUR } from '../captures/partitions.ts';
import { parseConfig } from '../config/load.ts';
import type { EvalwatchConfig, EvalwatchConfigInput } from '../config/schema.ts';
import { getPipeline } from '../pipeline/registry.ts';
import { runReportKey } from '../pipeline/run-keys.ts';
import { runInline } from '../pipeline/run-inline.ts';
import type { GoldenSection } from '../golden/run/report.ts';
import { formatGoldenSummary } from '../golden/run/summary.ts';
import type { RunRequest } from '../pipeline/types.ts';
import { runIdFor } from '../queue/names.ts';
import type { PipelineName, RunReport } from '../report/types.ts';
import type { TimeWindow } from '../captures/source.ts';
import { readEnv } from '../config/env.ts';
import { HOW_TO_CONFIGURE_JUDGE, judgeConfigured } from '../judge/context.ts';
import { createInlineAlerting } from '../runtime/alerting.ts';
import { createContext, createStore } from '../runtime/context.ts';
import { demoSloConfig } from '../slo/demo-config.ts';
import { summarizeSlo } from '../slo/summary.ts';
import { MODEL_PRICES } from './profiles.ts';
import type { Injection } from './injections.ts';
import { writeTrafficFiles, type WriteTrafficResult } from './write.ts';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder the demo owns: `captures/` and `results/` below it are replaced. Required. */
  readonly dir: string;
  /** End of the generated traffic, on an hour boundary (epoch ms). Required. */
  readonly end: number;
  /** Days of traffic before `end`: the baseline plus the hours under watch. Default 8. */
  readonly days?: number;
  /** Hourly drift runs replayed at the end, as the hourly cron would. Default 3. */
  readonly hourlyRuns?: number;
  /** Seed of the traffic generator. Default 7. */
  readonly seed?: number;
  /** Mean calls per hour at the daily peak. Default 400. */
  readonly callsPerHour?: number;
  /** Config the demo starts from (routes, drift settings); its source and store are replaced. Default: the embedded default. */
  readonly config?: EvalwatchConfig;
  readonly logger: Logger;
  /**
   * Where the narrative goes. Default: standard output. With a judge endpoint configured
   * (`judge.baseURL` + a key, or a local endpoint), the last day is also judged.
   */
  readonly out?: NodeJS.WritableStream;
}

/** What {@link runDemo} did. */
/** The config file the demo leaves in its folder, so follow-up commands find its data. */
export const DEMO_CONFIG_FILE = 'worker.config.json';

export interface DemoResult {
  readonly traffic: WriteTrafficResult;
  readonly reports: { readonly run: RunRequest; readonly report: RunReport; readonly location: string }[];
}

/**
 * The injected incidents the demo's last hours carry, so the drift pipeline has something true to
 * find: answers on `answer` get 35% longer (a prompt change), refusals on `chat` triple.
 */
export function demoInjections(end: number, hours: number): Injection[] {
  const from = end - hours * HOUR;
  return [
    { kind: 'output_length', route: 'answer', from, factor: 1.35 },
    { kind: 'refusal_rate', route: 'chat', from, factor: 3 },
  ];
}

/**
 * Generates realistic capture traffic into a local folder in the production layout, then runs the
 * drift pipeline on it exactly as the worker would: one backfill run over the baseline, then the
 * last hours one hourly run at a time (hysteresis needs consecutive windows). No Redis, no cloud
 * account, no API key.
 *
 * @example
 * const { reports } = await runDemo({ dir: '.evalwatch/demo', end: Date.UTC(2026, 10, 23, 14), logger });
 * console.log(reports.at(-1)?.report.findings.map((f) => f.summary));
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const out = options.out ?? process.stdout;
  const days = options.days ?? 8;
  const hourly = options.hourlyRuns ?? 3;
  if (options.end % HOUR !== 0) throw new Error('demo: end must be on an hour boundary');
  const capturesDir = path.join(options.dir, 'captures');
  const resultsDir = path.join(options.dir, 'results');
  await rm(capturesDir, { recursive: true, force: true });
  await rm(resultsDir, { recursive: true, force: true });
  await rm(path.join(options.dir, 'alerts.jsonl'), { force: true });

  const start = options.end - days * 24 * HOUR;
  out.write(`Generating ${days} days of capture traffic into ${capturesDir} …\n`);
  const traffic = await writeTrafficFiles({
    dir: capturesDir,
    start,
    end: options.end,
    seed: options.seed ?? 7,
    callsPerHour: options.callsPerHour ?? 400,
    injections: demoInjections(options.end, hourly),
  });
  out.write(
    `  ${traffic.objects} objects, ${traffic.records.toLocaleString('en-US')} records, ${traffic.malformedLines} malformed lines sprinkled in\n` +
      `  injected in the last ${hourly} hours: answer responses +35% longer, chat refusals ×3\n\n`,
  );

  const base = options.config ?? parseConfig({}, '(embedded default)');
  // The project's rubrics when it has them, else a copy of the bundled ones in the demo folder.
  const rubricsDir = (await exists(base.judge.rubricsDir)) ? base.judge.rubricsDir : await copyBundled(options.dir, 'evals');
  const config = parseConfig(
    {
      ...(base as unknown as EvalwatchConfigInput),
      judge: { ...base.judge, rubricsDir },
      captures: { ...base.captures, source: { kind: 'fs', path: capturesDir } },
      store: { kind: 'fs', path: resultsDir },
      routes: { classify_intent: { json: true }, extract_entities: { json: true }, ...base.routes },
      ...demoSloConfig(MODEL_PRICES, base),
    },
    '(demo)',
  );
  await writeDemoConfig(options.dir, config);
  const env = { ...readEnv(), slackToken: undefined }; // the demo never posts to Slack
  const store = createStore(config);
  const reports: DemoResult['reports'] = [];
  // Runs one pipeline over one window inline, with the clock the cron would have: 5 minutes after
  // the window ends. Alerts go to the console and the demo's own sink file.
  const runAt = async (pipeline: PipelineName, window: TimeWindow) => {
    const now = () => window.end + 5 * 60_000;
    const alerting = createInlineAlerting({ config, env, store, logger: options.logger, now, sinkPath: path.join(options.dir, 'alerts.jsonl'), console: out });
    const ctx = createContext({ config, store, now, logger: options.logger, onReport: alerting.onReport });
    const run: RunRequest = { runId: runIdFor(pipeline, window), pipeline, window, requestedAt: now() };
    const { report } = await runInline(ctx, await getPipeline(pipeline), run);
    reports.push({ run, report, location: store.locate(runReportKey(run)) });
    return { run, report };
  };

  const windows = [{ start, end: options.end - hourly * HOUR }];
  for (let h = hourly; h >= 1; h--) windows.push({ start: options.end - h * HOUR, end: options.end - (h - 1) * HOUR });
  for (const window of windows) {
    const { run, report } = await runAt('drift', window);
    const firing = report.findings.filter((f) => f.state === undefined || f.state === 'firing').length;
    out.write(
      `drift ${run.runId}: ${report.status}, ${report.input.records.toLocaleString('en-US')} records, ` +
        `${report.findings.length} findings (${firing} firing), ${report.unmeasured.length} tests with insufficient data\n`,
    );
  }

  // Golden: the bundled offline suites (recorded outputs, no model call), last night then tonight.
  // A copy in the demo folder: `golden add` after the demo must not write into the package.
  const goldenConfig = { ...config, golden: { ...config.golden, suitesDir: await copyBundled(options.dir, 'golden'), targets: {}, schedule: [] } };
  for (const end of [options.end - 24 * HOUR, options.end]) {
    const ctx = createContext({ config: goldenConfig, store, now: () => end + 5 * 60_000, logger: options.logger });
    const run: RunRequest = { runId: runIdFor('golden', { start: end - 24 * HOUR, end }), pipeline: 'golden', window: { start: end - 24 * HOUR, end }, requestedAt: end };
    const { report } = await runInline(ctx, await getPipeline('golden'), run);
    reports.push({ run, report, location: store.locate(runReportKey(run)) });
    if (end === options.end) out.write(`
${formatGoldenSummary(run.runId, (report.sections.golden as GoldenSection).suites)}`);
  }

  // Cost and SLOs: a backfill of the earlier days (cost anomalies compare with them), then the last day.
  await runAt('slo', { start, end: options.end - 24 * HOUR });
  const slo = await runAt('slo', { start: options.end - 24 * HOUR, end: options.end });
  out.write(`\nslo ${slo.run.runId}: ${slo.report.status}, ${slo.report.findings.length} findings\n${summarizeSlo(slo.report).map((l) => `  ${l}\n`).join('')}`);

  // The judge runs on the last day when an endpoint is configured; otherwise say how to get one.
  if (!judgeConfigured(config.judge.baseURL, env.judgeApiKey)) {
    out.write(`\njudge: skipped — ${HOW_TO_CONFIGURE_JUDGE}\n`);
    return { traffic, reports };
  }
  out.write(`\njudge: ${config.judge.model} at ${config.judge.baseURL} over the last 24 hours …\n`);
  const { run, report } = await runAt('judge', { start: options.end - 24 * HOUR, end: options.end });
  out.write(`judge ${run.runId}: ${report.status}, ${report.findings.length} findings${report.statusReasons.length ? ` (${report.statusReasons.join('; ')})` : ''}\n`);
  return { traffic, reports };
}

/**
 * Writes `<dir>/worker.config.json`: the demo's captures, results store, routes, pricing and SLOs
 * with paths relative to the folder, so `evalwatch report latest -c .evalwatch/demo/worker.config.json`
 * or `evalwatch run slo --inline -c …` work on the demo's data after it ends.
 *
 * @example
 * await writeDemoConfig('.evalwatch/demo', config);
 */
export async function writeDemoConfig(dir: string, config: EvalwatchConfig): Promise<string> {
  const file = path.join(dir, DEMO_CONFIG_FILE);
  const input = {
    name: 'evalwatch-demo',
    captures: { source: { kind: 'fs', path: 'captures' } },
    store: { kind: 'fs', path: 'results' },
    routes: config.routes,
    pricing: config.pricing,
    slos: config.slos,
    judge: { rubricsDir: path.relative(dir, config.judge.rubricsDir) || '.' },
    golden: { suitesDir: 'golden' },
  };
  await writeFile(file, `${JSON.stringify(input, null, 2)}\n`);
  return file;
}

/**
 * Copies a bundled folder of the package (`golden` suites, `evals` rubrics) into `<dir>/<name>`,
 * replacing an earlier copy, and returns that folder: the demo edits and points at its own copy,
 * never at the package.
 *
 * @example
 * const suitesDir = await copyBundled('.evalwatch/demo', 'golden');
 */
export async function copyBundled(dir: string, name: 'golden' | 'evals'): Promise<string> {
  const target = path.join(dir, name);
  await rm(target, { recursive: true, force: true });
  await cp(fileURLToPath(new URL(`../../${name}`, import.meta.url)), target, { recursive: true });
  return target;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
