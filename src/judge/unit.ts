import { compileFieldMap } from '../captures/field-map.ts';
import { createFastValidator } from '../captures/fast-validate.ts';
import { keyTemplate, HOUR } from '../captures/partitions.ts';
import type { ReadRecord } from '../captures/record.ts';
import { scanObject } from '../captures/reader.ts';
import { parseDuration } from '../config/duration.ts';
import type { PipelineContext, RunRequest, WorkUnit } from '../pipeline/types.ts';
import { scoresKey } from '../store/keys.ts';
import { memoryQuarantine } from '../store/quarantine.ts';
import { BudgetMeter } from './budget-meter.ts';
import { readCache, writeCache } from './cache.ts';
import type { FrozenItem } from './bridge-store.ts';
import { JudgeClient, type JudgeEvent, type JudgeOutcome } from './client.ts';
import { providerOf } from './config.ts';
import { selfConsistency } from './consistency.ts';
import { judgeApiKey, judgeConfigOf, type JudgeDeps } from './context.ts';
import { inputHash, type JudgeItem } from './item.ts';
import { emptyJudgePartial, smallestDraws, type ConsistencyRow, type JudgedRow, type JudgePartial } from './partial.ts';
import { readPlan } from './plan-manifest.ts';
import { fanOut } from './metrics.ts';
import { loadRubrics } from './rubric.ts';
import type { Rubric } from './rubric-schema.ts';
import { rubricsPath } from './context.ts';
import { selectionDraw } from './sampling.ts';
import { eligibleRubrics, selectionProbability } from './select.ts';

interface Job {
  readonly rubric: Rubric;
  readonly record: ReadRecord;
  readonly item: JudgeItem;
  readonly probability: number;
}

/**
 * One judge work unit: re-read its capture objects, re-draw the deterministic selection with the
 * plan's rates, judge each selected capture on each eligible rubric (cache first), run the
 * self-consistency re-runs, write every judgment with its fingerprint to `scores/`, and return
 * the compact rows that aggregates need. A retried unit judges the same captures, and the cache
 * hands back what was already scored.
 *
 * @example
 * const partial = await processJudgeUnit(ctx, run, unit, {});
 */
