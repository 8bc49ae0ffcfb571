import { describe, expect, it } from 'vitest';
import { scheduledSuites } from '../../../src/golden/pipeline.ts';
import type { GoldenSuiteSummary } from '../../../src/golden/run/report.ts';
import { formatGoldenSummary, goldenExitCode } from '../../../src/golden/run/summary.ts';
import { defaultGoldenConfig } from '../../../src/golden/config.ts';
import { decideVerdict, rebaselineVerdict } from '../../../src/golden/verdict/index.ts';
import type { CaseResult } from '../../../src/golden/types.ts';

const res = (id: string, status: CaseResult['status'], extra: Partial<CaseResult> = {}): CaseResult => ({ caseId: id, status, score: status === 'pass' ? 1 : 0, assertions: [], output: `out ${id}`, expected: `exp ${id}`, ...extra });

function summary(verdict: GoldenSuiteSummary['verdict'], failing: string[] = []): GoldenSuiteSummary {
  return { suite: 's', file: 'golden/s.yaml', target: 'model', resultsKey: 'golden/s/r.json', resultsUrl: '/store/golden/s/r.json', cases: 100, calls: 100, verdict, flipsTotal: verdict.flips.length, failing, failingTotal: failing.length };
}

describe('terminal summary', () => {
  it('shows at most 8 flips, one clipped line per field, and points to the rest', () => {
    const before = Array.from({ length: 100 }, (_, i) => res(`c${String(i).padStart(2, '0')}`, 'pass'));
    const long = `${'very long answer '.repeat(20)}\nwith a newline`;
    const now = before.map((c, i) => (i < 12 ? res(c.caseId, 'fail', { output: long, retries: ['fail', 'fail'] }) : c));
    const text = formatGoldenSummary('golden-1', [summary(decideVerdict(now, { runId: 'b', results: before }), ['c00', 'c01'])]);
    expect(text).toMatch(/^golden run golden-1\n\ns {2}REGRESSION {2}100% \[96\.3%–100%\] \(100\/100\) → 88% \[80\.2%–93%\] \(88\/100\) {2}target model\n/);
    expect(text.match(/✗ c\d\d/g)).toHaveLength(8);
    expect(text).toContain('… 4 more flips in /store/golden/s/r.json');
    expect(text).toContain('got      "very long answer very long answer very long answer very lon…"');
    expect(text).toMatch(/mean score -0\.120 \[-0\.1\d\d, -0\.0\d\d\] \(paired bootstrap, 95%\)/);
    expect(text).toContain('failing now: 2 (c00, c01)');
  });

  it('exit codes: regression 1, inconclusive or nothing measured 2, re-baselined 0', () => {
    const changes = { firstRun: true, added: [], removed: [], edited: [], suiteSettings: false, target: [], scorers: [] };
    expect(goldenExitCode([summary(rebaselineVerdict([res('a', 'pass')], changes))])).toBe(0);
    expect(goldenExitCode([summary(rebaselineVerdict([res('a', 'unmeasured')], changes))])).toBe(2);
    expect(goldenExitCode([summary(decideVerdict([res('a', 'pass')], { runId: 'b', results: [res('a', 'pass')] }))])).toBe(2);
    expect(goldenExitCode([])).toBe(2);
  });
});

describe('scheduled suites', () => {
  it('empty or ["*"] means every suite', () => {
    expect(scheduledSuites(defaultGoldenConfig())).toBeUndefined();
    expect(scheduledSuites(defaultGoldenConfig({ schedule: ['*'] }))).toBeUndefined();
    expect(scheduledSuites(defaultGoldenConfig({ schedule: ['support'] }))).toEqual(['support']);
  });
});
