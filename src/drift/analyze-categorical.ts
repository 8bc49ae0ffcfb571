import { gTest, jensenShannonDistance } from '../stats/index.ts';
import type { CategoricalAgg } from './aggregate.ts';
import { examplesByKey, weightTotals, type DriftOptions, type TestOutcome } from './analyze-types.ts';
import { MIN_EFFECTIVE_N } from './analyze-numeric.ts';
import type { CategoricalFeature } from './features.ts';
import { formatRate } from './format.ts';

/** Weighted label counts of a categorical feature over some hours. */
export interface LabelCounts {
  n: number;
  w: number;
  ess: number;
  /** label → weighted count. */
  counts: Map<string, number>;
}

/**
 * Sums label counts over hours.
 *
 * @example
 * labelCounts(hours.map((h) => h.cat.prompt_script)).counts.get('latin');
 */
export function labelCounts(aggs: readonly CategoricalAgg[]): LabelCounts {
  const counts = new Map<string, number>();
  for (const a of aggs) {
    for (const [label, [, wt]] of Object.entries(a.c)) counts.set(label, (counts.get(label) ?? 0) + wt);
  }
  return { ...weightTotals(aggs), counts };
}

/**
 * Top labels with their shares, largest first (for summaries and "what changed").
 *
 * @example
 * topShares(labelCounts(aggs), 3); // [{ label: 'latin', share: 0.97 }, …]
 */
export function topShares(c: LabelCounts, k: number): { label: string; share: number }[] {
  return [...c.counts.entries()]
    .map(([label, wt]) => ({ label, share: c.w > 0 ? Number((wt / c.w).toPrecision(4)) : 0 }))
    .sort((a, b) => b.share - a.share || (a.label < b.label ? -1 : 1))
    .slice(0, k);
}

const RARE = '__rare__';

/**
 * Effective counts (shares × Kish effective size) with labels whose expected count is below 5 in
 * either group pooled into one `__rare__` cell, as the χ²/G approximation requires.
 */
function effectiveTables(cur: LabelCounts, base: LabelCounts): [Record<string, number>, Record<string, number>] {
  const labels = [...new Set([...cur.counts.keys(), ...base.counts.keys()])].sort();
  const total = cur.ess + base.ess;
  const a: Record<string, number> = {};
  const b: Record<string, number> = {};
  for (const label of labels) {
    const x = cur.w > 0 ? ((cur.counts.get(label) ?? 0) / cur.w) * cur.ess : 0;
    const y = base.w > 0 ? ((base.counts.get(label) ?? 0) / base.w) * base.ess : 0;
    const share = (x + y) / total;
    const key = Math.min(share * cur.ess, share * base.ess) < 5 ? RARE : label;
    a[key] = (a[key] ?? 0) + x;
    b[key] = (b[key] ?? 0) + y;
  }
  return [a, b];
}

/**
 * G-test of homogeneity of a categorical feature (script mix, status class) between window and
 * baseline, on effective counts. Effect: Jensen–Shannon distance (base 2, in [0, 1]) of the label
 * shares; the share of window mass in labels the baseline never saw is reported beside it.
 *
 * @example
 * testCategorical('chat', promptScript, windowCats, labelCounts(baselineCats), config.drift);
 */
export function testCategorical(
  route: string,
  feature: CategoricalFeature,
  window: readonly CategoricalAgg[],
  base: LabelCounts,
  opts: DriftOptions,
): TestOutcome {
  const cur = labelCounts(window);
  if (cur.n === 0 && base.n === 0) return null;
  const miss = (detail: string): TestOutcome => ({ route, subject: feature.name, reason: 'insufficient_data', detail });
  if (cur.n === 0) return miss(`no ${feature.label} values in the window (baseline n = ${base.n})`);
  if (base.n === 0) return miss(`no ${feature.label} values in the baseline (window n = ${cur.n})`);
  if (Math.min(cur.ess, base.ess) < MIN_EFFECTIVE_N) {
    return miss(`${feature.label}: n = ${Math.floor(cur.ess)} vs ${Math.floor(base.ess)} is below the minimum of ${MIN_EFFECTIVE_N} effective rows per side`);
  }
  // The most extreme window: all of it in a label the baseline never had.
  const extreme = gTest({ __extreme__: cur.ess }, Object.fromEntries([...base.counts].map(([l, wt]) => [l, (wt / base.w) * base.ess])));
  if (extreme.pValue >= opts.alpha) {
    return miss(`${feature.label}: ${cur.n} window rows cannot reach p < ${opts.alpha} (smallest possible p = ${extreme.pValue.toPrecision(2)})`);
  }
  const labels = [...new Set([...cur.counts.keys(), ...base.counts.keys()])].sort();
  // One label in window and baseline alike: conditional on the margins the test's p-value is 1
  // whatever the data, so it stays out of the BH family (Tarone) instead of diluting it.
  if (labels.length < 2) return null;
  const [a, b] = effectiveTables(cur, base);
  // Every label too rare to stand alone folds into one bucket: nothing is left to compare, which
  // is a test that could not run, not a p-value of 1.
  if (Object.keys(a).length < 2) return miss(`${feature.label}: every label is too rare to test on its own at n = ${cur.n} vs ${base.n}`);
  const g = gTest(b, a);
  const p = labels.map((l) => (cur.counts.get(l) ?? 0) / cur.w);
  const q = labels.map((l) => (base.counts.get(l) ?? 0) / base.w);
  const js = jensenShannonDistance(p, q, { base: 2 });
  let unseen = 0;
  labels.forEach((l, i) => {
    if (!base.counts.has(l)) unseen += p[i] as number;
  });
  const moves = labels
    .map((l, i) => ({ label: l, from: q[i] as number, to: p[i] as number }))
    .sort((x, y) => Math.abs(y.to - y.from) - Math.abs(x.to - x.from) || (x.label < y.label ? -1 : 1));
  const top = moves.slice(0, 2).filter((mv) => mv.to !== mv.from);
  const grown = moves.find((mv) => mv.to > mv.from);
  const examples = grown ? examplesByKey(window.flatMap((agg) => agg.ex[grown.label] ?? [])) : [];
  const headline =
    `${feature.label} mix ` +
    (top.length > 0 ? top.map((mv) => `${mv.label} ${formatRate(mv.from)} → ${formatRate(mv.to)}`).join(', ') : 'unchanged') +
    (unseen > 0 ? ` (${formatRate(unseen)} in labels new to the baseline)` : '');
  return {
    kind: 'drift.categorical',
    route,
    subject: feature.name,
    test: 'g_test',
    statistic: g.statistic,
    pValue: g.pValue,
    effect: { jsDistance: Number(js.toPrecision(6)), unseenShare: Number(unseen.toPrecision(6)) },
    effectRatio: opts.minJsDistance > 0 ? js / opts.minJsDistance : Infinity,
    n: cur.n,
    m: base.n,
    headline,
    testText: `G-test, JS = ${js.toFixed(2)}`,
    baseline: { n: base.n, effectiveN: Number(base.ess.toPrecision(6)), top: topShares(base, 5) },
    current: { n: cur.n, effectiveN: Number(cur.ess.toPrecision(6)), top: topShares(cur, 5) },
    examples,
    details: { dof: g.dof },
    mde: { kind: 'categorical', n: cur.ess, m: base.ess, labels: labels.length },
  };
}
