import { Mulberry32 } from '../../stats/index.ts';
import type { CaseResult } from '../types.ts';
import { decideVerdict, type VerdictOptions } from './decide.ts';
import type { VerdictKind } from './types.ts';

/** A suite's cases as true pass probabilities, before and after (equal arrays = no change). */
export interface Scenario {
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/**
 * Monte-Carlo of the verdict rule: draws a baseline run and a current run of a suite whose
 * case `i` passes with probability `before[i]` / `after[i]`, re-runs each flip `retries` times
 * at `after[i]`, and counts the verdicts. With `before = after` every `regression` is a false
 * alarm; this is how README "Verdicts" gets its false-alarm rates (`scripts/golden/false-alarm.ts`).
 *
 * @example
 * const ninety = Array.from({ length: 100 }, (_, i) => (i < 80 ? 1 : 0.5));
 * simulateVerdicts({ before: ninety, after: ninety }, 10_000, 2, 1); // { regression: ~0.005, … }
 */
export function simulateVerdicts(scenario: Scenario, trials: number, retries: number, seed: number, options: VerdictOptions = {}): Record<VerdictKind, number> {
  const rng = new Mulberry32(seed);
  const counts: Record<VerdictKind, number> = { regression: 0, improvement: 0, 'no-change': 0, inconclusive: 0, rebaselined: 0 };
  const draw = (p: number): 'pass' | 'fail' => (rng.next() < p ? 'pass' : 'fail');
  const result = (i: number, status: 'pass' | 'fail', extra: Partial<CaseResult> = {}): CaseResult => ({
    caseId: `c${i}`,
    status,
    score: status === 'pass' ? 1 : 0,
    assertions: [],
    ...extra,
  });
  for (let t = 0; t < trials; t++) {
    const base: CaseResult[] = [];
    const cur: CaseResult[] = [];
    scenario.before.forEach((p, i) => {
      const b = draw(p);
      const pa = scenario.after[i] as number;
      const c = draw(pa);
      base.push(result(i, b));
      cur.push(result(i, c, b !== c ? { retries: Array.from({ length: retries }, () => draw(pa)) } : {}));
    });
    counts[decideVerdict(cur, { runId: 'b', results: base }, { ...options, bootstrapResamples: 0 }).verdict]++;
  }
  for (const k of Object.keys(counts) as VerdictKind[]) counts[k] /= trials;
  return counts;
}

/**
 * A suite of `n` cases at an overall pass rate made of always-passing cases plus `flaky`
 * cases that pass with probability `p` each (and always-failing ones to make up the rest).
 *
 * @example
 * mixedSuite(100, 0.9, 20, 0.5); // 80 × 1, 20 × 0.5 → 90%
 */
export function mixedSuite(n: number, rate: number, flaky: number, p: number): number[] {
  const passing = Math.round(n * rate - flaky * p);
  if (passing < 0 || passing + flaky > n) throw new Error(`mixedSuite: ${flaky} flaky cases at ${p} cannot make ${rate} of ${n}`);
  return Array.from({ length: n }, (_, i) => (i < passing ? 1 : i < passing + flaky ? p : 0));
}
