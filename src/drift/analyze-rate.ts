import { cochranMantelHaenszel, fisherExact, twoProportionTest, wilsonInterval } from '../stats/index.ts';
import type { FlagAgg } from './aggregate.ts';
import { examplesByKey, weightTotals, type DriftOptions, type TestOutcome } from './analyze-types.ts';
import { MIN_EFFECTIVE_N } from './analyze-numeric.ts';
import type { FlagFeature } from './features.ts';
import { formatChange, formatRate } from './format.ts';

/** Merged counts of a flag over some hours, with Kish effective trials. */
export interface RateCounts {
  n: number;
  w: number;
  kw: number;
  rate: number;
  /** Kish effective number of trials, (Σw)² / Σw². */
  ess: number;
}

/**
 * Sums a flag over hours.
 *
 * @example
 * rateCounts(hours.map((h) => h.flag.refusal)).rate;
 */
export function rateCounts(aggs: readonly FlagAgg[]): RateCounts {
  const { n, w, ess } = weightTotals(aggs);
  let kw = 0;
  for (const a of aggs) kw += a.kw;
  return { n, w, kw, rate: w > 0 ? kw / w : NaN, ess };
}

/**
 * Two-sided test of two rates on effective counts: the pooled z-test, or Fisher's exact test when
 * an expected cell count is below 5 (where the normal approximation misstates small p-values).
 *
 * @example
 * rateTest(0.046, 4000, 0.015, 30000).test; // 'two_proportion_z'
 */
export function rateTest(p1: number, n1: number, p0: number, n0: number): { test: string; pValue: number; statistic: number } {
  const pooled = (p1 * n1 + p0 * n0) / (n1 + n0);
  const minExpected = Math.min(n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled));
  if (minExpected < 5) {
    const a = Math.max(1, Math.round(n1));
    const c = Math.max(1, Math.round(n0));
    const x1 = Math.min(a, Math.round(p1 * a));
    const x0 = Math.min(c, Math.round(p0 * c));
    const f = fisherExact(x1, a - x1, x0, c - x0);
    return { test: 'fisher_exact', pValue: f.pValue, statistic: f.oddsRatio };
  }
  const z = twoProportionTest(p1 * n1, n1, p0 * n0, n0);
  return { test: 'two_proportion_z', pValue: z.pValue, statistic: z.z };
}

const ratio = (effect: number, threshold: number): number => (threshold > 0 ? effect / threshold : Infinity);

/**
 * The relative change of a rate measured on its rarer side: 97% → 85% valid is the failure rate
 * going 3% → 15% (×5), not a 12% drop; 1% → 3% refusals is ×3 either way. This is what makes one
 * relative threshold meaningful for both rare events and near-certain ones.
 *
 * @example
 * rareSideRelativeChange(0.97, 0.85); // 4
 */
export function rareSideRelativeChange(p0: number, p1: number): number {
  const diff = Math.abs(p1 - p0);
  const base = Math.min(p0, 1 - p0);
  return base > 0 ? diff / base : diff > 0 ? Infinity : 0;
}

function rateSummary(c: RateCounts): Record<string, number> {
  const ess = Math.max(c.ess, 1e-9);
  const ci = c.n > 0 ? wilsonInterval(Math.min(ess, c.rate * ess), ess) : { lower: NaN, upper: NaN };
  const r = (x: number) => Number(x.toPrecision(6));
  return { n: c.n, weightedN: r(c.w), effectiveN: r(c.ess), rate: r(c.rate), rateLow: r(ci.lower), rateHigh: r(ci.upper) };
}

/**
 * Tests a flag (a rate, including `missing.<field>` rates) in the window against the baseline.
 * A finding needs the absolute change ≥ `minRateChange` AND the rare-side relative change ≥
 * `minRelativeRateChange`. `insufficient_data` when even the most extreme window (all or none
 * true) could not reach α against this baseline.
 *
 * @example
 * testRate('answer', refusalFeature, windowFlags, rateCounts(baselineFlags), config.drift);
 */