export async function processJudgeUnit(ctx: PipelineContext, run: RunRequest, unit: WorkUnit, deps: JudgeDeps): Promise<JudgePartial> {
  const plan = await readPlan(ctx.store, run);
  if (plan.status !== 'ready') return emptyJudgePartial();
  const planned = plan.units.find((u) => u.id === unit.id);
  if (!planned) throw new Error(`unit ${unit.id} is not in the judge plan of ${run.runId}`);
  const cfg = judgeConfigOf(ctx.config, deps);
  const all = await loadRubrics(rubricsPath(cfg, deps.baseDir), cfg.rubrics);
  const fingerprints = new Map(plan.rubrics.map((r) => [r.name, r]));
  // Only rubrics exactly as planned: an edit between plan and unit would mix two judges.
  const rubrics = all.filter((r) => fingerprints.get(r.name)?.version === r.version);
  const salt = cfg.sampling.salt;

  // 1. Re-select. Quarantine was written by the plan's pass; this pass discards rejects.
  const template = keyTemplate(ctx.config.captures.keyTemplate);
  const quarantine = memoryQuarantine({ maxEntriesPerObject: 1 });
  const fieldMap = compileFieldMap(ctx.config.captures.fieldMap);
  const validator = createFastValidator();
  const slack = parseDuration(ctx.config.captures.partitionSlack);
  const jobs: Job[] = [];
  const consistencyPick: ReadRecord[] = [];
  const sc = cfg.selfConsistency;
  for (const key of unit.keys) {
    const partitionStart = template.hourOf(key) ?? Math.floor(run.window.start / HOUR) * HOUR;
    await scanObject(
      ctx.source,
      { key, partitionStart },
      { quarantine, runId: run.runId, fieldMap, validator, maxLineBytes: ctx.config.captures.maxLineBytes, partitionSlackMs: slack, window: run.window, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      (record) => {
        let picked = false;
        for (const e of eligibleRubrics(record, rubrics)) {
          const probability = selectionProbability(record, plan.rates[e.rubric.name]?.[record.route], salt);
          if (probability > 0) {
            jobs.push({ rubric: e.rubric, record, item: e.item, probability });
            picked = true;
          }
        }
        if (picked && record.population && sc.fraction > 0 && selectionDraw(`${salt}:consistency`, record.request_id) < sc.fraction) {
          consistencyPick.push(record);
        }
      },
    );
  }

  // 2. Judge. The client's limiter caps concurrency and rate; the meter caps this unit's spend.
  const apiKey = judgeApiKey(deps);
  const log = (e: JudgeEvent) => ctx.logger.debug({ event: e, unit: unit.id }, 'judge client event');
  const onEvent = deps.onEvent ? fanOut(log, deps.onEvent) : log;
  const client = new JudgeClient({
    config: cfg,
    mode: plan.mode,
    ...(apiKey ? { apiKey } : {}),
    ...(deps.limiter ? { limiter: deps.limiter } : {}),
    onEvent,
  });
  const provider = providerOf(cfg);
  const freeze = new Set(plan.freeze ?? []);
  const candidates: Record<string, FrozenItem[]> = {};
  const meter = new BudgetMeter(planned.budget, cfg.pricing);
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const lines: string[] = [];
  const rows: JudgedRow[] = await Promise.all(
    jobs.map(async (job): Promise<JudgedRow> => {
      const fp = fingerprints.get(job.rubric.name)!;
      const hash = inputHash(job.item);
      const weight = job.record.weight / job.probability;
      const common = { rubric: job.rubric.name, route: job.record.route, id: job.record.request_id, fingerprint: fp.fingerprint, population: job.record.population, weight };
      const hit = await readCache(ctx.store, fp.fingerprint, hash);
      if (hit) onEvent({ type: 'call', provider, model: fp.descriptor.model, outcome: 'cached', promptTokens: 0, completionTokens: 0, usd: 0 });
      let outcome: JudgeOutcome | undefined;
      if (!hit) {
        outcome = await client.judge(job.rubric, job.item, { budget: meter, ...signal });
        if (outcome.status === 'scored') {
          await writeCache(ctx.store, fp.fingerprint, hash, {
            v: 1,
            scores: outcome.scores,
            ...(outcome.servedModel ? { servedModel: outcome.servedModel } : {}),
            ...(outcome.systemFingerprint ? { systemFingerprint: outcome.systemFingerprint } : {}),
            judgedAt: ctx.now(),
          });
        }
      }
      const scores = hit?.scores ?? (outcome?.status === 'scored' ? outcome.scores : undefined);
      const servedModel = hit?.servedModel ?? outcome?.servedModel;
      lines.push(
        JSON.stringify({
          v: 1,
          runId: run.runId,
          ...common,
          rubricVersion: job.rubric.version,
          judge: fp.descriptor,
          ts: job.record.timestamp,
          captured_reason: job.record.captured_reason ?? null,
          sample_rate: job.record.sample_rate,
          selectionProbability: job.probability * job.record.sample_rate,
          inputHash: hash,
          status: scores ? 'scored' : 'unmeasured',
          ...(scores ? { scores } : {}),
          ...(outcome?.status === 'unmeasured' ? { reason: outcome.reason, detail: outcome.detail, ...(outcome.raw ? { raw: outcome.raw } : {}) } : {}),
          cached: !!hit,
          ...(outcome?.status === 'scored' ? { repaired: outcome.repaired, lengthRetried: outcome.lengthRetried } : {}),
          ...(servedModel ? { servedModel } : {}),
          ...(outcome ? { usage: outcome.usage, mode: outcome.mode } : {}),
        }),
      );
      if (scores && job.record.population && freeze.has(job.rubric.name)) {
        (candidates[job.rubric.name] ??= []).push({ ...job.item, draw: selectionDraw(`${salt}:bridge`, job.record.request_id), runId: run.runId });
      }
      const values: NonNullable<JudgedRow['values']> = {};
      if (scores) for (const [d, s] of Object.entries(scores)) values[d] = [s.value, s.pass, s.applicable];
      return {
        ...common,
        status: scores ? 'scored' : 'unmeasured',
        ...(scores ? { values } : { reason: outcome?.status === 'unmeasured' ? outcome.reason : 'invalid_output' }),
        ...(hit ? { cached: true } : {}),
        ...(servedModel ? { servedModel } : {}),
      };
    }),
  );

  // 3. Self-consistency of the picked captures, against the target model.
  let consistency: ConsistencyRow[] = [];
  if (consistencyPick.length && !client.unavailable) {
    const target = sc.baseURL && sc.baseURL !== cfg.baseURL ? new JudgeClient({ config: { ...cfg, baseURL: sc.baseURL }, ...(apiKey ? { apiKey } : {}), onEvent }) : client;
    consistency = await Promise.all(
      consistencyPick.map(async (r): Promise<ConsistencyRow> => {
        const c = await selfConsistency(target, r, {
          ...(sc.model ? { model: sc.model } : {}),
          k: sc.k,
          temperature: sc.temperature,
          minSimilarity: sc.minSimilarity,
          maxTokens: sc.maxTokens,
          budget: meter,
          ...signal,
        });
        return c.status === 'measured'
          ? { id: r.request_id, route: r.route, status: 'measured', similarity: c.similarity, flagged: c.flagged }
          : { id: r.request_id, route: r.route, status: 'unmeasured', reason: c.reason };
      }),
    );
  }

  lines.sort();
  if (lines.length) await ctx.store.put(scoresKey(run.requestedAt, run.runId, unit.id), `${lines.join('\n')}\n`, { contentType: 'application/x-ndjson' });
  const partial = emptyJudgePartial();
  partial.rows = rows;
  partial.consistency = consistency;
  partial.spend = { ...meter.spent };
  if (client.unavailable) partial.unavailable = { reason: client.unavailable.reason, detail: client.unavailable.message };
  if (Object.keys(candidates).length) {
    partial.frozenCap = cfg.bridgeSampleSize;
    partial.frozen = Object.fromEntries(Object.entries(candidates).map(([k, v]) => [k, smallestDraws(v, cfg.bridgeSampleSize)]));
  }
  return partial;
}
