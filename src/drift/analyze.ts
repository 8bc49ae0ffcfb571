import { HOUR } from '../captures/partitions.ts';
import { benjaminiHochberg } from '../stats/index.ts';
import { ALL_ROUTES } from './aggregate.ts';
import { labelCounts, testCategorical, topShares } from './analyze-categorical.ts';
import { testNumeric } from './analyze-numeric.ts';
import { testRate, testRateStratified, type RateCounts } from './analyze-rate.ts';
import { testSigma, type SigmaOptions } from './analyze-sigma.ts';
import { isTest, type DriftOptions, type DriftTest, type DriftUnmeasured, type TestOutcome } from './analyze-types.ts';
import { labelCountsOf, numericBaselineOf, rateCountsOf, type BaselineDigest } from './baseline.ts';
import { collect, type HourBuckets } from './buckets.ts';
import { CATEGORICAL_FEATURES, FLAG_FEATURES, NUMERIC_FEATURES } from './features.ts';
import { combineSpans } from './pool.ts';
import { corroborates, MIN_POWER, mdePower, underpoweredDetail } from './power.ts';
import { SERIES_METRICS, type HourSeries } from './series.ts';

export type { HourBuckets } from './buckets.ts';

/** Everything one drift analysis reads; no I/O, so the benchmark replays it in memory. */
export interface AnalysisInput {
  /** The window analysed, `[start, end)` epoch ms, hour-aligned. */
  readonly window: { readonly start: number; readonly end: number };
  /** Buckets of each window hour. */
  readonly windowHours: readonly HourBuckets[];
  /** The baseline hours present in history, reduced to what the tests read (`digestBaseline`). */
  readonly baseline: BaselineDigest;
  /** Hourly series from history, window hours included; gaps are absent keys. */
  readonly series: ReadonlyMap<number, HourSeries>;
  readonly options: DriftOptions;
  readonly sigma?: SigmaOptions;
  /** Restrict the analysis to these routes (plus nothing else). Default: every route seen. */
  readonly routes?: readonly string[];
  /**
   * Subjects already pending (breached in an earlier window, not yet firing), keyed
   * `<route>|<subject>`, with the buckets of the earlier hours of their episode. Their
   * distribution tests pool those hours with the window, so the confirming test uses all the
   * evidence since the drift began rather than one more hour alone. Default: none.
   */
  readonly pending?: ReadonlyMap<string, readonly HourBuckets[]>;
  /**
   * Buckets of the hour(s) just before the window. A distribution test whose window alone cannot
   * detect the configured minimum effect (power.ts) is run over these hours and the window
   * together, and its breach counts for both windows in hysteresis. Default: none (no pooling).
   */
  readonly previousHours?: readonly HourBuckets[];
}

/** The tests of one subject, and how to re-run them over more hours (distribution tests only). */
interface Subject {
  outcomes: TestOutcome[];
  /** Set for a pending episode: every test of the subject covers it. */
  pooled?: { reason: 'episode' | 'power'; hours: number } | undefined;
  run?: ((winHours: readonly HourBuckets[]) => TestOutcome[]) | undefined;
  /** The window-only outcomes, when the subject was also tested pooled with the previous hours. */
  alone?: TestOutcome[];
}


/**
 * The hours a distribution test of `t` covered: the window, with the pending episode's hours or
 * the previous hours before it when the test was pooled (for charts of the same data).
 *
 * @example
 * collect(testHours(input, test), test.route, (b) => b.num[test.subject]);
 */
export function testHours(input: AnalysisInput, t: Pick<DriftTest, 'route' | 'subject' | 'pooled'>): readonly HourBuckets[] {
  if (t.pooled?.reason === 'episode') return [...(input.pending?.get(pendingKey(t.route, t.subject)) ?? []), ...input.windowHours];
  if (t.pooled?.reason === 'power') return [...(input.previousHours ?? []), ...input.windowHours];
  return input.windowHours;
}

/** Key of {@link AnalysisInput.pending}. */
export const pendingKey = (route: string, subject: string): string => `${route}|${subject}`;

