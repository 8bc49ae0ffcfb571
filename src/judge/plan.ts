import { compileFieldMap } from '../captures/field-map.ts';
import { createFastValidator } from '../captures/fast-validate.ts';
import { emptyIngestCounts, mergeIngestCounts } from '../captures/ingest-stats.ts';
import { scanObject } from '../captures/reader.ts';
import { listWindow } from '../captures/scan-window.ts';
import { parseDuration } from '../config/duration.ts';
import type { PipelineContext, RunRequest, WorkUnit } from '../pipeline/types.ts';
import { shortHash } from '../store/keys.ts';
import { storeQuarantine } from '../store/quarantine.ts';
import { runBridges } from './bridge-run.ts';
import { readFrozen } from './bridge-store.ts';
import { addSpend, BudgetMeter, emptySpend, type BudgetLimit } from './budget-meter.ts';
import { runCanaries } from './canaries.ts';
import { JudgeClient, type JudgeEvent } from './client.ts';
import { providerOf } from './config.ts';
import { HOW_TO_CONFIGURE_JUDGE, judgeApiKey, judgeConfigOf, judgeConfigured, rubricsPath, type JudgeDeps } from './context.ts';
import { judgeDescriptor, judgeFingerprint } from './fingerprint.ts';
import { outputSchema } from './output-schema.ts';
import { writePlan, type JudgePlan } from './plan-manifest.ts';
import { fanOut } from './metrics.ts';
import { loadRubrics } from './rubric.ts';
import { planSample, type StratumCount } from './sampling.ts';
import { eligibleRubrics } from './select.ts';

/** Characters of the fixed system prompt around a rubric's template, for the token estimate. */
const SYSTEM_CHARS = 1_600;

/**
 * The judge pipeline's plan: read the window once to count eligible captures per rubric and
 * route, check the judge on its canaries, size the stratified sample to the budget, and pack the
 * capture objects holding selected captures into units of about `unitSize` judgments. The
 * decisions are stored (`judge-plan.json`) for the units and finalize.
 *
 * @example
 * const units = await planJudge(ctx, run, {});
 */
