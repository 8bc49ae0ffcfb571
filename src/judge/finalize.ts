import { HOUR } from '../captures/partitions.ts';
import type { PipelineContext, RunRequest, UnitAccounting } from '../pipeline/types.ts';
import { unitCoverage } from '../pipeline/run-status.ts';
import { reportHeader } from '../report/header.ts';
import type { Finding, RunReport, Unmeasured } from '../report/types.ts';
import { updateBridgeState } from './bridge-state.ts';
import { addSpend, emptySpend } from './budget-meter.ts';
import { routeConsistency } from './consistency.ts';
import { ALL_ROUTES, coverageCells, flaggedSummary, qualityCells } from './cells.ts';
import { judgeConfigOf, rubricsPath, type JudgeDeps } from './context.ts';
import { coverageFinding, inconsistentFinding, qualityFinding, rebaselinedFinding, unavailableFinding, unhealthyFinding } from './findings.ts';
import { loadHistory, saveAggregate } from './history.ts';
import type { JudgedRow, JudgePartial } from './partial.ts';
import { readPlan } from './plan-manifest.ts';
import { qualityRegressions, type QualityCell } from './regression.ts';
import { loadRubrics } from './rubric.ts';
import { attachTrends, judgeTrends, type JudgeTrend } from './trends.ts';
import type { Rubric } from './rubric-schema.ts';

/**
 * Builds the judge run report: weighted quality per route × dimension with intervals and
 * coverage, regressions against earlier runs with the same judge fingerprint, and at most one
 * `judge.unavailable` or `judge.unhealthy` finding instead of quality findings when the judge
 * cannot be trusted this run. On a trusted run it also reports judge changes (`judge.rebaselined`
 * with the bridge's agreement, the `bridge` section), raises `judge.inconsistent` for routes whose
 * re-runs disagree, stores this run's cells as history, records the judge as the one the next
 * change is bridged from, and tops up the frozen samples. The caller writes the report.
 *
 * @example
 * const report = await finalizeJudge(ctx, run, merged, accounting, {});
 */