/** The result of one analysis: every test with its q-value, and what could not be tested. */
export interface AnalysisResult {
  /** Every test run, in a stable order, each with `qValue`. */
  tests: DriftTest[];
  /** Tests whose q < α and whose effect clears the thresholds: the candidate findings. */
  breaches: DriftTest[];
  /** Breaches so strong they skip hysteresis: q < α/100 and effect ≥ 2× threshold. */
  large: Set<DriftTest>;
  /**
   * Tests that did not breach and could not have detected the minimum effect (power < 50% at
   * `level`): reported in `unmeasured`, and neither a breach nor a clean window for hysteresis.
   */
  inconclusive: Set<DriftTest>;
  /** The Bonferroni level α / tests that the minimum-detectable-effect power is computed at. */
  level: number;
  unmeasured: DriftUnmeasured[];
  /** Model and template mix per route, window vs baseline ("what changed"). */
  context: Record<string, RouteContext>;
}

export interface RouteContext {
  models: { window: { label: string; share: number }[]; baseline: { label: string; share: number }[] };
  templates: { window: { label: string; share: number }[]; baseline: { label: string; share: number }[] };
}

/**
 * Runs every drift test of a window against its baseline and history, then Benjamini–Hochberg
 * over the whole family (numeric KS, rates, categoricals and sigma windows together), so the
 * false discovery rate holds for the run, not per test.
 *
 * @example
 * const result = analyzeDrift({ window, windowHours, baseline: digestBaseline(baselineHours), series, options: config.drift });
 * result.breaches.map((t) => `${t.route} ${t.subject}`);
 */