export async function planJudge(ctx: PipelineContext, run: RunRequest, deps: JudgeDeps): Promise<WorkUnit[]> {
  const cfg = judgeConfigOf(ctx.config, deps);
  const rubrics = await loadRubrics(rubricsPath(cfg, deps.baseDir), cfg.rubrics);
  const apiKey = judgeApiKey(deps);
  const provider = providerOf(cfg);
  const budget: BudgetLimit = { calls: cfg.budget.calls, tokens: cfg.budget.tokens, usd: cfg.budget.usd };
  const byName = new Map(rubrics.map((r) => [r.name, r]));

  // 1. One pass over the window: eligible captures per rubric × route, and per object.
  const objects = await listWindow(ctx.source, run.window);
  const counts: Record<string, Record<string, StratumCount>> = {};
  const perObject = new Map<string, Map<string, { pop: number; flg: number }>>();
  const quarantine = storeQuarantine({ store: ctx.store, runId: run.runId, dayMs: run.requestedAt });
  const fieldMap = compileFieldMap(ctx.config.captures.fieldMap);
  const validator = createFastValidator();
  const slack = parseDuration(ctx.config.captures.partitionSlack);
  let input = emptyIngestCounts();
  for (const obj of objects) {
    const mine = new Map<string, { pop: number; flg: number }>();
    perObject.set(obj.key, mine);
    const res = await scanObject(
      ctx.source,
      obj,
      { quarantine, runId: run.runId, fieldMap, validator, maxLineBytes: ctx.config.captures.maxLineBytes, partitionSlackMs: slack, window: run.window, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      (r) => {
        for (const e of eligibleRubrics(r, rubrics)) {
          const c = ((counts[e.rubric.name] ??= {})[r.route] ??= { population: 0, flagged: 0, chars: 0 });
          if (r.population) c.population++;
          else c.flagged++;
          c.chars += e.chars;
          const k = `${e.rubric.name}\u0000${r.route}`;
          const m = mine.get(k) ?? { pop: 0, flg: 0 };
          if (r.population) m.pop++;
          else m.flg++;
          mine.set(k, m);
        }
      },
    );
    await quarantine.flush(obj.key);
    input = mergeIngestCounts(input, res.counts);
  }
  input.objects = objects.length;

  const base = {
    v: 1 as const,
    runId: run.runId,
    provider,
    counts,
    rates: {},
    estimate: { calls: 0, promptTokens: 0, completionTokens: 0, usd: 0, consistencyCalls: 0 },
    budget,
    scale: 1,
    belowMinimum: false,
    limitedBy: null,
    canarySpend: emptySpend(),
    units: [],
    input,
  };
  const describe = (mode: JudgePlan['mode']) =>
    rubrics.map((r) => {
      const descriptor = judgeDescriptor(cfg, r, mode);
      return { name: r.name, version: r.version, fingerprint: judgeFingerprint(descriptor), descriptor };
    });
  const initialMode = cfg.outputMode === 'auto' ? 'json_schema' : cfg.outputMode;
  const stop = async (plan: Partial<JudgePlan> & Pick<JudgePlan, 'status'>): Promise<WorkUnit[]> => {
    await writePlan(ctx.store, run, { ...base, mode: initialMode, rubrics: describe(initialMode), ...plan });
    return [];
  };

  if (!judgeConfigured(cfg.baseURL, apiKey)) return stop({ status: 'not_configured', detail: HOW_TO_CONFIGURE_JUDGE });
  const eligible = Object.values(counts).some((routes) => Object.values(routes).some((c) => c.population + c.flagged > 0));
  if (!eligible) return stop({ status: 'nothing_to_judge', detail: `no capture in the window has the fields any of ${rubrics.length} rubrics needs` });

  // 2. Canaries: a judge that misgrades known items must not produce tonight's quality numbers.
  const log = (e: JudgeEvent) => ctx.logger.debug({ event: e }, 'judge client event');
  const onEvent = deps.onEvent ? fanOut(log, deps.onEvent) : log;
  const client = new JudgeClient({
    config: cfg,
    ...(apiKey ? { apiKey } : {}),
    ...(deps.limiter ? { limiter: deps.limiter } : {}),
    onEvent,
  });
  const canaryMeter = new BudgetMeter(budget, cfg.pricing);
  let canaries: JudgePlan['canaries'];
  if (cfg.canaries.enabled && rubrics.some((r) => r.canaries.length)) {
    canaries = await runCanaries(client, rubrics, { minAccuracy: cfg.canaries.minAccuracy, budget: canaryMeter, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  }
  const mode = client.mode;
  const canarySpend = canaryMeter.spent;
  if (client.unavailable) {
    return stop({ status: 'unavailable', unavailableReason: client.unavailable.reason, detail: client.unavailable.message, canarySpend, ...(canaries ? { canaries } : {}) });
  }
  if (canaries && !canaries.healthy) return stop({ status: 'unhealthy', detail: `canary accuracy ${canaries.correct}/${canaries.checks}`, canarySpend, canaries, mode, rubrics: describe(mode) });

  // 3. Bridges: a rubric whose judge changed since its last trusted run re-scores its frozen
  // sample with both judges before tonight's numbers start a new series.
  const described = describe(mode);
  const bridgeMeter = new BudgetMeter(
    { calls: Math.max(0, budget.calls - canarySpend.calls), tokens: Math.max(0, budget.tokens - canarySpend.promptTokens - canarySpend.completionTokens), usd: Math.max(0, budget.usd - canarySpend.usd) },
    cfg.pricing,
  );
  const bridges = await runBridges({
    store: ctx.store,
    config: cfg,
    judges: described.map((d) => ({ rubric: byName.get(d.name)!, fingerprint: d.fingerprint, descriptor: d.descriptor })),
    newJudge: client,
    ...(apiKey ? { apiKey } : {}),
    onEvent,
    budget: bridgeMeter,
    runId: run.runId,
    now: ctx.now,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const bridgeSpend = bridgeMeter.spent;
  // The new judge may have refused during the bridge (the getter is re-read, not narrowed).
  const down = (client as JudgeClient).unavailable;
  if (down) return stop({ status: 'unavailable', unavailableReason: down.reason, detail: down.message, canarySpend, bridgeSpend, ...(canaries ? { canaries } : {}) });
  const freeze: string[] = [];
  if (cfg.bridgeSampleSize > 0) {
    for (const r of rubrics) if (((await readFrozen(ctx.store, r.name))?.items.length ?? 0) < cfg.bridgeSampleSize) freeze.push(r.name);
  }

  // 4. The stratified sample, shrunk to what the budget left after canaries and bridges.
  const spentBefore = addSpend(canarySpend, bridgeSpend);
  const left: BudgetLimit = {
    calls: Math.max(0, budget.calls - spentBefore.calls),
    tokens: Math.max(0, budget.tokens - spentBefore.promptTokens - spentBefore.completionTokens),
    usd: Math.max(0, budget.usd - spentBefore.usd),
  };
  const share = cfg.budget.planShare;
  const sc = cfg.selfConsistency;
  const sample = planSample({
    counts,
    sizing: (name) => ({ ...cfg.sampling, ...byName.get(name)!.sampling }),
    dimensions: (name) => byName.get(name)!.dimensions.length,
    budget: { calls: left.calls * share, tokens: left.tokens * share, usd: left.usd * share },
    pricing: cfg.pricing,
    overheadChars: (name) => SYSTEM_CHARS + byName.get(name)!.template.length + JSON.stringify(outputSchema(byName.get(name)!)).length,
    ...(sc.fraction > 0 ? { consistency: { fraction: sc.fraction / Math.max(1, rubrics.length), k: sc.k, maxTokens: sc.maxTokens } } : {}),
  });

  // 5. Units: objects in key order, packed to about unitSize expected judgments; objects with
  // nothing selected are not read again.
  const packed: { keys: string[]; expected: number; bytes: number }[] = [];
  let cur = { keys: [] as string[], expected: 0, bytes: 0 };
  for (const obj of objects) {
    let expected = 0;
    for (const [k, m] of perObject.get(obj.key) ?? []) {
      const [rubric, route] = k.split('\u0000') as [string, string];
      const rate = sample.rates[rubric]?.[route];
      if (rate) expected += m.pop * rate.population + m.flg * rate.flagged;
    }
    if (expected <= 0) continue;
    cur.keys.push(obj.key);
    cur.expected += expected;
    cur.bytes += obj.size ?? 0;
    if (cur.expected >= cfg.unitSize) {
      packed.push(cur);
      cur = { keys: [], expected: 0, bytes: 0 };
    }
  }
  if (cur.keys.length) packed.push(cur);
  const total = packed.reduce((s, u) => s + u.expected, 0);
  const units = packed.map((u, i) => ({
    id: `u${String(i).padStart(4, '0')}-${shortHash(u.keys[0]!)}`,
    keys: u.keys,
    expected: u.expected,
    // Shares of the whole remaining budget sum to it: a hard ceiling across units and processes.
    budget: { calls: Math.floor((left.calls * u.expected) / total), tokens: Math.floor((left.tokens * u.expected) / total), usd: (left.usd * u.expected) / total },
  }));
  await writePlan(ctx.store, run, {
    ...base,
    status: units.length ? 'ready' : 'nothing_to_judge',
    mode,
    rubrics: described,
    rates: sample.rates,
    estimate: sample.estimate,
    scale: sample.scale,
    belowMinimum: sample.belowMinimum,
    limitedBy: sample.limitedBy,
    canarySpend,
    ...(canaries ? { canaries } : {}),
    ...(bridges.length ? { bridges } : {}),
    bridgeSpend,
    ...(freeze.length ? { freeze } : {}),
    units,
  });
  return units.map((u, i) => ({ id: u.id, keys: u.keys, ...(packed[i]!.bytes ? { bytes: packed[i]!.bytes } : {}) }));
}
