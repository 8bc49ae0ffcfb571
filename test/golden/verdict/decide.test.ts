import { describe, expect, it } from 'vitest';
import { confirmation, decideVerdict, diffFingerprints, passRate, rebaselineVerdict, suiteFingerprint } from '../../../src/golden/verdict/index.ts';
import { mixedSuite, simulateVerdicts } from '../../../src/golden/verdict/simulate.ts';
import type { CaseResult, GoldenSuite } from '../../../src/golden/types.ts';

type S = CaseResult['status'];
const r = (id: string, status: S, extra: Partial<CaseResult> = {}): CaseResult => ({
  caseId: id,
  status,
  ...(status === 'unmeasured' ? { error: { kind: 'timeout', message: 't' } } : { score: status === 'pass' ? 1 : 0 }),
  assertions: status === 'fail' ? [{ type: 'equals', pass: false, score: 0, weight: 1, reason: `expected "x", got "y" (${id})` }] : [],
  output: `out-${id}-${status}`,
  expected: `exp-${id}`,
  ...extra,
});
/** n cases: the first `pass` pass. */
const run = (n: number, pass: number, prefix = 'c'): CaseResult[] => Array.from({ length: n }, (_, i) => r(`${prefix}${String(i).padStart(3, '0')}`, i < pass ? 'pass' : 'fail'));

describe('confirm-on-retry classification', () => {
  it('confirmed / flaky / infra / unconfirmed', () => {
    expect(confirmation('regression', ['fail', 'fail'])).toBe('confirmed');
    expect(confirmation('regression', ['fail', 'pass'])).toBe('flaky');
    expect(confirmation('regression', ['pass', 'unmeasured'])).toBe('flaky');
    expect(confirmation('regression', ['unmeasured', 'fail'])).toBe('infra');
    expect(confirmation('regression', ['unmeasured', 'unmeasured'])).toBe('infra');
    expect(confirmation('improvement', ['pass', 'pass'])).toBe('confirmed');
    expect(confirmation('improvement', [])).toBe('unconfirmed');
  });
});

