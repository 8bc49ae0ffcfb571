import type { FrozenItem } from './bridge-store.ts';
import { addSpend, emptySpend, type Spend } from './budget-meter.ts';
import type { UnmeasuredReason } from './client.ts';

/** One judgment in a unit's partial: what aggregates need, without the reasoning text. */
export interface JudgedRow {
  readonly rubric: string;
  readonly route: string;
  readonly id: string;
  readonly fingerprint: string;
  /** Estimates the population (random sample) or a flagged capture judged apart. */
  readonly population: boolean;
  /** 1 / (capture sample_rate × judge selection probability). */
  readonly weight: number;
  readonly status: 'scored' | 'unmeasured';
  readonly reason?: UnmeasuredReason;
  /** dimension → [value, pass, applicable]. */
  readonly values?: Record<string, [number | boolean | string, boolean, boolean]>;
  readonly cached?: boolean;
  readonly servedModel?: string;
}

/** Self-consistency of one capture, in a partial. */
export interface ConsistencyRow {
  readonly id: string;
  readonly route: string;
  readonly status: 'measured' | 'unmeasured';
  readonly similarity?: number;
  readonly flagged?: boolean;
  readonly reason?: string;
}

/** The mergeable result of judge work units. */
export interface JudgePartial {
  readonly v: 1;
  rows: JudgedRow[];
  consistency: ConsistencyRow[];
  spend: Spend;
  /** Set when the endpoint refused the run during a unit (401, quota, …). */
  unavailable?: { reason: string; detail: string };
  /**
   * Candidates for rubrics' frozen bridge samples: scored population captures with their text,
   * the `frozenCap` smallest draws per rubric. Only while a rubric's sample is short.
   */
  frozen?: Record<string, FrozenItem[]>;
  /** How many candidates per rubric a partial keeps (`judge.bridgeSampleSize`). */
  frozenCap?: number;
}

/**
 * The `cap` smallest draws (ties by id), one per id: a k-smallest selection, so merging is
 * associative and commutative.
 *
 * @example
 * smallestDraws([...a, ...b], 50);
 */
export function smallestDraws(items: readonly FrozenItem[], cap: number): FrozenItem[] {
  const byId = new Map<string, FrozenItem>();
  for (const i of items) if (!byId.has(i.id)) byId.set(i.id, i);
  return [...byId.values()].sort((a, b) => a.draw - b.draw || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, cap);
}

/**
 * An empty partial.
 *
 * @example
 * mergeJudgePartials([emptyJudgePartial(), part]);
 */
export function emptyJudgePartial(): JudgePartial {
  return { v: 1, rows: [], consistency: [], spend: emptySpend() };
}

const byKey = (a: { id: string; rubric?: string }, b: { id: string; rubric?: string }) => {
  const ka = `${a.rubric ?? ''}\u0000${a.id}`;
  const kb = `${b.rubric ?? ''}\u0000${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * Merges partials: rows sorted by (rubric, id) so the result does not depend on unit order;
 * a duplicate (the same judgment from a retried unit) is kept once.
 *
 * @example
 * const merged = mergeJudgePartials(parts);
 */
export function mergeJudgePartials(parts: readonly JudgePartial[]): JudgePartial {
  const rows = new Map<string, JudgedRow>();
  const consistency = new Map<string, ConsistencyRow>();
  let unavailable: JudgePartial['unavailable'];
  const frozen: Record<string, FrozenItem[]> = {};
  let frozenCap = 0;
  for (const p of parts) {
    frozenCap = Math.max(frozenCap, p.frozenCap ?? 0);
    for (const [rubric, items] of Object.entries(p.frozen ?? {})) (frozen[rubric] ??= []).push(...items);
    for (const r of p.rows) rows.set(`${r.rubric}\u0000${r.id}`, r);
    for (const c of p.consistency) consistency.set(c.id, c);
    if (p.unavailable && (!unavailable || p.unavailable.reason < unavailable.reason)) unavailable = p.unavailable;
  }
  return {
    v: 1,
    rows: [...rows.values()].sort(byKey),
    consistency: [...consistency.values()].sort(byKey),
    spend: addSpend(...parts.map((p) => p.spend)),
    ...(unavailable ? { unavailable } : {}),
    ...(frozenCap > 0 && Object.keys(frozen).length
      ? { frozen: Object.fromEntries(Object.keys(frozen).sort().map((k) => [k, smallestDraws(frozen[k]!, frozenCap)])), frozenCap }
      : {}),
  };
}