export function testRate(
  route: string,
  feature: FlagFeature,
  window: readonly FlagAgg[],
  base: RateCounts,
  opts: DriftOptions,
): TestOutcome {
  const cur = rateCounts(window);
  if (cur.n === 0 && base.n === 0) return null;
  const miss = (detail: string): TestOutcome => ({ route, subject: feature.name, reason: 'insufficient_data', detail });
  if (cur.n === 0) return miss(`no rows in the window where ${feature.label} applies (baseline n = ${base.n})`);
  if (base.n === 0) return miss(`no baseline rows where ${feature.label} applies (window n = ${cur.n})`);
  if (Math.min(cur.ess, base.ess) < MIN_EFFECTIVE_N) {
    return miss(`${feature.label}: n = ${Math.floor(cur.ess)} vs ${Math.floor(base.ess)} is below the minimum of ${MIN_EFFECTIVE_N} effective rows per side`);
  }
  if (constantFlag([cur, base])) return null;
  const best = Math.min(rateTest(1, cur.ess, base.rate, base.ess).pValue, rateTest(0, cur.ess, base.rate, base.ess).pValue);
  if (best >= opts.alpha) {
    return miss(
      `${feature.label}: ${cur.n} window rows vs ${base.n} baseline rows cannot reach p < ${opts.alpha} (smallest possible p = ${best.toPrecision(2)})`,
    );
  }
  const t = rateTest(cur.rate, cur.ess, base.rate, base.ess);
  const abs = Math.abs(cur.rate - base.rate);
  const rel = rareSideRelativeChange(base.rate, cur.rate);
  const up = cur.rate > base.rate;
  const examples = examplesByKey(window.flatMap((a) => (up ? a.ex1 : a.ex0)));
  return {
    kind: 'drift.rate',
    route,
    subject: feature.name,
    test: t.test,
    statistic: t.statistic,
    pValue: t.pValue,
    effect: { absoluteChange: Number((cur.rate - base.rate).toPrecision(6)), relativeChange: Number(rel.toPrecision(6)) },
    effectRatio: Math.min(ratio(abs, opts.minRateChange), ratio(rel, opts.minRelativeRateChange)),
    n: cur.n,
    m: base.n,
    headline: `${feature.label} ${formatRate(base.rate)} → ${formatRate(cur.rate)} (${formatChange(base.rate, cur.rate)})`,
    testText: t.test === 'fisher_exact' ? 'Fisher exact' : `z = ${t.statistic.toFixed(1)}`,
    baseline: rateSummary(base),
    current: rateSummary(cur),
    examples,
    mde: { kind: 'rate', n: cur.ess, p0: base.rate },
  };
}

/**
 * The flag has the same value on every row of window and baseline (never true, or always true:
 * a field that is never missing). Conditional on the margins, Fisher's and CMH's p-values are
 * then 1 whatever the data, so the test could never reject; it stays out of the BH family
 * (Tarone's argument for discrete tests) instead of diluting the threshold of every other test.
 * Nothing is lost: any event in the window makes the flag testable again.
 */
function constantFlag(counts: readonly RateCounts[]): boolean {
  return counts.every((c) => c.kw === 0) || counts.every((c) => c.kw === c.w);
}

/**
 * Tests a flag across routes at once (the `*` rollup), stratified by route with the
 * Cochran–Mantel–Haenszel test: it pools every route's evidence (a refusal rate tripling on five
 * routes of a few hundred rows each is clear together, unclear one by one) and, holding the route
 * fixed, is not fooled by the route mix moving with each route's daily peak. The rates reported
 * and thresholded are the baseline's and the window's standardized to the baseline route mix.
 *
 * @example
 * testRateStratified('*', refusalFeature, [{ route: 'answer', window: [...], baseline: rateCounts([...]) }], config.drift);
 */
