import { mcnemarExact, mcnemarMinDiscordant, pairedBootstrap, wilsonInterval } from '../../stats/index.ts';
import type { CaseResult } from '../types.ts';
import { describeChanges } from './fingerprint.ts';
import { describeFlip, flipDirection } from './flips.ts';
import type { Flip, PassRate, SuiteChanges, SuiteVerdict } from './types.ts';

/** Options of {@link decideVerdict}; `config.golden.verdict` holds them. */
export interface VerdictOptions {
  /** One-sided level of the exact McNemar test. Default 0.05. */
  readonly alpha?: number;
  /** The drop (fraction of paired cases) a suite must be able to detect to say `no-change`. Default 0.1. */
  readonly minDetectableDrop?: number;
  /** Fewer paired cases than this is `inconclusive`. Default 10. */
  readonly minPairedCases?: number;
  /** Paired bootstrap resamples; 0 skips the bootstrap. Default 2,000. */
  readonly bootstrapResamples?: number;
  /** Bootstrap seed. Default 7. */
  readonly seed?: number;
}

/**
 * The pass rate of a run's measured cases with a 95% Wilson interval; `null` when nothing was
 * measured (never 0%).
 *
 * @example
 * passRate(results); // { pass: 90, fail: 10, measured: 100, rate: 0.9, lower: 0.826, upper: 0.945 }
 */
export function passRate(results: readonly CaseResult[]): PassRate | null {
  let pass = 0;
  let fail = 0;
  for (const r of results) {
    if (r.status === 'pass') pass++;
    else if (r.status === 'fail') fail++;
  }
  const measured = pass + fail;
  if (measured === 0) return null;
  const ci = wilsonInterval(pass, measured);
  return { pass, fail, measured, rate: pass / measured, lower: ci.lower, upper: ci.upper };
}

