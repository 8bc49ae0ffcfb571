import { isTest, type DriftTest, type TestOutcome } from './analyze-types.ts';

/**
 * Combining a window's own test with the same test pooled with the previous hour(s), for windows
 * that cannot detect the minimum effect alone (see `power.ts` and `analyzeDrift`).
 */

/** Which test of the 1-hour run a test of the pooled run pairs with. */
const family = (t: DriftTest): string => (t.kind === 'drift.numeric' ? (t.test.startsWith('ks') ? 'ks' : t.test) : t.kind);

/**
 * Weights of the weighted Simes combination, fixed before any data is seen: the pooled test is the
 * primary test of a window that cannot detect the minimum effect alone (it sees the moderate
 * changes near the thresholds), the window's own test a guard for large one-hour changes, whose
 * p-values are tiny enough that a ×5 costs nothing.
 */
export const SPAN_WEIGHTS = { window: 0.2, pooled: 0.8 } as const;

/**
 * One test per pair of the window-only and the pooled run, carrying their weighted Simes
 * combination min(p_w / 0.2, p_p / 0.8, max(p_w, p_p)) (Benjamini & Hochberg 1997; valid for the
 * positively dependent p-values of overlapping spans), so each pair is one member of the BH
 * family; the test that attains it supplies effect sizes and summary. Only the pooled test when
 * the window alone could not be tested; only the window's when pooling could not.
 *
 * @example
 * combineSpans(windowOutcomes, pooledOutcomes, 1);
 */
export function combineSpans(alone: readonly TestOutcome[], pooled: readonly TestOutcome[], hours: number): TestOutcome[] {
  const mark = (t: DriftTest): DriftTest => ((t.pooled = { reason: 'power', hours }), t);
  const two = pooled.filter(isTest);
  if (two.length === 0) return [...alone];
  const one = alone.filter(isTest);
  if (one.length === 0) return two.map(mark);
  const out: TestOutcome[] = [];
  for (const t2 of two) {
    const t1 = one.find((t) => family(t) === family(t2));
    if (!t1) {
      out.push(mark(t2));
      continue;
    }
    const byWindow = t1.pValue / SPAN_WEIGHTS.window;
    const byPooled = t2.pValue / SPAN_WEIGHTS.pooled;
    const driver = byWindow < byPooled ? t1 : t2;
    const combined: DriftTest = {
      ...driver,
      pValue: Math.min(1, byWindow, byPooled, Math.max(t1.pValue, t2.pValue)),
      // The pooled span has the power: it decides whether a quiet result is conclusive.
      ...(t2.mde ? { mde: t2.mde } : {}),
      details: { ...driver.details, spanPValues: { window: t1.pValue, pooled: t2.pValue }, combined: 'weighted Simes (0.2 window, 0.8 pooled with the previous hour)' },
    };
    out.push(driver === t2 ? mark(combined) : combined);
  }
  for (const t1 of one) if (!two.some((t) => family(t) === family(t1))) out.push(t1);
  return out;
}
