import { emptyIngestCounts } from '../../captures/ingest-stats.ts';
import type { RunRequest, UnitAccounting } from '../../pipeline/types.ts';
import { reportHeader } from '../../report/header.ts';
import type { Finding, RunReport, RunStatus, Unmeasured } from '../../report/types.ts';
import type { ResultsStore } from '../../store/types.ts';
import type { SuiteProblem } from '../suite/index.ts';
import type { Flip, SuiteVerdict } from '../verdict/index.ts';
import type { SuiteRunRecord } from './records.ts';

/** Flips listed per suite in the run report; the suite's results file has them all. */
const REPORT_FLIPS = 50;
/** A suite with at least this share of cases unmeasured raises `golden.unmeasured`. */
const UNMEASURED_SHARE = 0.1;

/** One suite in `sections.golden.suites` (and the mergeable partial of the golden pipeline). */
export interface GoldenSuiteSummary {
  suite: string;
  file: string;
  target: string | null;
  /** Store key and location of the suite's per-case results. */
  resultsKey: string;
  resultsUrl: string;
  cases: number;
  calls: number;
  /** The verdict with at most 50 flips (`flipsTotal` says how many there were). */
  verdict: SuiteVerdict;
  flipsTotal: number;
  /** Ids of the cases failing in this run (at most 20), flipped or not. */
  failing: string[];
  failingTotal: number;
}

/** `sections.golden` of a run report. */
export interface GoldenSection {
  suites: GoldenSuiteSummary[];
  errors: SuiteProblem[];
  warnings: SuiteProblem[];
}

/**
 * The summary of one suite run for the report (flips capped at 50).
 *
 * @example
 * summarizeSuite(record, key, store);
 */
export function summarizeSuite(record: SuiteRunRecord, key: string, store: Pick<ResultsStore, 'locate'>): GoldenSuiteSummary {
  const failing = record.results.filter((r) => r.status === 'fail').map((r) => r.caseId);
  return {
    suite: record.suite,
    file: record.file,
    target: record.target,
    resultsKey: key,
    resultsUrl: store.locate(key),
    cases: record.results.length,
    calls: record.calls,
    verdict: { ...record.verdict, flips: record.verdict.flips.slice(0, REPORT_FLIPS) },
    flipsTotal: record.verdict.flips.length,
    failing: failing.slice(0, 20),
    failingTotal: failing.length,
  };
}

