import { HOUR } from '../captures/partitions.ts';
import { benjaminiHochberg } from '../stats/index.ts';
import { ALL_ROUTES, type RouteBucket } from './aggregate.ts';
import { labelCounts, testCategorical, topShares } from './analyze-categorical.ts';
import { testNumeric } from './analyze-numeric.ts';
import { testRate, testRateStratified } from './analyze-rate.ts';
import { testSigma, type SigmaOptions } from './analyze-sigma.ts';
import { isTest, type DriftOptions, type DriftTest, type DriftUnmeasured, type TestOutcome } from './analyze-types.ts';
import { CATEGORICAL_FEATURES, FLAG_FEATURES, NUMERIC_FEATURES } from './features.ts';
import { SERIES_METRICS, type HourSeries } from './series.ts';


/** Buckets of one hour by route, the `*` rollup included (see `withRollup`). */
export type HourBuckets = Record<string, RouteBucket>;

/** Everything one drift analysis reads; no I/O, so the benchmark replays it in memory. */
export interface AnalysisInput {
  /** The window analysed, `[start, end)` epoch ms, hour-aligned. */
  readonly window: { readonly start: number; readonly end: number };
  /** Buckets of each window hour. */
  readonly windowHours: readonly HourBuckets[];
  /** Buckets of each baseline hour present in history. */
  readonly baselineHours: readonly HourBuckets[];
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
  unmeasured: DriftUnmeasured[];
  /** Model and template mix per route, window vs baseline ("what changed"). */
  context: Record<string, RouteContext>;
}

export interface RouteContext {
  models: { window: { label: string; share: number }[]; baseline: { label: string; share: number }[] };
  templates: { window: { label: string; share: number }[]; baseline: { label: string; share: number }[] };
}

function collect<T>(hours: readonly HourBuckets[], route: string, pick: (b: RouteBucket) => T | undefined): T[] {
  const out: T[] = [];
  for (const h of hours) {
    const b = h[route];
    if (!b) continue;
    const x = pick(b);
    if (x !== undefined) out.push(x);
  }
  return out;
}

/**
 * Runs every drift test of a window against its baseline and history, then Benjamini–Hochberg
 * over the whole family (numeric KS, rates, categoricals and sigma windows together), so the
 * false discovery rate holds for the run, not per test.
 *
 * @example
 * const result = analyzeDrift({ window, windowHours, baselineHours, series, options: config.drift });
 * result.breaches.map((t) => `${t.route} ${t.subject}`);
 */
export function analyzeDrift(input: AnalysisInput): AnalysisResult {
  const { options: opts } = input;
  const seen = new Set<string>();
  for (const h of [...input.windowHours, ...input.baselineHours]) for (const r of Object.keys(h)) seen.add(r);
  const routes = (input.routes ?? [...seen]).slice().sort((a, b) => (a === ALL_ROUTES ? -1 : b === ALL_ROUTES ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const outcomes: TestOutcome[] = [];
  const context: Record<string, RouteContext> = {};
  const hours = Math.max(1, Math.round((input.window.end - input.window.start) / HOUR));

  const multiRoute = routes.filter((r) => r !== ALL_ROUTES).length > 1;
  for (const route of routes) {
    // The `*` rollup is a mixture whose route shares follow each route's own daily peak: its
    // distributions shift every hour by design. Distribution tests run per route; `*` keeps the
    // sigma windows, whose same-hour-of-week baseline absorbs the mixture's seasonality.
    const distributionTests = !(multiRoute && route === ALL_ROUTES);
    const hoursFor = (subject: string): readonly HourBuckets[] => {
      const earlier = input.pending?.get(pendingKey(route, subject));
      return earlier ? [...earlier, ...input.windowHours] : input.windowHours;
    };
    for (const f of NUMERIC_FEATURES) {
      if (!f.tested || !distributionTests) continue;
      const win = collect(hoursFor(f.name), route, (b) => b.num[f.name]);
      const base = collect(input.baselineHours, route, (b) => b.num[f.name]);
      outcomes.push(testNumeric(route, f, win, base, opts));
    }
    for (const f of FLAG_FEATURES) {
      if (!f.tested) continue;
      if (!distributionTests) {
        // Across routes: stratified by route, so the moving route mix cannot fake a change.
        const strata = routes
          .filter((r) => r !== ALL_ROUTES)
          .map((r) => ({ route: r, window: collect(hoursFor(f.name), r, (b) => b.flag[f.name]), baseline: collect(input.baselineHours, r, (b) => b.flag[f.name]) }));
        outcomes.push(testRateStratified(route, f, strata, opts));
        continue;
      }
      const win = collect(hoursFor(f.name), route, (b) => b.flag[f.name]);
      const base = collect(input.baselineHours, route, (b) => b.flag[f.name]);
      outcomes.push(testRate(route, f, win, base, opts));
    }
    for (const f of CATEGORICAL_FEATURES) {
      const win = collect(hoursFor(f.name), route, (b) => b.cat[f.name]);
      const base = collect(input.baselineHours, route, (b) => b.cat[f.name]);
      if (f.tested && distributionTests) outcomes.push(testCategorical(route, f, win, base, opts));
    }
    for (const metric of SERIES_METRICS) {
      // A mixture's p95 jumps between its routes' modes as their shares move: per route only.
      if (!distributionTests && metric.kind === 'p95') continue;
      outcomes.push(testSigma(route, metric, input.series, input.window.end, hours, opts, input.sigma));
      // Spend and traffic also get a daily view from hourly runs: a slow leak shows over a day.
      if (metric.kind === 'total' && hours < 24) outcomes.push(testSigma(route, metric, input.series, input.window.end, 24, opts, input.sigma));
    }
    const dim = (name: string, hoursList: readonly HourBuckets[]) =>
      topShares(labelCounts(collect(hoursList, route, (b) => b.cat[name])), 3);
    context[route] = {
      models: { window: dim('model', input.windowHours), baseline: dim('model', input.baselineHours) },
      templates: { window: dim('prompt_template_version', input.windowHours), baseline: dim('prompt_template_version', input.baselineHours) },
    };
  }

  const tests = outcomes.filter(isTest);
  const unmeasured = outcomes.filter((o): o is DriftUnmeasured => o !== null && !isTest(o));
  const q = benjaminiHochberg(tests.map((t) => t.pValue));
  tests.forEach((t, i) => (t.qValue = q[i] as number));
  const breaches = tests.filter((t) => (t.qValue as number) < opts.alpha && t.effectRatio >= 1);
  const large = new Set(breaches.filter((t) => (t.qValue as number) < opts.alpha / 100 && t.effectRatio >= 2));
  return { tests, breaches, large, unmeasured, context };
}
