import type { Pipeline, PipelineContext, RunRequest, WorkUnit } from '../pipeline/types.ts';
import { shortHash } from '../store/keys.ts';
import { loadSuites } from './suite/index.ts';
import { goldenReport, summarizeSuite, type GoldenSuiteSummary } from './run/report.ts';
import { runGolden } from './run/run-golden.ts';

/** The mergeable partial of one golden unit (one suite). */
export interface GoldenPartial {
  suites: GoldenSuiteSummary[];
}

/**
 * The suites a scheduled or `evalwatch run golden` run covers: `config.golden.schedule` when it
 * names suites, every suite when it is empty or `["*"]`.
 *
 * @example
 * scheduledSuites(config.golden); // ['support'] or undefined (= all)
 */
export function scheduledSuites(golden: PipelineContext['config']['golden']): string[] | undefined {
  const s = golden.schedule;
  return s.length === 0 || s.includes('*') ? undefined : [...s];
}

function unitId(name: string): string {
  // Safe in a BullMQ job id and a store key; a hash keeps odd names apart.
  return /^[\w.-]{1,80}$/.test(name) ? `suite.${name}` : `suite.${shortHash(name)}`;
}

/**
 * The `golden` pipeline: one unit per suite (the suite is run, confirmed and judged in its unit,
 * its results written to `golden/<suite>/<run-id>.json`), merged into one report with
 * `sections.golden` and `golden.regression` / `golden.unmeasured` findings. Used by the worker
 * (a schedule with `pipeline: 'golden'`), `evalwatch run golden` and `nightly`.
 */
export const goldenPipeline: Pipeline<GoldenPartial> = {
  name: 'golden',

  async plan(ctx: PipelineContext): Promise<WorkUnit[]> {
    const { suites } = await loadSuites(ctx.config.golden.suitesDir, {
      ...(scheduledSuites(ctx.config.golden) ? { only: scheduledSuites(ctx.config.golden) as string[] } : {}),
      targets: Object.keys(ctx.config.golden.targets),
    });
    return suites.map((s) => ({ id: unitId(s.name), keys: [s.file] }));
  },

  async processUnit(ctx: PipelineContext, run: RunRequest, unit: WorkUnit): Promise<GoldenPartial> {
    const { suites } = await loadSuites(ctx.config.golden.suitesDir, { targets: Object.keys(ctx.config.golden.targets) });
    const suite = suites.find((s) => unitId(s.name) === unit.id);
    if (!suite) throw new Error(`golden unit ${unit.id}: the suite (${unit.keys[0] ?? '?'}) no longer loads; run "evalwatch golden validate"`);
    const { runs } = await runGolden(ctx, { runId: run.runId, suites: [suite.name] });
    return { suites: runs.map((r) => summarizeSuite(r.record, r.key, ctx.store)) };
  },

  merge(parts: GoldenPartial[]): GoldenPartial {
    return { suites: parts.flatMap((p) => p.suites).sort((a, b) => (a.suite < b.suite ? -1 : a.suite > b.suite ? 1 : 0)) };
  },

  async finalize(ctx, run, merged, accounting) {
    // Load problems come from a fresh load: a suite that does not load has no unit to report it.
    const only = scheduledSuites(ctx.config.golden);
    const { errors, warnings } = await loadSuites(ctx.config.golden.suitesDir, { ...(only ? { only } : {}), targets: Object.keys(ctx.config.golden.targets) });
    return goldenReport(run, merged.suites, { errors, warnings }, accounting, ctx.now());
  },
};
