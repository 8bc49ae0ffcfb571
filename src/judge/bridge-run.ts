import type { ResultsStore } from '../store/types.ts';
import { bridgeJudges } from './bridge.ts';
import { readBridge, readFrozen, readTrusted, writeBridge, type BridgeRecord } from './bridge-store.ts';
import type { BudgetMeter } from './budget-meter.ts';
import { JudgeClient, type JudgeEvent } from './client.ts';
import type { JudgeConfig } from './config.ts';
import type { JudgeDescriptor } from './fingerprint.ts';
import { hasField } from './item.ts';
import { PROMPT_VERSION } from './prompt.ts';
import { appliesTo } from './rubric.ts';
import type { Rubric } from './rubric-schema.ts';

/** A rubric's judge in this run. */
export interface CurrentJudge {
  readonly rubric: Rubric;
  readonly fingerprint: string;
  readonly descriptor: JudgeDescriptor;
}

export interface RunBridgesOptions {
  readonly store: ResultsStore;
  /** The judge options of this run (endpoint, pricing, timeouts; the old judge reuses them). */
  readonly config: JudgeConfig;
  /** Every rubric of the run with its current fingerprint. */
  readonly judges: readonly CurrentJudge[];
  /** The run's judge client, already past its canaries. */
  readonly newJudge: JudgeClient;
  /** API key for the old judge. Default none (local endpoints). */
  readonly apiKey?: string;
  /** Client events of the old judge (metrics, logs). Default none. */
  readonly onEvent?: (event: JudgeEvent) => void;
  /** Caps and counts the calls of both judges. */
  readonly budget: BudgetMeter;
  readonly runId: string;
  /** The injected clock. */
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

const short = (s: string) => s.slice(0, 8);

/**
 * What differs between two judge descriptors, in words a person reads in a finding.
 *
 * @example
 * describeChanges(old, cur); // ['judge changed gpt-4o-2024-08-06 → gpt-4o-2024-11-20']
 */
export function describeChanges(a: JudgeDescriptor, b: JudgeDescriptor): string[] {
  const out: string[] = [];
  if (a.model !== b.model) out.push(`judge changed ${a.model} → ${b.model}`);
  if (a.baseURL !== b.baseURL) out.push(`endpoint changed ${a.baseURL} → ${b.baseURL}`);
  if (a.rubricVersion !== b.rubricVersion) out.push(`rubric edited (${short(a.rubricVersion)} → ${short(b.rubricVersion)})`);
  else if (a.outputSchema !== b.outputSchema) out.push(`output schema changed (${short(a.outputSchema)} → ${short(b.outputSchema)})`);
  if (a.promptVersion !== b.promptVersion) out.push(`judge prompt ${a.promptVersion} → ${b.promptVersion}`);
  if (a.outputMode !== b.outputMode) out.push(`output mode ${a.outputMode} → ${b.outputMode}`);
  if (a.params.temperature !== b.params.temperature) out.push(`temperature ${a.params.temperature} → ${b.params.temperature}`);
  if (a.params.seed !== b.params.seed) out.push(`seed ${a.params.seed ?? 'none'} → ${b.params.seed ?? 'none'}`);
  if (a.params.maxTokensParam !== b.params.maxTokensParam) out.push(`${a.params.maxTokensParam} → ${b.params.maxTokensParam}`);
  return out.length ? out : ['judge fingerprint changed'];
}

/**
 * The judge options that call an old judge again: its endpoint, model and parameters, with this
 * run's timeouts, retries and pricing.
 *
 * @example
 * new JudgeClient({ config: oldJudgeConfig(cfg, trusted.descriptor), mode: trusted.descriptor.outputMode });
 */
export function oldJudgeConfig(cfg: JudgeConfig, d: JudgeDescriptor): JudgeConfig {
  return { ...cfg, baseURL: d.baseURL, model: d.model, temperature: d.params.temperature, seed: d.params.seed, maxTokensParam: d.params.maxTokensParam as JudgeConfig['maxTokensParam'] };
}

/**
 * Bridges every rubric whose judge fingerprint differs from its last trusted run's: re-scores the
 * rubric's frozen sample with the old judge (as persisted: endpoint, model, parameters, output
 * mode and the rubric exactly as it was) and the new one, at the same time, and stores the
 * result. A change already bridged is read back, not paid for again. A rubric without a trusted
 * judge (the first run) or with the same one is not bridged.
 *
 * The old judge refusing (401, 404 model, no quota) makes that bridge `unmeasured` with the
 * reason, never the run: the new judge is the one that matters tonight.
 *
 * @example
 * const bridges = await runBridges({ store, config: cfg, judges, newJudge: client, budget: meter, runId, now });
 */
export async function runBridges(o: RunBridgesOptions): Promise<BridgeRecord[]> {
  const out: BridgeRecord[] = [];
  for (const cur of o.judges) {
    const name = cur.rubric.name;
    const trusted = await readTrusted(o.store, name);
    if (!trusted || trusted.fingerprint === cur.fingerprint) continue;
    const stored = await readBridge(o.store, name, trusted.fingerprint, cur.fingerprint);
    if (stored) {
      out.push(stored);
      continue;
    }
    const base = {
      v: 1 as const,
      rubric: name,
      old: { fingerprint: trusted.fingerprint, descriptor: trusted.descriptor },
      new: { fingerprint: cur.fingerprint, descriptor: cur.descriptor },
      changes: describeChanges(trusted.descriptor, cur.descriptor),
      // The prompt scaffolding is code, not data: an old prompt version cannot be rebuilt.
      approximations: trusted.descriptor.promptVersion !== PROMPT_VERSION ? [`the old judge was called with judge prompt ${PROMPT_VERSION}, not its own ${trusted.descriptor.promptVersion}`] : [],
      runId: o.runId,
      at: o.now(),
    };
    const oldRubric = trusted.definition;
    const frozen = await readFrozen(o.store, name);
    // Items both rubrics can judge: an edit may have narrowed the routes or required fields.
    const items = (frozen?.items ?? []).filter(
      (i) => [oldRubric, cur.rubric].every((r) => appliesTo(r, i.route) && r.requires.every((f) => hasField(i, f))),
    );
    if (!items.length) {
      const record: BridgeRecord = {
        ...base,
        status: 'unmeasured',
        reason: 'no_frozen_sample',
        detail: frozen?.items.length ? `none of the ${frozen.items.length} frozen captures fits both versions of the rubric` : 'no frozen sample was kept under the old judge (judge.bridgeSampleSize 0, or no population capture was scored)',
      };
      await writeBridge(o.store, record);
      out.push(record);
      continue;
    }
    const oldJudge = new JudgeClient({
      config: oldJudgeConfig(o.config, trusted.descriptor),
      mode: trusted.descriptor.outputMode,
      // One bucket for both judges: the bridge must not double the rate to a shared provider.
      limiter: o.newJudge.limiter,
      ...(o.apiKey ? { apiKey: o.apiKey } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    const result = await bridgeJudges({
      rubric: cur.rubric,
      oldRubric,
      items,
      oldJudge,
      newJudge: o.newJudge,
      oldFingerprint: trusted.fingerprint,
      newFingerprint: cur.fingerprint,
      oldModel: trusted.descriptor.model,
      budget: o.budget,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const record: BridgeRecord = {
      ...base,
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.detail ? { detail: result.detail } : {}),
      result,
    };
    // Keep what will not change on a retry (a measured bridge, an old judge that is gone); a
    // bridge starved by the budget or a new judge that failed is tried again.
    if (result.status === 'measured' || result.reason === 'old_judge_unavailable') await writeBridge(o.store, record);
    out.push(record);
  }
  return out;
}
