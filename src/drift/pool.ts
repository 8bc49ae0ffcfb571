import { isTest, type DriftTest, type TestOutcome } from './analyze-types.ts';

/**
 * Combining a window's own test with the same test pooled with the previous hour(s), for windows
 * that cannot detect the minimum effect alone (see `power.ts` and `analyzeDrift`).
 */

/** Which test of the 1-hour run a test of the pooled run pairs with. */
const family = (t: DriftTest): string => (t.kind === 'drift.numeric' ? (t.test.startsWith('ks') ? 'ks' : t.test) : t.kind);

/**
 * One test per pair of the window-only and the pooled run: the one with the smaller p-value,
 * carrying the Simes combination min(2·p₍₁₎, p₍₂₎) of the two — valid for positively dependent
 * p-values (the spans share the window) — so each pair is one member of the BH family. Only the
 * pooled test when the window alone could not be tested; only the window's when pooling could not.
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
    const [lo, hi] = t1.pValue <= t2.pValue ? [t1.pValue, t2.pValue] : [t2.pValue, t1.pValue];
    const driver = t1.pValue <= t2.pValue ? t1 : t2;
    const combined: DriftTest = {
      ...driver,
      pValue: Math.min(1, 2 * lo, hi),
      // The pooled span has the power: it decides whether a quiet result is conclusive.
      ...(t2.mde ? { mde: t2.mde } : {}),
      details: { ...driver.details, spanPValues: { window: t1.pValue, pooled: t2.pValue }, combined: 'Simes over the window and the window pooled with the previous hour' },
    };
    out.push(driver === t2 ? mark(combined) : combined);
  }
  for (const t1 of one) if (!two.some((t) => family(t) === family(t1))) out.push(t1);
  return out;
}
