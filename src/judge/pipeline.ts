import { runSequential } from '../pipeline/run-sequential.ts';
import type { Pipeline, PipelineContext, RunRequest } from '../pipeline/types.ts';
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
 * as failed. Does not write the report. The judge binding of {@link runSequential}.
 *
 * @example
 * const report = await runJudgeInline(ctx, { runId: 'judge-1', pipeline: 'judge', window, requestedAt: now });
 */
export function runJudgeInline(ctx: PipelineContext, run: RunRequest, pipeline: Pipeline<JudgePartial> = judgePipeline): Promise<RunReport> {
  return runSequential(ctx, pipeline, run);
}
