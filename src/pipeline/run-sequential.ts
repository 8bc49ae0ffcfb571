import type { RunReport } from '../report/types.ts';
import { assertUniqueUnitIds, byUnitId, mergeAllGroups, mergeGroupResults } from './fan-in.ts';
import type { Pipeline, PipelineContext, RunRequest } from './types.ts';

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
  const units = (await pipeline.plan(ctx, run)).sort(byUnitId);
  assertUniqueUnitIds(pipeline.name, units);
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
