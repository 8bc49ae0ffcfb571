import { emptyIngestCounts } from '../captures/ingest-stats.ts';
import { reportHeader } from '../report/header.ts';
export { reportHeader, type ReportHeader } from '../report/header.ts';
import type { RunReport } from '../report/types.ts';
import { writeReportHtml } from '../report/html/write.ts';
import { assertUniqueUnitIds, fanInGroupSize, mergeGroupResults, type MergedGroup } from './fan-in.ts';
import { runRecordKey, runReportKey } from './run-keys.ts';
import type { Pipeline, PipelineContext, RunRequest, WorkUnit } from './types.ts';

/**
 * The steps both runners share (inline and queue): claim a run's plan in the durable run record,
 * merge partials in unit-id order, finalize, and write `report.json`. Keeping one code path is
 * what makes an inline run and a queue run over the same window produce the same report.
 */

const decoder = new TextDecoder();

/** The durable run record (`runs/<date>/<run-id>/run.json`). Written once, never updated. */
export interface RunRecord {
  schemaVersion: 1;
  runId: string;
  pipeline: RunRequest['pipeline'];
  window: { start: string; end: string; startMs: number; endMs: number };
  requestedAt: number;
  /** When the plan was written (the injected clock). */
  plannedAt: number;
  /** The units the run fans out to; a retry or a second replica reuses exactly these. */
  units: WorkUnit[];
  /**
   * Units per merge group when the run merges in two levels (see `fan-in.ts`); absent: one level.
   * Fixed here so every runner merges the same partials in the same order.
   */
  fanIn?: number;
}

/** Options of {@link claimPlan}. */
export interface ClaimPlanOptions {
  /** Units a run may have before it merges in two levels. Default 16 (`DEFAULT_MAX_FAN_IN`). */
  readonly maxFanIn?: number;
}

/** What {@link claimPlan} found. */
export type PlanClaim =
  | { state: 'finished'; report: RunReport }
  | { state: 'planned'; record: RunRecord; created: boolean };

/**
 * Returns the run's plan, creating it at most once. When the report already exists the run is
 * finished and must not run again (its jobs may be long gone from Redis). When another replica or
 * an earlier attempt wrote the plan first, that plan wins, so every worker fans out the same units
 * even if new objects appeared in the window since.
 *
 * @example
 * const claim = await claimPlan(ctx, pipeline, run);
 * if (claim.state === 'finished') return claim.report;
 */
export async function claimPlan(ctx: PipelineContext, pipeline: Pipeline, run: RunRequest, options: ClaimPlanOptions = {}): Promise<PlanClaim> {
  const report = await readReport(ctx, run);
  if (report) return { state: 'finished', report };
  const existing = await readRunRecord(ctx, run);
  if (existing) return { state: 'planned', record: existing, created: false };
  const units = await pipeline.plan(ctx, run);
  assertUniqueUnitIds(pipeline.name, units);
  const record: RunRecord = {
    schemaVersion: 1,
    runId: run.runId,
    pipeline: run.pipeline,
    window: {
      start: new Date(run.window.start).toISOString(),
      end: new Date(run.window.end).toISOString(),
      startMs: run.window.start,
      endMs: run.window.end,
    },
    requestedAt: run.requestedAt,
    plannedAt: ctx.now(),
    units: units.map((u) => ({ id: u.id, keys: [...u.keys], ...(u.bytes !== undefined ? { bytes: u.bytes } : {}) })),
  };
  const fanIn = fanInGroupSize(units.length, options.maxFanIn);
  if (fanIn !== undefined) record.fanIn = fanIn;
  const created = await ctx.store.putIfAbsent(runRecordKey(run), JSON.stringify(record, null, 2));
  if (created) return { state: 'planned', record, created: true };
  const winner = await readRunRecord(ctx, run);
  if (!winner) throw new Error(`run ${run.runId}: run record vanished right after a concurrent write`);
  return { state: 'planned', record: winner, created: false };
}

/**
 * Reads the run record, or `null`.
 *
 * @example
 * const record = await readRunRecord(ctx, run);
 */
export async function readRunRecord(ctx: Pick<PipelineContext, 'store'>, run: RunRequest): Promise<RunRecord | null> {
  const bytes = await ctx.store.get(runRecordKey(run));
  return bytes ? (JSON.parse(decoder.decode(bytes)) as RunRecord) : null;
}

/**
 * Reads the run report, or `null` when the run has not finished.
 *
 * @example
 * const report = await readReport(ctx, run);
 */
export async function readReport(ctx: Pick<PipelineContext, 'store'>, run: RunRequest): Promise<RunReport | null> {
  const bytes = await ctx.store.get(runReportKey(run));
  return bytes ? (JSON.parse(decoder.decode(bytes)) as RunReport) : null;
}

