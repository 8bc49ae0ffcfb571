import type { Writable } from 'node:stream';
import type { EvalwatchConfig } from '../../config/schema.ts';
import { writeReport } from '../../pipeline/run-core.ts';
import { runReportKey } from '../../pipeline/run-keys.ts';
import type { PipelineContext, RunRequest } from '../../pipeline/types.ts';
import { formatProblem, loadSuites, validateSuites } from '../suite/index.ts';
import { addCaseFromRecord, AddCaseError, findCapture } from './add-from-capture.ts';
import { BaselineNotFoundError } from './records.ts';
import { goldenReport, summarizeSuite } from './report.ts';
import { GoldenConfigError, runGolden } from './run-golden.ts';
import { formatGoldenSummary, goldenExitCode } from './summary.ts';

/**
 * The run id of an ad-hoc golden run: `golden-<UTC time to the millisecond>`, so ids sort by
 * time (the baseline lookup walks them newest first) and two CI jobs do not collide.
 *
 * @example
 * goldenRunId(Date.UTC(2026, 10, 24, 10, 15, 0, 123)); // 'golden-20261124T101500123Z'
 */
export function goldenRunId(nowMs: number): string {
  return `golden-${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}`;
}

/** Options of {@link runGoldenGate}. */
export interface GateOptions {
  readonly runId: string;
  readonly suites?: string[];
  readonly baseline?: string;
  readonly target?: string;
  readonly json?: boolean;
  readonly out: Pick<Writable, 'write'>;
  readonly err: Pick<Writable, 'write'>;
  readonly env?: Record<string, string | undefined>;
}

/**
 * `evalwatch golden run`: suite errors → print `file:line: message`, exit 3 before any call;
 * otherwise run, write the suites' results and `report.json`, print the summary (or JSON) and
 * return 0 / 1 (a suite regressed) / 2 (a suite could not tell) / 3 (config error).
 *
 * @example
 * process.exitCode = await runGoldenGate(ctx, { runId: goldenRunId(Date.now()), out: process.stdout, err: process.stderr });
 */
export async function runGoldenGate(ctx: PipelineContext, o: GateOptions): Promise<number> {
  const golden = ctx.config.golden;
  const loaded = await loadSuites(golden.suitesDir, { ...(o.suites ? { only: o.suites } : {}), targets: Object.keys(golden.targets) });
  // With --suite, a broken *other* suite does not block this gate; it is still shown.
  const selectedFiles = new Set(loaded.suites.map((s) => s.file));
  const blocking = o.suites ? loaded.errors.filter((e) => e.file === '(command line)' || !loaded.suites.length || selectedFiles.has(e.file)) : loaded.errors;
  for (const w of loaded.warnings) o.err.write(`warning: ${formatProblem(w)}\n`);
  if (blocking.length) {
    for (const e of loaded.errors) o.err.write(`${formatProblem(e)}\n`);
    o.err.write(`evalwatch: ${blocking.length} suite error${blocking.length > 1 ? 's' : ''}; nothing was run (fix them, see "evalwatch golden validate")\n`);
    return 3;
  }
  for (const e of loaded.errors) o.err.write(`not run: ${formatProblem(e)}\n`);
  let result;
  try {
    result = await runGolden(ctx, {
      runId: o.runId,
      suites: loaded.suites.map((s) => s.name),
      loaded,
      ...(o.baseline ? { baseline: o.baseline } : {}),
      ...(o.target ? { target: o.target } : {}),
      ...(o.env ? { env: o.env } : {}),
    });
  } catch (err) {
    if (err instanceof GoldenConfigError || err instanceof BaselineNotFoundError) {
      o.err.write(`evalwatch: ${err.message}\n`);
      return 3;
    }
    throw err;
  }
  const now = ctx.now();
  const run: RunRequest = { runId: o.runId, pipeline: 'golden', window: { start: now, end: now }, requestedAt: now };
  const summaries = result.runs.map((r) => summarizeSuite(r.record, r.key, ctx.store));
  const report = goldenReport(run, summaries, { errors: loaded.errors, warnings: loaded.warnings }, { planned: summaries.length, done: summaries.length, failed: [] }, now);
  const key = await writeReport(ctx, run, report);
  if (o.json) o.out.write(`${JSON.stringify(report, null, 2)}\n`);
  else o.out.write(formatGoldenSummary(o.runId, summaries));
  o.err.write(`evalwatch: report at ${ctx.store.locate(key ?? runReportKey(run))}\n`);
  return goldenExitCode(summaries);
}

/**
 * `evalwatch golden validate`: every problem as `file:line: message` (errors on stdout, as the
 * output a CI annotates; warnings prefixed), exit 3 on any error.
 *
 * @example
 * process.exitCode = await validateGolden(config, process.stdout, process.stderr);
 */
export async function validateGolden(config: EvalwatchConfig, out: Pick<Writable, 'write'>, err: Pick<Writable, 'write'>): Promise<number> {
  const r = await validateSuites(config.golden.suitesDir, { targets: Object.keys(config.golden.targets) });
  for (const e of r.errors) out.write(`${formatProblem(e)}\n`);
  for (const w of r.warnings) out.write(`warning: ${formatProblem(w)}\n`);
  const cases = r.suites.reduce((n, s) => n + s.cases.length, 0);
  err.write(`evalwatch: ${r.suites.length} suite${r.suites.length === 1 ? '' : 's'} (${cases} cases) valid, ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}, ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}\n`);
  return r.errors.length ? 3 : 0;
}

/**
 * `evalwatch golden add --from-capture <request_id>`: finds the capture (newest hours first),
 * appends it as a case to the suite file (comments kept) and prints where. 3 when the capture is
 * not found, has no prompt text, or the case exists already.
 *
 * @example
 * await addFromCapture(ctx, { requestId: 'req-1', window: { start, end }, out, err });
 */
export async function addFromCapture(
  ctx: PipelineContext,
  o: { requestId: string; window: { start: number; end: number }; suite?: string; out: Pick<Writable, 'write'>; err: Pick<Writable, 'write'> },
): Promise<number> {
  const record = await findCapture(ctx.source, o.requestId, o.window, { fieldMap: ctx.config.captures.fieldMap });
  if (!record) {
    o.err.write(`evalwatch: no capture with request_id "${o.requestId}" between ${new Date(o.window.start).toISOString()} and ${new Date(o.window.end).toISOString()} (widen with --window)\n`);
    return 3;
  }
  try {
    const { file, caseId, suite } = await addCaseFromRecord(ctx.config.golden.suitesDir, record, o.suite, ctx.now());
    o.out.write(`${file}: added case ${caseId} to suite ${suite} (route ${record.route}); review its expected answer and assertions\n`);
    return 0;
  } catch (err) {
    if (err instanceof AddCaseError) {
      o.err.write(`evalwatch: ${err.message}\n`);
      return 3;
    }
    throw err;
  }
}
