import type { IngestCounts } from '../captures/ingest-stats.ts';
import type { RunRequest } from '../pipeline/types.ts';
import { runFolder } from '../pipeline/run-keys.ts';
import type { ResultsStore } from '../store/types.ts';
import type { BridgeRecord } from './bridge-store.ts';
import type { BudgetLimit, Spend } from './budget-meter.ts';
import type { CanaryResult } from './canaries.ts';
import type { JudgeDescriptor } from './fingerprint.ts';
import type { OutputMode } from './prompt.ts';
import type { PlanEstimate, StratumCount, StratumRates } from './sampling.ts';

/**
 * What `plan` decided, stored so that every unit (in any process, on any retry) and `finalize`
 * work from the same decisions: the rates, the negotiated output mode, the canary verdict.
 */
export interface JudgePlan {
  readonly v: 1;
  readonly runId: string;
  /** `ready` to judge; otherwise why nothing is judged this run. */
  readonly status: 'ready' | 'not_configured' | 'unavailable' | 'unhealthy' | 'nothing_to_judge';
  readonly detail?: string;
  /** `auth`, `model_not_found`, … when `unavailable`. */
  readonly unavailableReason?: string;
  readonly provider: string;
  readonly mode: OutputMode;
  readonly rubrics: { name: string; version: string; fingerprint: string; descriptor: JudgeDescriptor }[];
  readonly counts: Record<string, Record<string, StratumCount>>;
  readonly rates: Record<string, Record<string, StratumRates>>;
  readonly estimate: PlanEstimate;
  readonly budget: BudgetLimit;
  readonly scale: number;
  readonly belowMinimum: boolean;
  readonly limitedBy: 'calls' | 'tokens' | 'usd' | null;
  readonly canaries?: CanaryResult;
  readonly canarySpend: Spend;
  /** Bridges of rubrics whose judge changed since their last trusted run. Default none. */
  readonly bridges?: BridgeRecord[];
  /** What the bridges spent (both judges). Default nothing. */
  readonly bridgeSpend?: Spend;
  /** Rubrics whose frozen sample is short of `bridgeSampleSize`: units collect candidates. */
  readonly freeze?: string[];
  readonly units: { id: string; keys: string[]; expected: number; budget: BudgetLimit }[];
  /** Input counts of the plan's pass over the window (the report's input). */
  readonly input: IngestCounts;
}

const decoder = new TextDecoder();

/**
 * Where a run's judge plan is stored: next to its report and run record (the window-end day, so
 * a run requested after midnight for yesterday's window still has one folder).
 *
 * @example
 * planKey(run); // 'runs/2026-11-23/judge-20261123T0200Z-24h/judge-plan.json'
 */
export function planKey(run: Pick<RunRequest, 'runId' | 'window'>): string {
  return `${runFolder(run)}/judge-plan.json`;
}

/**
 * Writes the plan.
 *
 * @example
 * await writePlan(store, run, plan);
 */
export async function writePlan(store: ResultsStore, run: Pick<RunRequest, 'runId' | 'window'>, plan: JudgePlan): Promise<void> {
  await store.put(planKey(run), JSON.stringify(plan), { contentType: 'application/json' });
}

/**
 * Reads the plan of a run.
 *
 * @throws {Error} when the plan is missing: a unit or finalize without a plan cannot be honest.
 * @example
 * const plan = await readPlan(store, run);
 */
export async function readPlan(store: ResultsStore, run: Pick<RunRequest, 'runId' | 'window'>): Promise<JudgePlan> {
  const bytes = await store.get(planKey(run));
  if (!bytes) throw new Error(`judge plan ${planKey(run)} is missing: run plan before processUnit/finalize`);
  return JSON.parse(decoder.decode(bytes)) as JudgePlan;
}