describe('decideVerdict', () => {
  it('calls 10 confirmed breaks out of 100 a regression, with expected vs got for each', () => {
    const before = run(100, 95);
    const now = before.map((c, i) => (i < 10 ? r(c.caseId, 'fail', { retries: ['fail', 'fail'] }) : c));
    const v = decideVerdict(now, { runId: 'base', results: before });
    expect(v.verdict).toBe('regression');
    expect(v.counts.confirmedRegressions).toBe(10);
    expect(v.mcnemar?.regression.pGreater).toBeCloseTo(2 ** -10, 12);
    expect(v.flips[0]).toMatchObject({ caseId: 'c000', direction: 'regression', confirmation: 'confirmed', expected: 'exp-c000', got: 'out-c000-fail', baselineOutput: 'out-c000-pass' });
    expect(v.flips[0]!.reasons[0]).toMatch(/expected "x"/);
    expect(v.reason).toMatch(/pass rate 95% → 85%.*10 confirmed regressions/);
    expect(v.passRate).toMatchObject({ pass: 85, measured: 100 });
    expect(v.passRate!.lower).toBeLessThan(0.85);
    expect(v.bootstrap!.upper).toBeLessThan(0);
  });

  it('does not count flips that re-runs undo: flaky, no regression', () => {
    const before = run(100, 95);
    const now = before.map((c, i) => (i < 10 ? r(c.caseId, 'fail', { retries: ['pass', i % 2 ? 'pass' : 'fail'] }) : c));
    const v = decideVerdict(now, { runId: 'base', results: before });
    expect(v.counts).toMatchObject({ confirmedRegressions: 0, flaky: 10, revertedRegressions: 5 });
    expect(v.verdict).toBe('no-change');
  });

  it('reports infra when the re-runs error, and never counts it', () => {
    const before = run(50, 50);
    const now = before.map((c, i) => (i < 6 ? r(c.caseId, 'fail', { retries: ['unmeasured', 'fail'] }) : c));
    const v = decideVerdict(now, { runId: 'base', results: before });
    expect(v.counts).toMatchObject({ infra: 6, confirmedRegressions: 0 });
    expect(v.verdict).not.toBe('regression');
    expect(v.flips.every((f) => f.confirmation === 'infra')).toBe(true);
  });

  it('excludes unmeasured cases from the pairs and counts them by kind', () => {
    const before = run(40, 40);
    before[0] = r('c000', 'unmeasured');
    const now = run(40, 40);
    now[1] = r('c001', 'unmeasured');
    now[2] = r('c002', 'unmeasured', { error: { kind: 'rate_limited', message: '429' } });
    const v = decideVerdict(now, { runId: 'base', results: before });
    expect(v.paired).toEqual({ n: 37, unmeasuredNow: 2, unmeasuredBefore: 1, notInBaseline: 0 });
    expect(v.unmeasured).toEqual({ count: 2, byKind: { timeout: 1, rate_limited: 1 } });
    expect(v.passRate?.measured).toBe(38);
  });

  it('is inconclusive on a tiny suite, and says how many cases would do', () => {
    const before = run(12, 12);
    const now = before.map((c, i) => (i < 2 ? r(c.caseId, 'fail', { retries: ['fail', 'fail'] }) : c));
    const v = decideVerdict(now, { runId: 'base', results: before }, { minDetectableDrop: 0.1 });
    expect(v.verdict).toBe('inconclusive');
    expect(v.power).toMatchObject({ minRegressions: 5, neededCases: 50 });
    expect(v.reason).toMatch(/can only detect a drop of ≥ 41\.7% — ≥ 50 would detect 10%/);
    const tiny = decideVerdict(run(5, 5), { runId: 'base', results: run(5, 5) });
    expect(tiny.verdict).toBe('inconclusive');
    expect(tiny.reason).toMatch(/only 5 cases measured in both runs \(need ≥ 10\)/);
    // A significant result stands in a small suite: every case broke for certain.
    const broken = run(6, 6).map((c) => r(c.caseId, 'fail', { retries: ['fail', 'fail'] }));
    expect(decideVerdict(broken, { runId: 'base', results: run(6, 6) }).verdict).toBe('regression');
  });

  it('says no-change on a large stable suite and improvement on confirmed fixes', () => {
    const before = run(200, 180);
    expect(decideVerdict(run(200, 180), { runId: 'b', results: before }).verdict).toBe('no-change');
    const fixed = before.map((c, i) => (i >= 180 && i < 190 ? r(c.caseId, 'pass', { retries: ['pass', 'pass'] }) : c));
    const v = decideVerdict(fixed, { runId: 'b', results: before });
    expect(v.verdict).toBe('improvement');
    expect(v.counts.confirmedImprovements).toBe(10);
  });

  it('calls confirmed breaks a regression even when as many other cases were fixed', () => {
    const before = run(200, 180);
    const now = before.map((c, i) => (i < 10 ? r(c.caseId, 'fail', { retries: ['fail', 'fail'] }) : i >= 180 && i < 190 ? r(c.caseId, 'pass', { retries: ['pass', 'pass'] }) : c));
    const v = decideVerdict(now, { runId: 'b', results: before });
    expect(v.passRate?.rate).toBe(v.baselinePassRate?.rate);
    expect(v.mcnemar?.improvement.pLess).toBeLessThan(0.05);
    expect(v.verdict).toBe('regression');
    expect(v.reason).toMatch(/10 confirmed regressions, 10 confirmed improvements/);
  });

  it('compares confirmed regressions with reverted improvements, not with confirmed improvements', () => {
    const before = run(100, 50);
    // 6 confirmed regressions; 6 improvements whose re-runs both failed again (reverted).
    const now = before.map((c, i) => (i < 6 ? r(c.caseId, 'fail', { retries: ['fail', 'fail'] }) : i >= 50 && i < 56 ? r(c.caseId, 'pass', { retries: ['fail', 'fail'] }) : c));
    const v = decideVerdict(now, { runId: 'b', results: before });
    expect(v.counts).toMatchObject({ confirmedRegressions: 6, confirmedImprovements: 0, revertedImprovements: 6, flaky: 6 });
    expect(v.mcnemar?.regression).toMatchObject({ b: 6, c: 6 });
    expect(v.verdict).not.toBe('regression');
  });

  it('passRate is null when nothing was measured, never 0%', () => {
    expect(passRate([r('a', 'unmeasured')])).toBeNull();
  });
});

