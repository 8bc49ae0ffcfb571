import type { Pipeline, PipelineContext, RunRequest, UnitAccounting } from '../pipeline/types.ts';
import type { RunReport } from '../report/types.ts';
import type { JudgeDeps } from './context.ts';
import { finalizeJudge } from './finalize.ts';
import { mergeJudgePartials, type JudgePartial } from './partial.ts';
import { planJudge } from './plan.ts';
import { processJudgeUnit } from './unit.ts';

/**
 * The judge pipeline with explicit dependencies (API key, a shared limiter, the rubrics' base
 * folder); `judgePipeline` is this with every default.
 *
 * @example
 * const p = createJudgePipeline({ apiKey: 'sk-…', baseDir: configDir });
 * const units = await p.plan(ctx, run);
 */
export function createJudgePipeline(deps: JudgeDeps = {}): Pipeline<JudgePartial> {
  return {
    name: 'judge',
    plan: (ctx, run) => planJudge(ctx, run, deps),
    processUnit: (ctx, run, unit) => processJudgeUnit(ctx, run, unit, deps),
    merge: (parts) => mergeJudgePartials(parts),
    finalize: (ctx, run, merged, accounting) => finalizeJudge(ctx, run, merged, accounting, deps),
  };
}

/**
 * The judge pipeline: plan (count, canaries, sample, units) → units of judge calls → merge →
 * finalize (weighted quality, coverage, regressions, findings). Register it in
 * `src/pipeline/registry.ts`.
 *
 * @example
 * const report = await runJudgeInline(ctx, run);
 */
export const judgePipeline: Pipeline<JudgePartial> = createJudgePipeline();

/**
 * Runs the judge pipeline in this process, units in id order; a unit that throws is accounted
 * as failed. Does not write the report.
 *
 * @example
 * const report = await runJudgeInline(ctx, { runId: 'judge-1', pipeline: 'judge', window, requestedAt: now });
 */
export async function runJudgeInline(ctx: PipelineContext, run: RunRequest, pipeline: Pipeline<JudgePartial> = judgePipeline): Promise<RunReport> {
  const units = (await pipeline.plan(ctx, run)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const accounting: UnitAccounting = { planned: units.length, done: 0, failed: [] };
  const parts: JudgePartial[] = [];
  for (const unit of units) {
    try {
      parts.push(await pipeline.processUnit(ctx, run, unit));
      accounting.done++;
    } catch (err) {
      accounting.failed.push({ unitId: unit.id, keys: unit.keys, error: (err as Error).message });
    }
  }
  return pipeline.finalize(ctx, run, pipeline.merge(parts), accounting);
}
