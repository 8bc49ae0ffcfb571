import type { RunReport } from '../report/types.ts';
import { mergeGroupResults } from './fan-in.ts';
import { mergeAllGroups } from './run-core.ts';
import type { Pipeline, PipelineContext, RunRequest, WorkUnit } from './types.ts';

/**
 * Runs a pipeline in this process, one unit at a time: plan → every unit in turn, sorted by unit
 * id → merge → finalize. A unit that throws is accounted as failed, not fatal (no retries). No
 * run record, no `report.json`: the report is returned, not written, so a test can run the same
 * window twice and compare. The merge is the runners' own (`mergeAllGroups` over a record without
 * `fanIn`, i.e. one level), so partials are merged and failures accounted exactly as
 * `runInline` and the queue runner do for a small run.
 *
 * @example
 * const report = await runSequential(ctx, driftPipeline, { runId: 'drift-1', pipeline: 'drift', window, requestedAt: now });
 */
export async function runSequential<P>(ctx: PipelineContext, pipeline: Pipeline<P>, run: RunRequest): Promise<RunReport> {
  const units = byUnitId(await pipeline.plan(ctx, run));
  assertUniqueIds(pipeline, units);
  const partials = new Map<string, P>();
  const failures = new Map<string, string>();
  for (const unit of units) {
    try {
      partials.set(unit.id, await pipeline.processUnit(ctx, run, unit));
    } catch (err) {
      failures.set(unit.id, err instanceof Error ? err.message : String(err));
    }
  }
  const { merged, accounting } = mergeGroupResults(pipeline, mergeAllGroups(pipeline, { units }, partials, failures));
  return pipeline.finalize(ctx, run, merged, accounting);
}

function byUnitId(units: readonly WorkUnit[]): WorkUnit[] {
  return [...units].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Partials are keyed by unit id, so a plan that repeats an id would be merged wrongly; `claimPlan` refuses it too. */
function assertUniqueIds(pipeline: Pick<Pipeline, 'name'>, units: readonly WorkUnit[]): void {
  const ids = new Set<string>();
  for (const u of units) {
    if (ids.has(u.id)) throw new Error(`pipeline ${pipeline.name}: plan returned unit id "${u.id}" twice`);
    ids.add(u.id);
  }
}