export function testRateStratified(
  route: string,
  feature: FlagFeature,
  strata: readonly { route: string; window: readonly FlagAgg[]; baseline: RateCounts }[],
  opts: DriftOptions,
): TestOutcome {
  const rows = strata
    .map((s) => ({ route: s.route, cur: rateCounts(s.window), base: s.baseline, window: s.window }))
    .filter((r) => r.cur.n > 0 && r.base.n > 0);
  if (rows.length === 0) return null;
  if (constantFlag(rows.flatMap((r) => [r.cur, r.base]))) return null;
  const curEss = rows.reduce((t, r) => t + r.cur.ess, 0);
  const baseEss = rows.reduce((t, r) => t + r.base.ess, 0);
  if (Math.min(curEss, baseEss) < MIN_EFFECTIVE_N) {
    return { route, subject: feature.name, reason: 'insufficient_data', detail: `${feature.label} across routes: n = ${Math.floor(curEss)} vs ${Math.floor(baseEss)} is below the minimum of ${MIN_EFFECTIVE_N} effective rows per side` };
  }
  const cmh = cochranMantelHaenszel(
    rows.map((r) => {
      const a = r.cur.rate * r.cur.ess;
      const c = r.base.rate * r.base.ess;
      return { a, b: r.cur.ess - a, c, d: r.base.ess - c };
    }),
  );
  if (!Number.isFinite(cmh.pValue)) {
    return { route, subject: feature.name, reason: 'insufficient_data', detail: `${feature.label} across routes: no route has both outcomes in window and baseline` };
  }
  // Direct standardization to the baseline route mix: the change a fixed mix of traffic would see.
  const baseW = rows.reduce((t, r) => t + r.base.w, 0);
  const p0 = rows.reduce((t, r) => t + (r.base.w / baseW) * r.base.rate, 0);
  const p1 = rows.reduce((t, r) => t + (r.base.w / baseW) * r.cur.rate, 0);
  const abs = Math.abs(p1 - p0);
  const rel = rareSideRelativeChange(p0, p1);
  const up = p1 > p0;
  const examples = examplesByKey(rows.flatMap((r) => r.window.flatMap((a) => (up ? a.ex1 : a.ex0))));
  const n = rows.reduce((t, r) => t + r.cur.n, 0);
  const m = rows.reduce((t, r) => t + r.base.n, 0);
  return {
    kind: 'drift.rate',
    route,
    subject: feature.name,
    test: 'cmh',
    statistic: cmh.statistic,
    pValue: cmh.pValue,
    effect: {
      absoluteChange: Number((p1 - p0).toPrecision(6)),
      relativeChange: Number(rel.toPrecision(6)),
      ...(Number.isFinite(cmh.oddsRatio) ? { oddsRatio: Number(cmh.oddsRatio.toPrecision(6)) } : {}),
    },
    effectRatio: Math.min(ratio(abs, opts.minRateChange), ratio(rel, opts.minRelativeRateChange)),
    n,
    m,
    headline: `${feature.label} ${formatRate(p0)} → ${formatRate(p1)} (${formatChange(p0, p1)}) across ${rows.length} routes, at the baseline route mix`,
    testText: `CMH χ² = ${cmh.statistic.toFixed(1)}${Number.isFinite(cmh.oddsRatio) ? `, odds ratio ${cmh.oddsRatio.toFixed(2)}` : ''}`,
    baseline: { n: m, rate: Number(p0.toPrecision(6)), routes: rows.length },
    current: { n, rate: Number(p1.toPrecision(6)), routes: rows.length },
    examples,
    mde: { kind: 'rate', n: curEss, p0 },
    details: { strata: cmh.strata, perRoute: rows.map((r) => ({ route: r.route, baselineRate: Number(r.base.rate.toPrecision(6)), windowRate: Number(r.cur.rate.toPrecision(6)), n: r.cur.n })) },
  };
}