function unmeasuredOf(results: readonly CaseResult[]): SuiteVerdict['unmeasured'] {
  const byKind: Record<string, number> = {};
  let count = 0;
  for (const r of results) {
    if (r.status !== 'unmeasured') continue;
    count++;
    const kind = r.error?.kind ?? r.assertions.find((a) => a.unmeasured)?.unmeasured ?? 'unknown';
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { count, byKind };
}

const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The verdict of a run whose fingerprint differs from every earlier run (or that is the first):
 * `rebaselined`, with what changed. Never a quality change, whatever the pass rates.
 *
 * @example
 * rebaselineVerdict(results, diffFingerprints(previous, fp), { alpha: 0.05 });
 */
export function rebaselineVerdict(current: readonly CaseResult[], changes: SuiteChanges, options: Pick<VerdictOptions, 'alpha'> = {}): SuiteVerdict {
  return {
    verdict: 'rebaselined',
    // A first run changed nothing: say so rather than "suite changed".
    reason: changes.firstRun ? 'no earlier run to compare with: this run is the baseline' : `suite changed — re-baselined: ${describeChanges(changes)}`,
    passRate: passRate(current),
    baselinePassRate: null,
    unmeasured: unmeasuredOf(current),
    paired: { n: 0, unmeasuredNow: 0, unmeasuredBefore: 0, notInBaseline: current.length },
    flips: [],
    counts: { confirmedRegressions: 0, confirmedImprovements: 0, flaky: 0, infra: 0, revertedRegressions: 0, revertedImprovements: 0 },
    mcnemar: null,
    bootstrap: null,
    power: null,
    changes,
    alpha: options.alpha ?? 0.05,
  };
}

/**
 * Compares a run with its baseline (the last known-good run of the same fingerprint) and
 * decides `regression` | `improvement` | `no-change` | `inconclusive`. The rule (README
 * "Verdicts"):
 *
 * 1. Pairs are the cases measured in both runs; unmeasured cases are excluded and counted.
 * 2. Flips are re-run (confirm-on-retry) and classified `confirmed`, `flaky` or `infra`.
 * 3. Regression test: exact one-sided McNemar (binomial, ½) on b = confirmed regressions
 *    (pass → fail, every re-run fails) against m = reverted improvements (fail → pass, every
 *    re-run fails). The two are mirror images — swap the baseline run with the first current run
 *    and one becomes the other — so under "nothing changed" each such flip is a fair coin,
 *    whatever the case's own pass probability. (Comparing confirmed regressions with confirmed
 *    improvements instead is biased: a mostly-failing flaky case that passed once in the
 *    baseline confirms a "regression" easily; simulation showed 22% false alarms on a 300-case
 *    suite.) `regression` when P(X ≥ b | b + m) ≤ alpha. The improvement test is the mirror.
 *    Without re-runs both reduce to the plain exact McNemar test on all flips. When both tests
 *    are significant, some cases broke for certain: `regression` (the reason names both).
 * 4. Otherwise `no-change` only if the suite could have detected a drop of
 *    `minDetectableDrop`: the fewest confirmed regressions that would be significant given m,
 *    divided by the pairs, must not exceed it; else `inconclusive`, with the number of paired
 *    cases that would suffice. Fewer than `minPairedCases` pairs is never `no-change`. A
 *    significant result stands at any size (the exact test is valid for small n).
 *
 * The paired bootstrap CI of the mean score difference and the Wilson intervals are reported as
 * the size of the change; they do not move the gate.
 *
 * @example
 * const v = decideVerdict(current, { runId: 'golden-1', results: baseline }, { alpha: 0.05 });
 * if (v.verdict === 'regression') process.exitCode = 1;
 */
export function decideVerdict(current: readonly CaseResult[], baseline: { runId: string; results: readonly CaseResult[] }, options: VerdictOptions = {}): SuiteVerdict {
  const alpha = options.alpha ?? 0.05;
  const minDrop = options.minDetectableDrop ?? 0.1;
  const minPaired = options.minPairedCases ?? 10;
  const before = new Map(baseline.results.map((r) => [r.caseId, r]));
  const paired = { n: 0, unmeasuredNow: 0, unmeasuredBefore: 0, notInBaseline: 0 };
  const flips: Flip[] = [];
  const scoresBefore: number[] = [];
  const scoresNow: number[] = [];
  for (const now of current) {
    const was = before.get(now.caseId);
    if (!was) {
      paired.notInBaseline++;
      continue;
    }
    if (now.status === 'unmeasured') {
      paired.unmeasuredNow++;
      continue;
    }
    if (was.status === 'unmeasured') {
      paired.unmeasuredBefore++;
      continue;
    }
    paired.n++;
    if (was.score !== undefined && now.score !== undefined) {
      scoresBefore.push(was.score);
      scoresNow.push(now.score);
    }
    const direction = flipDirection(was, now);
    if (direction) flips.push(describeFlip(was, now, direction));
  }
  const counts = { confirmedRegressions: 0, confirmedImprovements: 0, flaky: 0, infra: 0, revertedRegressions: 0, revertedImprovements: 0 };
  for (const f of flips) {
    // Vacuously true without re-runs: then every opposite flip is in the comparison set, which is
    // the plain exact McNemar test.
    const reverted = f.retries.every((r) => r === (f.direction === 'regression' ? 'pass' : 'fail'));
    if (reverted) counts[f.direction === 'regression' ? 'revertedRegressions' : 'revertedImprovements']++;
    if (f.confirmation === 'flaky') counts.flaky++;
    else if (f.confirmation === 'infra') counts.infra++;
    else if (f.direction === 'regression') counts.confirmedRegressions++;
    else counts.confirmedImprovements++;
  }
  // Confirmed regressions first, then improvements, flaky and infra last: the order a reader wants.
  const rank = (f: Flip) => (f.confirmation === 'flaky' || f.confirmation === 'infra' ? 2 : 0) + (f.direction === 'regression' ? 0 : 1);
  flips.sort((a, b) => rank(a) - rank(b) || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));

  const b = counts.confirmedRegressions;
  const c = counts.confirmedImprovements;
  const m = counts.revertedImprovements;
  const nowRate = passRate(current);
  const beforeRate = passRate(baseline.results);
  const bootstrap =
    scoresBefore.length >= 2 && (options.bootstrapResamples ?? 2_000) > 0
      ? pairedBootstrap(scoresBefore, scoresNow, { resamples: options.bootstrapResamples ?? 2_000, seed: options.seed ?? 7 })
      : null;
  const mcnemar = paired.n > 0 ? { regression: mcnemarExact(b, m), improvement: mcnemarExact(counts.revertedRegressions, c) } : null;
  const minRegressions = mcnemarMinDiscordant(m, alpha);
  const neededCases = Math.max(minPaired, Math.ceil(minRegressions / minDrop));
  const detectableDrop = paired.n > 0 ? Math.min(1, minRegressions / paired.n) : 1;
  const base = {
    baselineRunId: baseline.runId,
    passRate: nowRate,
    baselinePassRate: beforeRate,
    unmeasured: unmeasuredOf(current),
    paired,
    flips,
    counts,
    mcnemar,
    bootstrap,
    power: { minRegressions, detectableDrop, neededCases, minDetectableDrop: minDrop },
    alpha,
  };
  const rates = beforeRate && nowRate ? `pass rate ${pct(beforeRate.rate)} → ${pct(nowRate.rate)}; ` : '';
  const tally = `${plural(b, 'confirmed regression')}, ${plural(c, 'confirmed improvement')}${counts.flaky ? `, ${counts.flaky} flaky` : ''}${counts.infra ? `, ${counts.infra} infra` : ''}`;

  if (!mcnemar) {
    return { ...base, verdict: 'inconclusive', reason: `no case was measured in both runs; ${tally}` };
  }
  // Evidence is evidence: the exact test is valid at any size, so a significant result stands
  // even in a small suite; the size floors only stop a small suite from claiming "no change".
  const pReg = mcnemar.regression.pGreater;
  const pImp = mcnemar.improvement.pLess;
  if (pReg <= alpha) {
    return { ...base, verdict: 'regression', reason: `${rates}${tally} (exact McNemar p = ${fmtP(pReg)})` };
  }
  if (pImp <= alpha) {
    return { ...base, verdict: 'improvement', reason: `${rates}${tally} (exact McNemar p = ${fmtP(pImp)})` };
  }
  if (paired.n < minPaired) {
    return { ...base, verdict: 'inconclusive', reason: `only ${plural(paired.n, 'case')} measured in both runs (need ≥ ${minPaired}); ${tally}` };
  }
  if (detectableDrop > minDrop) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `${rates}${tally}; ${plural(paired.n, 'paired case')} can only detect a drop of ≥ ${pct(detectableDrop)} — ≥ ${neededCases} would detect ${pct(minDrop)}`,
    };
  }
  return { ...base, verdict: 'no-change', reason: `${rates}${tally} (not significant, p = ${fmtP(pReg)})` };
}

function fmtP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}
