import type { Finding } from '../report/types.ts';
import type { CanaryResult } from './canaries.ts';
import type { RegressionTest } from './regression.ts';

const fmt = (x: number, digits = 3) => Number(x.toPrecision(digits)).toString();
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The single finding of a run whose judge endpoint refused it (401/403/unknown model/no quota).
 *
 * @example
 * unavailableFinding('api.openai.com', 'gpt-4o-2024-08-06', { reason: 'auth', detail: '401 …' }, baseURL);
 */
export function unavailableFinding(provider: string, model: string, u: { reason: string; detail: string }, baseURL: string): Finding {
  const fix: Record<string, string> = {
    auth: 'check EVALWATCH_JUDGE_API_KEY (or OPENAI_API_KEY)',
    forbidden: 'check the key’s permissions for this model',
    model_not_found: `check judge.model ("${model}") and judge.baseURL`,
    insufficient_quota: 'add credit or raise the quota of the judge account',
  };
  return {
    fingerprint: `judge.unavailable:${provider}`,
    kind: 'judge.unavailable',
    severity: 'critical',
    route: '*',
    subject: model,
    summary: `Judge ${model} at ${provider} refused the run (${u.reason}), so no quality was measured: ${fix[u.reason] ?? 'check the judge endpoint'}.`,
    stats: { test: 'judge_call' },
    baseline: {},
    current: { reason: u.reason, detail: u.detail, baseURL },
    examples: [],
    links: [],
  };
}

/**
 * The single finding of a run whose judge misgraded its canaries.
 *
 * @example
 * unhealthyFinding(model, canaries);
 */
export function unhealthyFinding(model: string, c: CanaryResult): Finding {
  // A miss with a note says what the canary tests (e.g. length bias): the most telling example.
  const first = c.misses.find((m) => m.note) ?? c.misses[0];
  return {
    fingerprint: `judge.unhealthy:${model}`,
    kind: 'judge.unhealthy',
    severity: 'warning',
    route: '*',
    subject: model,
    summary: `Judge ${model} graded ${c.correct} of ${c.checks} canaries as expected${first ? ` (e.g. ${first.canary}: expected ${first.expected}, got ${first.got}${first.note ? ` — ${first.note}` : ''})` : ''}; quality is unmeasured this run: check for a model change or a length bias before trusting its scores.`,
    stats: { test: 'canaries', n: c.checks, accuracy: c.accuracy },
    baseline: { expectedAccuracy: 1 },
    current: { accuracy: c.accuracy, misses: c.misses },
    examples: c.misses.map((m) => m.canary),
    links: [],
  };
}

/**
 * A route whose judgments were scored below the coverage floor.
 *
 * @example
 * coverageFinding('checkout', { attempted: 200, scored: 150, reasons: { server_error: 50 } }, 0.9, ids);
 */
export function coverageFinding(route: string, c: { attempted: number; scored: number; reasons: Record<string, number> }, floor: number, examples: string[]): Finding {
  const why = Object.entries(c.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  return {
    fingerprint: `judge.coverage:${route}`,
    kind: 'judge.coverage',
    severity: 'warning',
    route,
    subject: 'coverage',
    summary: `${route}: only ${c.scored} of ${c.attempted} judgments scored (${pct(c.scored / c.attempted)} < ${pct(floor)} floor; ${why}), so its quality numbers may be biased toward the captures the judge could read.`,
    stats: { test: 'coverage', n: c.attempted, coverage: c.scored / c.attempted },
    baseline: { floor },
    current: { attempted: c.attempted, scored: c.scored, reasons: c.reasons },
    examples,
    links: [],
  };
}

/**
 * A quality regression of a route × dimension against earlier runs with the same judge.
 *
 * @example
 * qualityFinding(test, ['req-1'], 0.05);
 */
export function qualityFinding(t: RegressionTest, examples: string[], minEffect: number): Finding {
  const c = t.cell;
  const what = c.metric === 'mean' ? `${c.dimension} mean score` : `${c.dimension} pass rate`;
  const show = (x: number) => (c.metric === 'mean' ? fmt(x) : pct(x));
  return {
    fingerprint: `judge.quality:${c.rubric}:${c.route}:${c.dimension}`,
    kind: 'judge.quality',
    severity: t.drop >= 3 * minEffect * c.scale ? 'critical' : 'warning',
    route: c.route,
    subject: `${c.rubric}.${c.dimension}`,
    summary: `${c.route === '*' ? 'all routes' : c.route}: ${what} ${show(t.baseline.mean)} → ${show(c.estimate)} (95% CI ${show(c.ci[0])}–${show(c.ci[1])}) vs ${t.baseline.days} earlier runs with the same judge; q = ${fmt(t.qValue, 2)}, n = ${c.n}.`,
    stats: { test: 'student_t_vs_history', statistic: t.t, pValue: t.pValue, qValue: t.qValue, effect: { drop: t.drop }, n: c.n, m: t.baseline.days },
    baseline: { mean: t.baseline.mean, sd: t.baseline.sd, runs: t.baseline.days },
    current: { estimate: c.estimate, se: c.se, ci: c.ci, n: c.n, nEff: c.nEff, fingerprint: c.fingerprint },
    examples,
    links: [],
  };
}