export async function finalizeJudge(ctx: PipelineContext, run: RunRequest, merged: JudgePartial, accounting: UnitAccounting, deps: JudgeDeps): Promise<RunReport> {
  const cfg = judgeConfigOf(ctx.config, deps);
  const plan = await readPlan(ctx.store, run);
  const rubrics = (await loadRubrics(rubricsPath(cfg, deps.baseDir), cfg.rubrics)).filter((r) => plan.rubrics.some((p) => p.name === r.name && p.version === r.version));
  const findings: Finding[] = [];
  const unmeasured: Unmeasured[] = [];
  const statusReasons: string[] = [];
  let status: RunReport['status'] = 'ok';
  const model = plan.rubrics[0]?.descriptor.model ?? cfg.model;

  const unavailable = plan.status === 'unavailable' ? { reason: plan.unavailableReason ?? 'unknown', detail: plan.detail ?? '' } : merged.unavailable;
  const trusted = !unavailable && plan.status === 'ready';
  if (plan.status === 'not_configured') {
    status = 'unmeasurable';
    statusReasons.push(plan.detail ?? 'no judge configured');
    unmeasured.push({ route: '*', subject: 'judge', reason: 'not_configured', detail: plan.detail ?? '' });
  } else if (plan.status === 'nothing_to_judge') {
    status = 'unmeasurable';
    statusReasons.push(plan.detail ?? 'no capture in the window could be judged');
    unmeasured.push({ route: '*', subject: 'judge', reason: 'insufficient_data', detail: plan.detail ?? '' });
  } else if (unavailable) {
    status = 'unmeasurable';
    statusReasons.push(`judge endpoint refused the run (${unavailable.reason}): ${unavailable.detail}`);
    findings.push(unavailableFinding(plan.provider, model, unavailable, cfg.baseURL));
  } else if (plan.status === 'unhealthy') {
    // Unhealthy always means unmeasured; the finding needs the canary results that say why.
    status = 'unmeasurable';
    if (plan.canaries) {
      statusReasons.push(`judge failed its canaries (${plan.canaries.correct}/${plan.canaries.checks} graded as expected): quality is not measured this run`);
      findings.push(unhealthyFinding(model, plan.canaries));
    } else {
      statusReasons.push(`judge marked unhealthy (${plan.detail ?? 'no canary results recorded'}): quality is not measured this run`);
    }
  }

  const cells = qualityCells(merged.rows, rubrics);
  const coverage = coverageCells(merged.rows);
  const windowHours = Math.max(1, Math.round((run.window.end - run.window.start) / HOUR));

  let frozenSizes: Record<string, number> = {};
  let consistencyByRoute: ReturnType<typeof routeConsistency> = [];
  let trends: JudgeTrend[] = [];
  if (trusted) {
    // Coverage per route over its population judgments (all rubrics): a judge that scores only
    // the easy captures biases the means, so low coverage is a finding of its own.
    const byRoute = new Map<string, { attempted: number; scored: number; reasons: Record<string, number> }>();
    for (const c of coverage) {
      const r = byRoute.get(c.route) ?? { attempted: 0, scored: 0, reasons: {} };
      r.attempted += c.attempted;
      r.scored += c.scored;
      for (const [k, v] of Object.entries(c.reasons)) r.reasons[k] = (r.reasons[k] ?? 0) + v;
      byRoute.set(c.route, r);
    }
    for (const [route, c] of [...byRoute].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (c.attempted > 0 && c.scored / c.attempted < cfg.coverageFloor) {
        findings.push(coverageFinding(route, c, cfg.coverageFloor, merged.rows.filter((r) => r.route === route && r.status === 'unmeasured').slice(0, 5).map((r) => r.id)));
      }
    }
    const low = [...byRoute.values()].reduce((s, c) => ({ a: s.a + c.attempted, s: s.s + c.scored }), { a: 0, s: 0 });
    if (low.a > 0 && low.s / low.a < cfg.coverageFloor) {
      status = 'degraded';
      statusReasons.push(`${low.s} of ${low.a} judgments scored (${((100 * low.s) / low.a).toFixed(1)}% < floor ${(100 * cfg.coverageFloor).toFixed(0)}%)`);
    }
    if (low.a === 0) {
      status = 'unmeasurable';
      statusReasons.push('no judgment was attempted');
    }
    if (accounting.failed.length) {
      status = status === 'ok' ? 'degraded' : status;
      statusReasons.push(`${accounting.failed.length} of ${accounting.planned} judge units failed; their captures are not in this report`);
    }
    if (plan.belowMinimum) statusReasons.push(`the budget could not cover ${cfg.sampling.minPerRoute} judgments per route`);

    const history = await loadHistory(ctx.store, run.window.start, cfg.regression.historyDays, windowHours);
    const primary = cells.filter((c) => {
      const d = rubrics.find((r) => r.name === c.rubric)?.dimensions.find((x) => x.name === c.dimension);
      return d && (d.type === 'integer' ? c.metric === 'mean' : c.metric === 'pass_rate');
    });
    const reg = qualityRegressions(primary, history, cfg.regression);
    // Score trends for report.html (bounded), the findings' cells first.
    trends = judgeTrends(primary, history, run.window.start, { first: reg.tests.filter((t) => t.significant).map((t) => t.cell) });
    for (const t of reg.tests) {
      if (!t.significant) continue;
      const examples = merged.rows
        .filter((r) => r.rubric === t.cell.rubric && (t.cell.route === '*' || r.route === t.cell.route) && r.population && r.values?.[t.cell.dimension] && !r.values[t.cell.dimension]![1])
        .slice(0, 5)
        .map((r) => r.id);
      findings.push(qualityFinding(t, examples, cfg.regression.minEffect));
    }
    for (const u of reg.unmeasured) unmeasured.push({ route: u.cell.route, subject: `${u.cell.rubric}.${u.cell.dimension}`, reason: u.reason, detail: u.detail });
    attachTrends(findings, trends);
    unmeasured.push(...missingCells(merged.rows, rubrics, primary));
    await saveAggregate(ctx.store, { v: 1, runId: run.runId, windowStart: run.window.start, windowHours, cells });

    // A changed judge: the bridge says how far apart the two series are; the new fingerprint's
    // cells have no history yet, so no regression is called across the change.
    for (const b of plan.bridges ?? []) {
      findings.push(rebaselinedFinding(b));
      if (b.status === 'unmeasured') unmeasured.push({ route: '*', subject: `${b.rubric}.bridge`, reason: b.reason ?? 'unknown', ...(b.detail ? { detail: b.detail } : {}) });
    }
    frozenSizes = await updateBridgeState(ctx.store, { plan, rubrics, candidates: merged.frozen ?? {}, sampleSize: cfg.bridgeSampleSize, runId: run.runId, now: ctx.now });

    const sc = cfg.selfConsistency;
    consistencyByRoute = routeConsistency(merged.consistency, sc);
    for (const c of consistencyByRoute) if (c.inconsistent) findings.push(inconsistentFinding(c, sc, c.examples));
  }

  const spend = addSpend(plan.canarySpend, plan.bridgeSpend ?? emptySpend(), merged.spend);
  const reasons: Record<string, number> = {};
  for (const r of merged.rows) if (r.status === 'unmeasured') reasons[r.reason ?? 'unknown'] = (reasons[r.reason ?? 'unknown'] ?? 0) + 1;
  const served = [...new Set(merged.rows.map((r) => r.servedModel).filter((m): m is string => !!m))].sort();
  const flaggedConsistency = merged.consistency.filter((c) => c.flagged);

  return {
    ...reportHeader({ ...run, pipeline: 'judge' }, ctx.now()),
    status,
    statusReasons,
    input: plan.input,
    coverage: unitCoverage(plan.input, accounting),
    findings,
    unmeasured,
    sections: {
      judge: {
        planStatus: plan.status,
        provider: plan.provider,
        judges: plan.rubrics,
        outputMode: plan.mode,
        servedModels: served,
        canaries: plan.canaries ?? null,
        sample: { rates: plan.rates, counts: plan.counts, scale: plan.scale, belowMinimum: plan.belowMinimum, limitedBy: plan.limitedBy },
        budget: { limit: plan.budget, estimate: plan.estimate, spent: spend, bridgeSpent: plan.bridgeSpend ?? emptySpend() },
        judgments: { attempted: merged.rows.length, scored: merged.rows.filter((r) => r.status === 'scored').length, cached: merged.rows.filter((r) => r.cached).length, unmeasured: reasons },
        quality: trusted ? cells : [],
        trends,
        coverage,
        flagged: trusted ? flaggedSummary(merged.rows, rubrics) : [],
        selfConsistency: {
          measured: merged.consistency.filter((c) => c.status === 'measured').length,
          unmeasured: merged.consistency.filter((c) => c.status === 'unmeasured').length,
          flagged: flaggedConsistency.length,
          examples: flaggedConsistency.slice(0, 10).map((c) => ({ id: c.id, route: c.route, similarity: c.similarity })),
          routes: consistencyByRoute.map(({ examples: _examples, ...c }) => c),
        },
        bridge: trusted ? (plan.bridges ?? []) : [],
        frozenSample: frozenSizes,
      },
    },
  };
}

