import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { readEnv } from '../../config/env.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import type { EvalwatchConfig } from '../../config/schema.ts';
import { formatProgress } from '../../pipeline/progress-line.ts';
import { availablePipelines, getPipeline, pipelineNames, PipelineUnavailableError } from '../../pipeline/registry.ts';
import { exitCodeForReport } from '../../pipeline/run-core.ts';
import { runReportKey } from '../../pipeline/run-keys.ts';
import { runInline } from '../../pipeline/run-inline.ts';
import type { RunRequest } from '../../pipeline/types.ts';
import { createRunClient } from '../../queue/client.ts';
import { rerunId, runIdFor } from '../../queue/names.ts';
import { summarizeReport } from '../../report/find.ts';
import type { PipelineName, RunReport } from '../../report/types.ts';
import { createInlineAlerting } from '../../runtime/alerting.ts';
import { createContext } from '../../runtime/context.ts';
import type { ResultsStore } from '../../store/types.ts';
import { setExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseEndFlag } from '../options.ts';

/** Flags of `evalwatch run` (see `run.ts` for their help and defaults). */
export interface RunOptions {
  config?: string;
  inline?: boolean;
  window?: string;
  end?: string;
  rerun?: boolean;
  wait: boolean;
  json?: boolean;
}

const HOUR = 3_600_000;

/**
 * The body of `evalwatch run <pipeline>`, loaded only when the command runs (it pulls in the
 * queue client, the pipelines and alerting). Reports its exit code on `command`.
 *
 * @example
 * .action(async function (this: Command, name, opts) { await (await import('./run-action.ts')).runCommand(this, name, opts); })
 */
export async function runCommand(command: Command, name: string, opts: RunOptions): Promise<void> {
  const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  const pipelineName = checkPipeline(name);
  const now = Date.now;
  const run = buildRun(pipelineName, config, opts, now());
  const base = createContext({ config });
  // Inline runs deliver their own alerts; queued runs are alerted by the worker that finalizes them.
  const alerting = opts.inline ? createInlineAlerting({ config, env: readEnv(), store: base.store, logger: base.logger, now: base.now }) : null;
  const ctx = alerting ? { ...base, onReport: alerting.onReport } : base;
  const progress = progressPrinter(now);
  let report: RunReport;
  let alreadyFinished = false;
  if (opts.inline) {
    const pipeline = await getPipeline(pipelineName);
    const r = await runInline(ctx, pipeline, run, {
      onProgress: (u) => progress({ runId: u.runId, phase: 'running', unitsDone: u.unitsDone - u.unitsFailed, unitsPlanned: u.unitsPlanned, unitsFailed: u.unitsFailed, records: u.records ?? 0 }),
    });
    report = r.report;
    alreadyFinished = r.alreadyFinished;
  } else {
    const client = await createRunClient({ redisUrl: readEnv().redisUrl, prefix: config.redis.prefix, store: ctx.store, options: config.queue });
    try {
      const enq = await client.enqueue(run);
      alreadyFinished = enq.state === 'already_finished';
      if (!opts.wait && !alreadyFinished) {
        process.stdout.write(`${run.runId}\n`);
        process.stderr.write(`evalwatch: enqueued run ${run.runId}; the report will be at ${ctx.store.locate(runReportKey(run))}\n`);
        setExitCode(command, 0);
        return;
      }
      const done = await client.wait(run, { onProgress: progress });
      report = done.report as RunReport;
    } finally {
      await client.close();
    }
  }
  progress.end();
  if (alreadyFinished) process.stderr.write(`evalwatch: run ${run.runId} had already finished; showing its report (use --rerun to run it again)\n`);
  printReport(report, run, ctx.store, opts.json === true);
  setExitCode(command, exitCodeForReport(report) as ExitCodeValue);
}

function checkPipeline(name: string): PipelineName {
  if (!(pipelineNames as readonly string[]).includes(name)) {
    throw new ConfigError(`unknown pipeline "${name}" (expected one of ${pipelineNames.join(', ')})`);
  }
  if (!availablePipelines().includes(name as PipelineName)) throw new PipelineUnavailableError(name);
  return name as PipelineName;
}

/**
 * The run request from the flags. Without `--end` the window ends at the current hour, so runs
 * requested within the same hour share a run id (and dedupe) and windows align with partitions.
 */
function buildRun(pipeline: PipelineName, config: EvalwatchConfig, opts: RunOptions, now: number): RunRequest {
  const schedule = Object.values(config.schedules).find((s) => s.pipeline === pipeline);
  const windowText = opts.window ?? schedule?.window ?? '24h';
  let windowMs: number;
  try {
    windowMs = parseDuration(windowText);
  } catch (err) {
    throw new ConfigError(`--window: ${(err as Error).message}`);
  }
  if (windowMs <= 0) throw new ConfigError(`--window: must be longer than 0, got "${windowText}"`);
  let end = Math.floor(now / HOUR) * HOUR;
  if (opts.end !== undefined) end = parseEndFlag(opts.end);
  const window = { start: end - windowMs, end };
  const base = runIdFor(pipeline, window);
  return { runId: opts.rerun ? rerunId(base, now) : base, pipeline, window, requestedAt: now };
}

function printReport(report: RunReport, run: RunRequest, store: ResultsStore, json: boolean): void {
  const location = store.locate(runReportKey(run));
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(summarizeReport(report, location));
  process.stderr.write(`evalwatch: report at ${location}\n`);
}

type Printer = ((s: Parameters<typeof formatProgress>[0]) => void) & { end(): void };

/** A live line on a TTY (rewritten in place), plain lines when the count changes otherwise. */
function progressPrinter(now: () => number): Printer {
  const started = now();
  const tty = process.stderr.isTTY === true;
  let last = '';
  let drawn = false;
  const p = ((s) => {
    const line = formatProgress(s, now() - started);
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else {
      const key = `${s.phase}/${s.unitsDone}/${s.unitsFailed}/${s.unitsPlanned}`;
      if (key !== last) process.stderr.write(`${line}\n`);
      last = key;
    }
  }) as Printer;
  p.end = () => {
    if (tty && drawn) process.stderr.write('\n');
  };
  return p;
}