describe('false alarms of the rule (simulation with the real decideVerdict)', () => {
  it('a stable 100-case suite at 90% with flaky cases does not flip the gate at random', () => {
    for (const suite of [mixedSuite(100, 0.9, 20, 0.5), mixedSuite(100, 0.9, 13, 0.2), Array.from({ length: 100 }, () => 0.9)]) {
      const v = simulateVerdicts({ before: suite, after: suite }, 3_000, 2, 11);
      expect(v.regression).toBeLessThan(0.01);
    }
  });

  it('stays within alpha where comparing confirmed flips with each other would not (300 cases, low-p flaky)', () => {
    const suite = mixedSuite(300, 0.9, 45, 1 / 3);
    expect(simulateVerdicts({ before: suite, after: suite }, 3_000, 2, 5).regression).toBeLessThanOrEqual(0.05);
  });

  it('detects 10 deterministic breaks in a 100-case suite with 20 flaky cases almost always', () => {
    const before = mixedSuite(100, 0.9, 20, 0.5);
    const after = before.map((p, i) => (i < 10 ? 0 : p));
    expect(simulateVerdicts({ before, after }, 2_000, 2, 3).regression).toBeGreaterThan(0.9);
  });
});

describe('fingerprints and re-baselines', () => {
  const suite = (cases: Array<[string, string]>, hash = 'h1'): GoldenSuite => ({
    name: 's',
    file: 'golden/s.yaml',
    cases: cases.map(([id, input]) => ({ id, input, vars: {}, assert: [{ type: 'llm-rubric', value: 'polite' }], threshold: 1, tags: [], source: { file: 'golden/s.yaml', line: 1 } })),
    defaultAssert: [],
    contentHash: hash,
  });
  const target = (model: string) => ({ name: 't', fingerprint: `fp-${model}`, identity: { kind: 'openai', model, system: 'S' } });

  it('names added, removed and edited cases and the target keys that changed', () => {
    const a = suiteFingerprint(suite([['c1', 'x'], ['c2', 'y']]), target('m1'), { judgeModel: 'j1' });
    const b = suiteFingerprint(suite([['c1', 'x'], ['c2', 'y2'], ['c3', 'z']], 'h2'), target('m2'), { judgeModel: 'j2' });
    expect(a.combined).not.toBe(b.combined);
    const d = diffFingerprints(a, b, 'prev');
    expect(d).toMatchObject({ firstRun: false, added: ['c3'], removed: [], edited: ['c2'], target: ['model'], scorers: ['judgeModel'], previousRunId: 'prev' });
    const v = rebaselineVerdict([r('c1', 'pass')], d);
    expect(v.verdict).toBe('rebaselined');
    expect(v.reason).toBe('suite changed — re-baselined: 1 case added (c3); 1 edited (c2); target model changed; scorer judgeModel changed');
  });

  it('ignores the target when every case has a recorded output, and the judge model when no case is judged', () => {
    const recorded = suite([['c1', 'x']]);
    recorded.cases[0]!.output = 'recorded';
    recorded.cases[0]!.assert = [{ type: 'equals', value: 'recorded' }];
    expect(suiteFingerprint(recorded, target('m1'), { judgeModel: 'j1' }).combined).toBe(suiteFingerprint(recorded, target('m2'), { judgeModel: 'j2' }).combined);
    expect(diffFingerprints(null, suiteFingerprint(recorded, null)).firstRun).toBe(true);
  });
});
