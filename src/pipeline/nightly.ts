import { emptyIngestCounts } from '../captures/ingest-stats.ts';
import { rerunSuffix, runIdFor } from '../queue/names.ts';
import { reportHeader } from '../report/header.ts';
import type { IngestCounts } from '../captures/ingest-stats.ts';
import type { Finding, PipelineName, RunReport, RunStatus, Unmeasured } from '../report/types.ts';
import { availablePipelines, getPipeline } from './registry.ts';
import { runReportKey } from './run-keys.ts';
import { runInline } from './run-inline.ts';
import { unitCoverage } from './run-status.ts';
import type { Pipeline, PipelineContext, RunRequest, UnitAccounting, WorkUnit } from './types.ts';

/**
 * The `nightly` pipeline: drift, judge, golden and slo over the same window, one after the
 * other, in one report. Each part is an ordinary run of its pipeline with the id a schedule of
 * that pipeline would give the same window (`drift-20261123T0000Z-24h`), so a part that a
 * separate schedule already ran is reused from its report, never run or alerted twice.
 *
 * The parts run in order inside one unit, because later parts may read what earlier ones wrote
 * (an SLO on judge scores reads that night's scores). A retried unit reuses the parts that
 * already have a report. The parts run without the runner's alert hook; the nightly report
 * carries the union of their findings and is routed once. A part that breaks is reported as
 * `failed` with its error, and the nightly report is `degraded`: never silently shorter.
 */

/** Parts in the order they run; only those this build provides are planned. */
const PART_ORDER = ['drift', 'judge', 'golden', 'slo'] as const satisfies readonly PipelineName[];

/** What one part contributes to the nightly report (the unit's partial). */
export interface NightlyPart {
  pipeline: PipelineName;
  runId: string;
  reportKey: string;
  status: RunStatus;
  statusReasons: string[];
  input: IngestCounts;
  findings: Finding[];
  unmeasured: Unmeasured[];
  sections: Record<string, unknown>;
  /** The part's report existed already (a separate schedule or an earlier attempt ran it). */
  reused: boolean;
}

const UNIT: WorkUnit = { id: 'parts', keys: [] };

export interface NightlyPartial {
  parts: NightlyPart[];
}

/** The sub-run of one part: same window, the id its own schedule would use. */
export function partRun(run: RunRequest, pipeline: PipelineName): RunRequest {
  return { runId: partRunId(run, pipeline), pipeline, window: run.window, requestedAt: run.requestedAt };
}

function partRunId(run: RunRequest, pipeline: PipelineName): string {
  // A forced re-run of nightly re-runs its parts too, under ids of their own.
  return `${runIdFor(pipeline, run.window)}${rerunSuffix(run.runId)}`;
}

/**
 * @example
 * const { report } = await runInline(ctx, nightlyPipeline, run);
 * report.sections.nightly; // { parts: [{ pipeline: 'drift', runId: 'drift-…', status: 'ok', … }, …] }
 */
export const nightlyPipeline: Pipeline<NightlyPartial> = {
  name: 'nightly',

  async plan(): Promise<WorkUnit[]> {
    return [UNIT];
  },

  async processUnit(ctx: PipelineContext, run: RunRequest): Promise<NightlyPartial> {
    const available = new Set(availablePipelines());
    const parts: NightlyPart[] = [];
    for (const name of PART_ORDER.filter((p) => available.has(p))) parts.push(await runPart(ctx, run, name));
    return { parts };
  },

  merge(parts: NightlyPartial[]): NightlyPartial {
    const all = parts.flatMap((p) => p.parts);
    all.sort((a, b) => PART_ORDER.indexOf(a.pipeline as never) - PART_ORDER.indexOf(b.pipeline as never));
    return { parts: all };
  },

  async finalize(ctx: PipelineContext, run: RunRequest, merged: NightlyPartial, accounting: UnitAccounting): Promise<RunReport> {
    return nightlyReport(run, merged, accounting, ctx.now());
  },
};

async function runPart(ctx: PipelineContext, run: RunRequest, name: PipelineName): Promise<NightlyPart> {
  const sub = partRun(run, name);
  const base = { pipeline: name, runId: sub.runId, reportKey: runReportKey(sub) };
  const { onReport: _routedOnceByNightly, ...partCtx } = ctx;
  try {
    const concurrency = ctx.config.queue.concurrency;
    const { report, alreadyFinished } = await runInline(partCtx, await getPipeline(name), sub, concurrency ? { concurrency } : {});
    const { status, statusReasons, input, findings, unmeasured, sections } = report;
    return { ...base, status, statusReasons, input, findings, unmeasured, sections, reused: alreadyFinished };
  } catch (err) {
    ctx.signal?.throwIfAborted();
    const message = err instanceof Error ? err.message : String(err);
    ctx.logger.warn({ runId: run.runId, part: name, err: message }, 'nightly part failed');
    return { ...base, status: 'failed', statusReasons: [message], input: emptyIngestCounts(), findings: [], unmeasured: [], sections: {}, reused: false };
  }
}

/**
 * Combines the parts: findings and unmeasured are the union, sections are the parts' own
 * sections plus `sections.nightly`, the input counts are those of the part that read the most
 * (every part reads the same window; summing would count each record several times).
 *
 * @example
 * const report = nightlyReport(run, { parts }, { planned: 2, done: 2, failed: [] }, Date.now());
 */
export function nightlyReport(run: RunRequest, merged: NightlyPartial, accounting: UnitAccounting, nowMs: number): RunReport {
  const { parts } = merged;
  const statusReasons: string[] = [];
  for (const p of parts) for (const r of p.statusReasons) statusReasons.push(`${p.pipeline}: ${r}`);
  for (const f of accounting.failed) statusReasons.push(`nightly: did not complete (${f.error})`);
  const counts = parts.reduce<IngestCounts | undefined>((best, p) => (!best || p.input.records > best.records ? p.input : best), undefined) ?? emptyIngestCounts();
  const sections: Record<string, unknown> = {};
  for (const p of parts) Object.assign(sections, p.sections);
  sections.nightly = {
    parts: parts.map((p) => ({
      pipeline: p.pipeline,
      runId: p.runId,
      reportKey: p.reportKey,
      status: p.status,
      findings: p.findings.length,
      unmeasured: p.unmeasured.length,
      reused: p.reused,
    })),
  };
  return {
    ...reportHeader(run, nowMs),
    status: nightlyStatus(parts.map((p) => p.status), accounting),
    statusReasons,
    input: counts,
    coverage: unitCoverage(counts, accounting),
    findings: parts.flatMap((p) => p.findings),
    unmeasured: parts.flatMap((p) => p.unmeasured.map((u) => ({ ...u, subject: `${p.pipeline}: ${u.subject}` }))),
    sections,
  };
}

/**
 * `unmeasurable` when no part measured anything (`failed` when every part broke); `degraded`
 * when some part could not measure, broke or did not run; `ok` when every part is `ok`.
 *
 * @example
 * nightlyStatus(['ok', 'unmeasurable'], { planned: 1, done: 1, failed: [] }); // 'degraded'
 */
export function nightlyStatus(statuses: RunStatus[], accounting: UnitAccounting): RunStatus {
  const measured = statuses.filter((s) => s === 'ok' || s === 'degraded').length;
  if (measured === 0) return statuses.length > 0 && statuses.every((s) => s === 'failed') ? 'failed' : 'unmeasurable';
  if (measured < statuses.length || accounting.failed.length > 0 || statuses.includes('degraded')) return 'degraded';
  return 'ok';
}