/**
 * Rubric × route × dimension cells that population captures were judged for but that have no
 * estimate (fewer than two applicable scores): `insufficient_data`, so they are reported rather
 * than silently missing from the quality section.
 */
function missingCells(rows: readonly JudgedRow[], rubrics: readonly Rubric[], cells: readonly QualityCell[]): Unmeasured[] {
  const have = new Set(cells.map((c) => `${c.rubric}\u0000${c.route}\u0000${c.dimension}`));
  const scored = new Map<string, number>();
  for (const r of rows) {
    if (!r.population) continue;
    for (const d of rubrics.find((x) => x.name === r.rubric)?.dimensions ?? []) {
      for (const route of [r.route, ALL_ROUTES]) {
        const k = `${r.rubric}\u0000${route}\u0000${d.name}`;
        scored.set(k, (scored.get(k) ?? 0) + (r.status === 'scored' && r.values?.[d.name]?.[2] ? 1 : 0));
      }
    }
  }
  const out: Unmeasured[] = [];
  for (const k of [...scored.keys()].sort()) {
    if (have.has(k)) continue;
    const [rubric, route, dimension] = k.split('\u0000') as [string, string, string];
    out.push({ route, subject: `${rubric}.${dimension}`, reason: 'insufficient_data', detail: `${scored.get(k)} scored captures, 2 needed for an estimate` });
  }
  return out;
}
