import type { SuiteProblem } from '../suite/index.ts';
import type { Flip, PassRate, SuiteVerdict } from '../verdict/index.ts';
import type { GoldenSuiteSummary } from './report.ts';

/** Flips printed per suite; the rest are counted with a pointer to the results file. */
const SHOWN_FLIPS = 8;
const WIDTH = 60;

const LABEL: Record<SuiteVerdict['verdict'], string> = {
  regression: 'REGRESSION',
  improvement: 'improvement',
  'no-change': 'no change',
  inconclusive: 'INCONCLUSIVE',
  rebaselined: 're-baselined',
};

const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`;

function rate(r: PassRate | null): string {
  if (!r) return 'nothing measured';
  return `${pct(r.rate)} [${pct(r.lower)}–${pct(r.upper)}] (${r.pass}/${r.measured})`;
}

/** One line, at most `width` characters. */
function oneLine(s: string, width: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

/** An answer on one line, at most `WIDTH` characters, quoted (so blank and padded answers show). */
function clip(s: string | undefined): string {
  return s === undefined ? '—' : JSON.stringify(oneLine(s, WIDTH));
}

function flipLine(f: Flip): string[] {
  const mark = f.direction === 'regression' ? '✗' : '✓';
  const lines = [`    ${mark} ${f.caseId}  ${f.direction === 'regression' ? 'pass → fail' : 'fail → pass'}, ${f.confirmation}${f.retries.length ? ` (re-runs: ${f.retries.join(', ')})` : ''}`];
  lines.push(`        expected ${clip(f.expected)}`, `        got      ${clip(f.got)}`);
  // The reason is prose that quotes the answer itself: not quoted again (no \" escapes).
  if (f.direction === 'regression' && f.reasons[0]) lines.push(`        why      ${oneLine(f.reasons[0], WIDTH + 40)}`);
  return lines;
}

/**
 * The terminal summary of a golden run, readable in ten seconds: per suite the verdict, the pass
 * rate with its 95% interval against the baseline's, the counts behind the verdict, and the
 * flipped cases with expected vs got (confirmed first, at most 8, one line each, clipped).
 *
 * @example
 * process.stdout.write(formatGoldenSummary(runId, summaries, errors));
 */
export function formatGoldenSummary(runId: string, suites: GoldenSuiteSummary[], problems: { errors: SuiteProblem[] } = { errors: [] }): string {
  const out: string[] = [`golden run ${runId}`, ''];
  for (const s of suites) {
    const v = s.verdict;
    out.push(`${s.suite}  ${LABEL[v.verdict]}  ${v.baselinePassRate ? `${rate(v.baselinePassRate)} → ` : ''}${rate(v.passRate)}${s.target ? `  target ${s.target}` : ''}`);
    out.push(`  ${v.reason}`);
    if (v.bootstrap && (v.counts.confirmedRegressions || v.counts.confirmedImprovements)) {
      const b = v.bootstrap;
      const f = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
      out.push(`  mean score ${f(b.meanDiff)} [${f(b.lower)}, ${f(b.upper)}] (paired bootstrap, 95%)`);
    }
    if (v.unmeasured.count) out.push(`  unmeasured: ${v.unmeasured.count} (${Object.entries(v.unmeasured.byKind).map(([k, n]) => `${n} ${k}`).join(', ')}) — excluded, never counted as fails`);
    const shown = v.flips.slice(0, SHOWN_FLIPS);
    for (const f of shown) out.push(...flipLine(f));
    const more = s.flipsTotal - shown.length;
    if (more > 0) out.push(`    … ${more} more flip${more > 1 ? 's' : ''} in ${s.resultsUrl}`);
    if (s.failingTotal) {
      const ids = s.failing.slice(0, 6).join(', ');
      out.push(`  failing now: ${s.failingTotal} (${ids}${s.failingTotal > 6 ? ', …' : ''})`);
    }
    out.push('');
  }
  if (!suites.length) out.push('no suite ran', '');
  for (const e of problems.errors) out.push(`error: ${e.file}:${e.line}: ${e.message}`);
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

/**
 * The exit code of `evalwatch golden run` (DESIGN §5): 1 when any suite regressed, 2 when any
 * suite could not tell (inconclusive, nothing measured) or none ran, else 0. A re-baseline is 0:
 * a changed suite is not a quality change.
 *
 * @example
 * process.exitCode = goldenExitCode(summaries);
 */
export function goldenExitCode(suites: readonly GoldenSuiteSummary[]): 0 | 1 | 2 {
  if (suites.some((s) => s.verdict.verdict === 'regression')) return 1;
  if (!suites.length || suites.some((s) => s.verdict.verdict === 'inconclusive' || s.verdict.passRate === null)) return 2;
  return 0;
}
