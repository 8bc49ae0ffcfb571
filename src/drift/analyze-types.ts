import type { EvalwatchConfig } from '../config/schema.ts';
import type { Unmeasured } from '../report/types.ts';

/** The drift thresholds (`config.drift`), with every default filled in. */
export type DriftOptions = EvalwatchConfig['drift'];

export type DriftKind = 'drift.numeric' | 'drift.rate' | 'drift.categorical' | 'drift.sigma';

/**
 * One statistical test of one subject on one route. Every test of a run joins one
 * Benjamini–Hochberg family; a test becomes a finding only when its q-value is below α AND its
 * effect clears the thresholds (`effectRatio ≥ 1`).
 */
export interface DriftTest {
  kind: DriftKind;
  route: string;
  /** Feature name, or `<feature>.<statistic>` for sigma tests (`ttft_ms.p95`). */
  subject: string;
  /** `ks`, `ks_weighted`, `two_proportion_z`, `fisher_exact`, `g_test`, `sigma_seasonal`, `sigma_trailing`. */
  test: string;
  statistic: number;
  pValue: number;
  /** Filled in by the BH step. */
  qValue?: number;
  /** Effect sizes, always reported (KS D, normalized Wasserstein, rate changes, JS distance, z…). */
  effect: Record<string, number>;
  /** min over the required effects of effect / threshold: ≥ 1 clears every threshold. */
  effectRatio: number;
  /** Window and baseline sizes (rows; effective sizes are in the summaries). */
  n: number;
  m: number;
  /** The change in words, without route and test: "output tokens p50 312 → 420 (+35%)". */
  headline: string;
  /** Test name and statistic for the summary: "KS D = 0.21". */
  testText: string;
  baseline: Record<string, unknown>;
  current: Record<string, unknown>;
  /** request_ids of the window that show the change. */
  examples: string[];
  /** Extra test details for the report (method, dof, history used…). */
  details?: Record<string, unknown>;
  /**
   * What the minimum-detectable-effect power of this test depends on (set by the test): see
   * `mdePower` in `power.ts`. Absent for sigma windows.
   */
  mde?: MdeInput;
  /** Power to detect the configured minimum effect at the run's Bonferroni level (set by `analyzeDrift`). */
  power?: number;
  /**
   * Earlier hours pooled with the window: `episode` (a pending subject's hours since its first
   * breach) or `power` (the window alone could not detect the minimum effect, so the test covers
   * the previous hour too). Absent when the test covers the window only.
   */
  pooled?: { reason: 'episode' | 'power'; hours: number };
  /**
   * A breach of a test pooled for power whose hours each show the change on their own (same
   * direction, p < 0.2 two-sided): its breach counts for every window it covers (hysteresis).
   */
  corroborated?: boolean;
}

/** Sizes and baseline a test's power against the configured minimum effect depends on. */
export type MdeInput =
  | { kind: 'rate'; /** Window effective trials. */ n: number; /** Baseline rate. */ p0: number }
  | { kind: 'location'; /** Window and baseline effective sizes. */ n: number; m: number }
  | { kind: 'categorical'; n: number; m: number; /** Labels compared (degrees of freedom + 1). */ labels: number };

/** A subject that could not be tested. */
export type DriftUnmeasured = Unmeasured & { reason: 'insufficient_data' | 'gap' | 'invalid' };

export type TestOutcome = DriftTest | DriftUnmeasured | null;

/** Row count, Σw and Σw² (every numeric, flag and categorical aggregate has them). */
export interface WeightSums {
  n: number;
  w: number;
  w2: number;
}

/**
 * Sums rows and weights over hours, with the Kish effective size (Σw)² / Σw² (0 when empty).
 *
 * @example
 * weightTotals(hours.map((h) => h.flag.refusal)).ess;
 */
export function weightTotals(aggs: readonly WeightSums[]): { n: number; w: number; ess: number } {
  let n = 0;
  let w = 0;
  let w2 = 0;
  for (const a of aggs) {
    n += a.n;
    w += a.w;
    w2 += a.w2;
  }
  return { n, w, ess: w2 > 0 ? (w * w) / w2 : 0 };
}

/**
 * The request_ids of the five smallest sampling keys among `[key, request_id]` example entries
 * (merged from several hours): the examples one list over all those hours would have kept.
 *
 * @example
 * examplesByKey(window.flatMap((a) => a.ex1)); // ['r-17', 'r-3', …]
 */
export function examplesByKey(entries: readonly (readonly [number, string])[]): string[] {
  return [...entries]
    .sort((x, y) => x[0] - y[0])
    .map((e) => e[1])
    .slice(0, 5);
}

/** Narrows a test outcome. */
export function isTest(o: TestOutcome): o is DriftTest {
  return o !== null && 'pValue' in o;
}

/**
 * Severity from how far the effect clears its threshold: ≥ 2.5× is critical, else warning.
 *
 * @example
 * severityOf(3); // 'critical'
 */
export function severityOf(effectRatio: number): 'warning' | 'critical' {
  return effectRatio >= 2.5 ? 'critical' : 'warning';
}
