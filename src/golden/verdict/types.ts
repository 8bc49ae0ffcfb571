import type { McNemarResult, PairedBootstrapResult } from '../../stats/index.ts';

/**
 * What a suite run concluded against its baseline.
 * - `regression` / `improvement`: the exact one-sided McNemar test on *confirmed* flips is
 *   significant at `alpha`.
 * - `no-change`: not significant, and the suite was large enough to have detected a drop of
 *   `minDetectableDrop`.
 * - `inconclusive`: not significant, and too few paired cases (or too many discordant pairs the
 *   other way) to have detected that drop; `power.neededCases` says how many would do.
 * - `rebaselined`: the suite, target or scorers changed (or there is no earlier run): this run
 *   becomes the baseline; never a quality change.
 */
export type VerdictKind = 'regression' | 'improvement' | 'no-change' | 'inconclusive' | 'rebaselined';

/**
 * How confirm-on-retry judged a flip.
 * - `confirmed`: every re-run agreed with the flip.
 * - `flaky`: a measured re-run went back to the baseline outcome.
 * - `infra`: a re-run could not be measured (target or scorer down) and none disagreed.
 * - `unconfirmed`: no re-runs were made (`confirmRetries: 0`): counted as confirmed by the test.
 */
export type Confirmation = 'confirmed' | 'flaky' | 'infra' | 'unconfirmed';

/** One case whose outcome changed between the baseline and this run. */
export interface Flip {
  caseId: string;
  /** `regression` = pass → fail; `improvement` = fail → pass. */
  direction: 'regression' | 'improvement';
  confirmation: Confirmation;
  retries: Array<'pass' | 'fail' | 'unmeasured'>;
  /** The reference answer when the case has one. */
  expected?: string;
  /** What came back this run. */
  got?: string;
  /** What came back in the baseline run. */
  baselineOutput?: string;
  /** The failing assertions' reasons (of whichever run failed). */
  reasons: string[];
  scoreBefore?: number;
  scoreAfter?: number;
}

/** What changed between two suite fingerprints. */
export interface SuiteChanges {
  /** There was no earlier run of this suite at all. */
  firstRun: boolean;
  added: string[];
  removed: string[];
  edited: string[];
  /** Default assertions, thresholds or other suite-level content changed. */
  suiteSettings: boolean;
  /** Target config keys whose value changed (`model`, `system`, `url`, …), or `target` when another target ran. */
  target: string[];
  /** Scorer identity keys that changed (scorer version, judge model, embeddings model). */
  scorers: string[];
  /** The run the changes are relative to. */
  previousRunId?: string;
}

/** The pass rate of one run with its Wilson interval. */
export interface PassRate {
  pass: number;
  fail: number;
  measured: number;
  rate: number;
  lower: number;
  upper: number;
}

/** The verdict of one suite run. */
export interface SuiteVerdict {
  verdict: VerdictKind;
  /** One sentence a developer reads first. */
  reason: string;
  baselineRunId?: string;
  /** This run's pass rate (null when nothing was measured). */
  passRate: PassRate | null;
  baselinePassRate: PassRate | null;
  /** Cases that could not be measured this run, by error kind. */
  unmeasured: { count: number; byKind: Record<string, number> };
  /** Cases measured in both runs; the rest is excluded from the tests and counted here. */
  paired: { n: number; unmeasuredNow: number; unmeasuredBefore: number; notInBaseline: number };
  flips: Flip[];
  /**
   * `reverted…`: flips every re-run undid (a fail → pass whose re-runs all fail, and the
   * mirror): the comparison set of the exact tests (README "Verdicts"). They are also `flaky`.
   */
  counts: { confirmedRegressions: number; confirmedImprovements: number; flaky: number; infra: number; revertedRegressions: number; revertedImprovements: number };
  /**
   * The two one-sided exact McNemar tests: `regression` on confirmed regressions vs reverted
   * improvements (`pGreater`), `improvement` on reverted regressions vs confirmed improvements
   * (`pLess`). Null when no case was paired.
   */
  mcnemar: { regression: McNemarResult; improvement: McNemarResult } | null;
  bootstrap: PairedBootstrapResult | null;
  /** The detection floor: the confirmed regressions a significant result needs, as a share of the paired cases. */
  power: { minRegressions: number; detectableDrop: number; neededCases: number; minDetectableDrop: number } | null;
  changes?: SuiteChanges;
  alpha: number;
}