export function analyzeDrift(input: AnalysisInput): AnalysisResult {
  const { options: opts } = input;
  const seen = new Set<string>();
  for (const h of input.windowHours) for (const r of Object.keys(h)) seen.add(r);
  for (const r of input.baseline.routes) seen.add(r);
  const routes = (input.routes ?? [...seen]).slice().sort((a, b) => (a === ALL_ROUTES ? -1 : b === ALL_ROUTES ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const subjects: Subject[] = [];
  const context: Record<string, RouteContext> = {};
  const hours = Math.max(1, Math.round((input.window.end - input.window.start) / HOUR));
  const previous = input.previousHours ?? [];

  const multiRoute = routes.filter((r) => r !== ALL_ROUTES).length > 1;
  for (const route of routes) {
    // The `*` rollup is a mixture whose route shares follow each route's own daily peak: its
    // distributions shift every hour by design. Distribution tests run per route; `*` keeps the
    // sigma windows, whose same-hour-of-week baseline absorbs the mixture's seasonality.
    const distributionTests = !(multiRoute && route === ALL_ROUTES);
    /** A distribution subject: run on the window (or its pending episode), re-runnable on more hours. */
    const add = (subject: string, run: (winHours: readonly HourBuckets[]) => TestOutcome[]) => {
      const earlier = input.pending?.get(pendingKey(route, subject));
      const outcomes = run(earlier ? [...earlier, ...input.windowHours] : input.windowHours);
      const pooled = earlier ? { reason: 'episode' as const, hours: earlier.length } : undefined;
      subjects.push({ outcomes, pooled, run: earlier ? undefined : run });
    };
    for (const f of NUMERIC_FEATURES) {
      if (!f.tested || !distributionTests) continue;
      const base = numericBaselineOf(input.baseline, route, f.name);
      add(f.name, (h) => testNumeric(route, f, collect(h, route, (b) => b.num[f.name]), base, opts));
    }
    for (const f of FLAG_FEATURES) {
      if (!f.tested) continue;
      if (!distributionTests) {
        // Across routes: stratified by route, so the moving route mix cannot fake a change.
        const others = routes.filter((r) => r !== ALL_ROUTES);
        const bases = others.map((r) => rateCountsOf(input.baseline, r, f.name));
        add(f.name, (h) => [
          testRateStratified(route, f, others.map((r, i) => ({ route: r, window: collect(h, r, (b) => b.flag[f.name]), baseline: bases[i] as RateCounts })), opts),
        ]);
        continue;
      }
      const base = rateCountsOf(input.baseline, route, f.name);
      add(f.name, (h) => [testRate(route, f, collect(h, route, (b) => b.flag[f.name]), base, opts)]);
    }
    for (const f of CATEGORICAL_FEATURES) {
      if (!f.tested || !distributionTests) continue;
      const base = labelCountsOf(input.baseline, route, f.name);
      add(f.name, (h) => [testCategorical(route, f, collect(h, route, (b) => b.cat[f.name]), base, opts)]);
    }
    for (const metric of SERIES_METRICS) {
      // A mixture's p95 jumps between its routes' modes as their shares move: per route only.
      if (!distributionTests && metric.kind === 'p95') continue;
      subjects.push({ outcomes: [testSigma(route, metric, input.series, input.window.end, hours, opts, input.sigma)] });
      // Spend and traffic also get a daily view from hourly runs: a slow leak shows over a day.
      if (metric.kind === 'total' && hours < 24) subjects.push({ outcomes: [testSigma(route, metric, input.series, input.window.end, 24, opts, input.sigma)] });
    }
    const dim = (name: string) => ({
      window: topShares(labelCounts(collect(input.windowHours, route, (b) => b.cat[name])), 3),
      baseline: topShares(labelCountsOf(input.baseline, route, name), 3),
    });
    context[route] = { models: dim('model'), templates: dim('prompt_template_version') };
  }

  // Minimum-detectable-effect policy (power.ts): the level a lone finding needs under BH.
  const level = opts.alpha / Math.max(1, subjects.reduce((t, s) => t + s.outcomes.filter(isTest).length, 0));
  const underpowered = (o: TestOutcome) => !isTest(o) || !o.mde || mdePower(o.mde, opts, level) < MIN_POWER;
  for (const s of subjects) {
    // A window that cannot detect the minimum effect also gets the test pooled with the previous
    // hour(s) — the "up to 2 windows" rule — combined with its own by weighted Simes (pool.ts),
    // one p-value per test in the family. Decided from sizes and baseline only: p-values stay valid.
    if (!s.run || previous.length === 0 || !s.outcomes.some((o) => o !== null) || !s.outcomes.every((o) => o === null || underpowered(o))) continue;
    s.alone = s.outcomes;
    s.outcomes = combineSpans(s.outcomes, s.run([...previous, ...input.windowHours]), previous.length);
  }
  const outcomes: TestOutcome[] = [];
  for (const s of subjects) {
    for (const o of s.outcomes) {
      if (isTest(o)) {
        if (s.pooled) o.pooled = s.pooled;
        if (o.mde) o.power = mdePower(o.mde, opts, level);
      }
      outcomes.push(o);
    }
  }

  const tests = outcomes.filter(isTest);
  const unmeasured = outcomes.filter((o): o is DriftUnmeasured => o !== null && !isTest(o));
  const q = benjaminiHochberg(tests.map((t) => t.pValue));
  tests.forEach((t, i) => (t.qValue = q[i] as number));
  const breaches = tests.filter((t) => (t.qValue as number) < opts.alpha && t.effectRatio >= 1);
  const large = new Set(breaches.filter((t) => (t.qValue as number) < opts.alpha / 100 && t.effectRatio >= 2));
  // A breach of the pooled test counts for both windows only if each hour alone shows the change.
  for (const s of subjects) {
    const hit = s.outcomes.filter((o): o is DriftTest => isTest(o) && o.pooled?.reason === 'power' && breaches.includes(o));
    if (hit.length === 0 || !s.run || !s.alone) continue;
    const all = s.outcomes.filter(isTest);
    const ok = corroborates(all, s.alone) && corroborates(all, s.run(previous));
    for (const t of hit) t.corroborated = ok;
  }
  // Not significant and unable to detect the minimum effect: insufficient data, not "no drift".
  const breached = new Set(breaches.map((t) => pendingKey(t.route, t.subject)));
  const inconclusive = new Set<DriftTest>();
  const reported = new Set<string>();
  for (const t of tests) {
    const key = pendingKey(t.route, t.subject);
    if (t.power === undefined || t.power >= MIN_POWER || breached.has(key)) continue;
    inconclusive.add(t);
    if (reported.has(key)) continue;
    reported.add(key);
    unmeasured.push({ route: t.route, subject: t.subject, reason: 'insufficient_data', detail: underpoweredDetail(t, level) });
  }
  return { tests, breaches, large, inconclusive, unmeasured, context, level };
}