const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`;

function flipExamples(flips: Flip[]): string[] {
  return flips.filter((f) => f.direction === 'regression' && (f.confirmation === 'confirmed' || f.confirmation === 'unconfirmed')).slice(0, 10).map((f) => f.caseId);
}

/**
 * Findings of one suite: `golden.regression` (critical) on a regression verdict, and
 * `golden.unmeasured` (warning; critical when nothing could be measured) when ≥ 10% of the cases
 * could not be measured — a target that is down is not a quality change, but someone must know.
 *
 * @example
 * const findings = suiteFindings(summary);
 */
export function suiteFindings(s: GoldenSuiteSummary): Finding[] {
  const v = s.verdict;
  const out: Finding[] = [];
  const link = [{ label: 'case results', url: s.resultsUrl }];
  if (v.verdict === 'regression') {
    const test = v.mcnemar?.regression;
    out.push({
      fingerprint: `golden.regression:${s.suite}`,
      kind: 'golden.regression',
      severity: 'critical',
      route: '*',
      subject: s.suite,
      summary: `Golden suite ${s.suite} regressed: ${v.reason}.`,
      stats: {
        test: 'mcnemar-exact-one-sided (confirmed regressions vs reverted improvements)',
        ...(test ? { statistic: test.b, pValue: test.pGreater } : {}),
        n: v.paired.n,
        effect: {
          ...(v.baselinePassRate ? { passRateBefore: v.baselinePassRate.rate } : {}),
          ...(v.passRate ? { passRateNow: v.passRate.rate } : {}),
          ...(v.bootstrap ? { meanScoreDiff: v.bootstrap.meanDiff, meanScoreDiffLower: v.bootstrap.lower, meanScoreDiffUpper: v.bootstrap.upper } : {}),
        },
        confirmedRegressions: v.counts.confirmedRegressions,
        confirmedImprovements: v.counts.confirmedImprovements,
        flaky: v.counts.flaky,
      },
      baseline: { runId: v.baselineRunId, passRate: v.baselinePassRate },
      current: { passRate: v.passRate, target: s.target },
      examples: flipExamples(v.flips),
      links: link,
    });
  }
  const share = s.cases ? v.unmeasured.count / s.cases : 0;
  if (v.unmeasured.count > 0 && share >= UNMEASURED_SHARE) {
    const kinds = Object.entries(v.unmeasured.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    out.push({
      fingerprint: `golden.unmeasured:${s.suite}`,
      kind: 'golden.unmeasured',
      severity: v.unmeasured.count === s.cases ? 'critical' : 'warning',
      route: '*',
      subject: s.suite,
      summary: `Golden suite ${s.suite}: ${v.unmeasured.count} of ${s.cases} cases (${pct(share)}) could not be measured (${kinds})${s.target ? ` — check target ${s.target}` : ''}.`,
      stats: { test: 'coverage', n: s.cases, unmeasured: v.unmeasured.count, byKind: v.unmeasured.byKind },
      baseline: {},
      current: { unmeasured: v.unmeasured, target: s.target },
      examples: [],
      links: link,
    });
  }
  return out;
}

/**
 * The run report of a golden run: `sections.golden` (per-suite verdict, pass rate with its
 * interval, flips with expected vs got), the findings, and a status — `unmeasurable` when no
 * suite could reach a verdict (all inconclusive, nothing ran), `degraded` when some suite was
 * inconclusive, failed to load or run, or had unmeasured cases, else `ok`.
 *
 * @example
 * const report = goldenReport(run, summaries, { errors, warnings }, accounting, ctx.now());
 */
export function goldenReport(run: RunRequest, suites: GoldenSuiteSummary[], problems: { errors: SuiteProblem[]; warnings: SuiteProblem[] }, accounting: UnitAccounting, nowMs: number): RunReport {
  const findings = suites.flatMap(suiteFindings);
  const unmeasured: Unmeasured[] = [];
  const reasons: string[] = [];
  for (const s of suites) {
    if (s.verdict.verdict === 'inconclusive') unmeasured.push({ route: '*', subject: s.suite, reason: 'insufficient_data', detail: s.verdict.reason });
    if (s.verdict.unmeasured.count) unmeasured.push({ route: '*', subject: s.suite, reason: 'cases_unmeasured', detail: `${s.verdict.unmeasured.count} of ${s.cases} cases: ${JSON.stringify(s.verdict.unmeasured.byKind)}` });
  }
  for (const e of problems.errors) reasons.push(`suite error ${e.file}:${e.line}: ${e.message}`);
  for (const f of accounting.failed) reasons.push(`unit ${f.unitId} failed: ${f.error}`);
  const decided = suites.filter((s) => s.verdict.verdict !== 'inconclusive' && s.verdict.passRate !== null);
  let status: RunStatus = 'ok';
  if (unmeasured.length || reasons.length) status = 'degraded';
  if (decided.length === 0) {
    status = 'unmeasurable';
    if (!suites.length) reasons.push('no golden suite ran');
    else reasons.push('no suite could reach a verdict (see unmeasured)');
  }
  return {
    ...reportHeader(run, nowMs),
    status,
    statusReasons: reasons,
    input: emptyIngestCounts(),
    coverage: { objects: 0, objectsRead: 0, unitsPlanned: accounting.planned, unitsDone: accounting.done, unitsFailed: accounting.failed.length },
    findings,
    unmeasured,
    sections: { golden: { suites, errors: problems.errors, warnings: problems.warnings } satisfies GoldenSection },
  };
}