/**
 * Merges the run's merge groups (in group order; each group merged its partials sorted by unit
 * id, so float sums are the same however units were scheduled), accounts for every planned unit
 * (the groups report a unit with neither a partial nor a failure as failed, never silently
 * dropped), finalizes and writes `report.json`. Options: `timings`, when given, receives the wall
 * time of each serial step (for logs and bench/queue); `prepared`, the bytes of the run's
 * `Pipeline.prepare`, goes to `finalize` (default: none, the finalize does that work itself).
 *
 * @example
 * const report = await finishRun(ctx, pipeline, run, mergeAllGroups(pipeline, record, partials, failures));
 */
export async function finishRun<P>(
  ctx: PipelineContext,
  pipeline: Pipeline<P>,
  run: RunRequest,
  groups: readonly MergedGroup<P>[],
  options: { readonly timings?: FinishTimings; readonly prepared?: Uint8Array } = {},
): Promise<RunReport> {
  const { timings, prepared } = options;
  let t = performance.now();
  const lap = (step: keyof FinishTimings) => {
    const now = performance.now();
    if (timings) timings[step] = Math.round(now - t);
    t = now;
  };
  const { merged, accounting } = mergeGroupResults(pipeline, groups);
  lap('mergeMs');
  const report = await pipeline.finalize(ctx, run, merged, accounting, prepared);
  lap('finalizeMs');
  const key = await writeReport(ctx, run, report);
  lap('writeMs');
  await ctx.onReport?.(report, key);
  lap('onReportMs');
  return report;
}

/** Wall time (ms) of the serial steps of {@link finishRun}. */
export interface FinishTimings {
  mergeMs?: number;
  finalizeMs?: number;
  /** `report.json` and `report.html`. */
  writeMs?: number;
  /** The runner's hook (alert routing). */
  onReportMs?: number;
}

/**
 * Writes `report.json` of a run, and `report.html` beside it (both runners use this one function).
 *
 * @example
 * const key = await writeReport(ctx, run, report);
 */
export async function writeReport(ctx: Pick<PipelineContext, 'store'> & Partial<Pick<PipelineContext, 'logger'>>, run: RunRequest, report: RunReport): Promise<string> {
  const key = runReportKey(run);
  await ctx.store.put(key, `${JSON.stringify(report, null, 2)}\n`, { contentType: 'application/json' });
  // report.html beside it, for a person; a rendering failure is logged, never fails the run.
  await writeReportHtml(ctx.store, key, report, ctx.logger);
  return key;
}

/**
 * Records read by a unit, when its partial says so (`input.records` or `records`), for progress.
 *
 * @example
 * recordsOf({ input: { records: 120 } }); // 120
 */
export function recordsOf(partial: unknown): number | undefined {
  if (partial === null || typeof partial !== 'object') return undefined;
  const p = partial as { records?: unknown; input?: { records?: unknown } };
  if (typeof p.input?.records === 'number') return p.input.records;
  if (typeof p.records === 'number') return p.records;
  return undefined;
}

/**
 * The process exit code of a finished run (DESIGN §5): `2` when the run could not measure
 * (`unmeasurable` or `failed`), `1` when a gate-like pipeline (golden, or nightly, which runs
 * golden) confirms a regression,
 * else `0` — a drift run that measured exits 0 whatever it found: findings go to alerts, not to
 * the shell.
 *
 * @example
 * process.exitCode = exitCodeForReport(report);
 */
export function exitCodeForReport(report: Pick<RunReport, 'status' | 'pipeline' | 'findings'>): 0 | 1 | 2 {
  if (report.status === 'unmeasurable' || report.status === 'failed') return 2;
  const gate = report.pipeline === 'golden' || report.pipeline === 'nightly';
  if (gate && report.findings.some((f) => f.kind.startsWith('golden.regression') && f.state !== 'resolved')) return 1;
  return 0;
}


/**
 * The report of a run whose finalize step itself broke after all its attempts: status `failed`,
 * nothing measured, the error in `statusReasons`. Written so the run does not silently vanish
 * (and `evalwatch run` exits 2 instead of waiting forever).
 *
 * @example
 * await writeReport(ctx, run, failedReport(run, planned, err, ctx.now()));
 */
export function failedReport(run: RunRequest, unitsPlanned: number, error: unknown, now: number): RunReport {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ...reportHeader(run, now),
    status: 'failed',
    statusReasons: [`finalize failed after all attempts: ${message}`],
    input: emptyIngestCounts(),
    coverage: { objects: 0, objectsRead: 0, unitsPlanned, unitsDone: 0, unitsFailed: 0 },
    findings: [],
    unmeasured: [],
    sections: {},
  };
}
