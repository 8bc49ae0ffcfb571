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
  for (const p of parts) {
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
  };
}
