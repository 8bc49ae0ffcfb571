import type { Finding } from '../report/types.ts';
import type { DimensionAgreement } from './bridge.ts';
import type { BridgeRecord } from './bridge-store.ts';
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

const signed = (x: number, digits = 2) => `${x < 0 ? '−' : x > 0 ? '+' : ''}${Math.abs(x).toFixed(digits)}`;

/**
 * The `info` finding of a judge change: what changed, how the two judges agree on the frozen
 * sample (exact agreement, κ or ρ, mean offset new − old with its 95% half-width), and that the
 * rubric's trends restart on the new judge. Unmeasured bridges say why.
 *
 * @example
 * rebaselinedFinding(record).summary;
 * // 'relevance: judge changed gpt-4o-2024-08-06 → gpt-4o-2024-11-20; agreement 0.91 (ρ 0.88), offset −0.04 ± 0.03 on 50 frozen items; trends restart.'
 */
export function rebaselinedFinding(b: BridgeRecord): Finding {
  const r = b.result;
  let agreement: string;
  if (b.status === 'measured' && r) {
    const dims = r.dimensions.filter((d) => d.n > 0);
    const label = (d: DimensionAgreement) => (r.dimensions.length > 1 || d.dimension !== b.rubric ? `${d.dimension} ` : '');
    const parts = dims.map((d) => {
      const extra = d.spearman !== undefined ? ` (ρ ${d.spearman.toFixed(2)})` : d.kappa !== undefined ? ` (κ ${d.kappa.toFixed(2)})` : '';
      const off = d.offset ? `, offset ${signed(d.offset.mean)} ± ${((d.offset.ci[1] - d.offset.ci[0]) / 2).toFixed(2)}` : '';
      return `${label(d)}agreement ${d.exactAgreement.toFixed(2)}${extra}${off}`;
    });
    const on = r.pairs === r.items ? `${r.items}` : `${r.pairs} of ${r.items}`;
    agreement = `${parts.join('; ')} on ${on} frozen items`;
  } else {
    const why =
      b.reason === 'old_judge_unavailable'
        ? `the previous judge can no longer be called: ${r?.oldUnavailable?.reason ?? 'refused'}`
        : b.reason === 'no_frozen_sample'
          ? 'no frozen sample to compare on'
          : (b.detail ?? b.reason ?? 'unknown');
    agreement = `agreement unmeasured (${why})`;
  }
  const first = r?.dimensions.find((d) => d.offset);
  return {
    fingerprint: `judge.rebaselined:${b.rubric}`,
    kind: 'judge.rebaselined',
    severity: 'info',
    route: '*',
    subject: b.rubric,
    summary: `${b.rubric}: ${b.changes.join(', ')}; ${agreement}; trends restart.`,
    stats: {
      test: 'judge_bridge',
      n: r?.pairs ?? 0,
      ...(first?.offset ? { effect: { offset: first.offset.mean } } : {}),
      status: b.status,
      ...(b.reason ? { reason: b.reason } : {}),
      dimensions: r?.dimensions ?? [],
    },
    baseline: { fingerprint: b.old.fingerprint, model: b.old.descriptor.model, baseURL: b.old.descriptor.baseURL, rubricVersion: b.old.descriptor.rubricVersion },
    current: { fingerprint: b.new.fingerprint, model: b.new.descriptor.model, baseURL: b.new.descriptor.baseURL, rubricVersion: b.new.descriptor.rubricVersion, changes: b.changes, approximations: b.approximations },
    examples: r?.disagreements ?? [],
    links: [],
  };
}

/** Self-consistency of one route's re-run captures. */
export interface RouteConsistency {
  readonly route: string;
  readonly measured: number;
  readonly flagged: number;
  /** 95% Wilson interval of the flagged share. */
  readonly ci: [number, number];
}

/**
 * A route whose target model answers the same captured prompt in divergent ways on re-runs.
 *
 * @example
 * inconsistentFinding({ route: 'chat', measured: 20, flagged: 14, ci: [0.48, 0.85] }, { k: 3, minSimilarity: 0.35, maxFlaggedShare: 0.2 }, ids);
 */
export function inconsistentFinding(c: RouteConsistency, o: { k: number; minSimilarity: number; maxFlaggedShare: number }, examples: string[]): Finding {
  const share = c.flagged / c.measured;
  return {
    fingerprint: `judge.inconsistent:${c.route}`,
    kind: 'judge.inconsistent',
    severity: 'warning',
    route: c.route,
    subject: 'self_consistency',
    summary: `${c.route}: ${c.flagged} of ${c.measured} captured prompts got divergent answers when re-run ${o.k} times (${pct(share)}, 95% CI ${pct(c.ci[0])}–${pct(c.ci[1])}, above the ${pct(o.maxFlaggedShare)} tolerated; word overlap < ${o.minSimilarity}): users on this route may get a different answer each time they ask.`,
    stats: { test: 'self_consistency_share', n: c.measured, share, ci: c.ci, effect: { share } },
    baseline: { maxFlaggedShare: o.maxFlaggedShare, minSimilarity: o.minSimilarity, k: o.k },
    current: { measured: c.measured, flagged: c.flagged, share, ci: c.ci },
    examples,
    links: [],
  };
}
