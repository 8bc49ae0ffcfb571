import { scoreCase, type ScoreDeps } from '../assertions/index.ts';
import type { Target } from '../target/index.ts';
import type { CaseResult, GoldenCase, GoldenSuite, TargetOutput } from '../types.ts';
import { decideVerdict, diffFingerprints, flipDirection, rebaselineVerdict, suiteFingerprint, type VerdictOptions } from '../verdict/index.ts';
import { mapLimit } from '../../runtime/map-limit.ts';
import { findBaseline, SUITE_RECORD_VERSION, writeSuiteRecord, type SuiteRunRecord } from './records.ts';
import type { ResultsStore } from '../../store/types.ts';

/** Options of {@link runSuite}. */
export interface RunSuiteOptions {
  readonly runId: string;
  /** The system under test; `null` when none is configured (recorded outputs only). */
  readonly target: Target | null;
  readonly deps: ScoreDeps;
  readonly store: ResultsStore;
  readonly now: () => number;
  /** Re-runs of each flipped case. Default 2. */
  readonly confirmRetries?: number;
  readonly verdict?: VerdictOptions;
  /** Compare with this run instead of the last known-good one. Default: none. */
  readonly baselineRunId?: string;
  /** Models of the graded scorers, part of the fingerprint. Default: none. */
  readonly models?: { judgeModel?: string; embeddingsModel?: string };
  /** Cases scored at once (the target's limiter caps its own calls). Default 64. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** After each case of the first pass. Default: none. */
  readonly onCase?: (done: number, total: number) => void;
}

/** What {@link runSuite} returns. */
export interface SuiteRun {
  readonly record: SuiteRunRecord;
  /** Where the record was written. */
  readonly key: string;
}

/**
 * Runs one suite: every case through the target (or its recorded output) and the scorers, then
 * finds the last known-good run of the same fingerprint, re-runs each flipped case
 * `confirmRetries` times, decides the verdict and writes `golden/<suite>/<run-id>.json`.
 * A case whose target call fails is `unmeasured` with the error kind, never a fail.
 *
 * @example
 * const { record } = await runSuite(suite, { runId, target, deps, store, now });
 * record.verdict.verdict; // 'no-change'
 */
export async function runSuite(suite: GoldenSuite, options: RunSuiteOptions): Promise<SuiteRun> {
  const { target, deps, signal } = options;
  let calls = 0;
  const needsTarget = suite.cases.some((c) => c.output === undefined);
  const answer = async (c: GoldenCase): Promise<TargetOutput> => {
    if (c.output !== undefined) return { output: c.output };
    if (!target) return { error: { kind: 'no_target', message: 'the case has no recorded output and no target is configured (config.golden.targets)' } };
    calls++;
    return target.call(c, signal);
  };
  const runCase = async (c: GoldenCase): Promise<CaseResult> => scoreCase(c, await answer(c), deps, suite.defaultAssert);

  let done = 0;
  const results = await mapLimit(
    suite.cases,
    options.concurrency ?? 64,
    async (c) => {
      const r = await runCase(c);
      options.onCase?.(++done, suite.cases.length);
      return r;
    },
    signal,
  );

  const fingerprint = suiteFingerprint(suite, needsTarget && target ? { name: target.name, fingerprint: target.fingerprint, identity: target.identity } : null, options.models ?? {});
  const { baseline, previous } = await findBaseline(options.store, suite.name, fingerprint.combined, options.runId, options.baselineRunId);

  let verdict;
  if (baseline) {
    // Confirm-on-retry: re-run every flipped case; its re-runs go in `retries`, its first
    // outcome stays the case's result.
    const before = new Map(baseline.results.map((r) => [r.caseId, r]));
    const k = options.confirmRetries ?? 2;
    const flipped = suite.cases.map((c, i) => ({ c, i })).filter(({ c, i }) => {
      const was = before.get(c.id);
      return was !== undefined && flipDirection(was, results[i] as CaseResult) !== null;
    });
    if (k > 0 && flipped.length) {
      const retried = await mapLimit(
        flipped.flatMap((f) => Array.from({ length: k }, () => f)),
        options.concurrency ?? 64,
        async ({ c }) => (await runCase(c)).status,
        signal,
      );
      flipped.forEach(({ i }, n) => {
        (results[i] as CaseResult).retries = retried.slice(n * k, n * k + k);
      });
    }
    verdict = decideVerdict(results, { runId: baseline.runId, results: baseline.results }, options.verdict ?? {});
  } else {
    // An earlier run of the same fingerprint that measured nothing is no change to describe.
    const changedFrom = previous && previous.fingerprint.combined !== fingerprint.combined ? previous : null;
    verdict = rebaselineVerdict(results, diffFingerprints(changedFrom?.fingerprint ?? null, fingerprint, changedFrom?.runId), options.verdict ?? {});
  }

  const at = options.now();
  const record: SuiteRunRecord = {
    schemaVersion: SUITE_RECORD_VERSION,
    suite: suite.name,
    file: suite.file,
    runId: options.runId,
    at: new Date(at).toISOString(),
    atMs: at,
    fingerprint,
    target: fingerprint.targetName,
    verdict,
    results,
    calls,
  };
  const key = await writeSuiteRecord(options.store, record);
  return { record, key };
}
