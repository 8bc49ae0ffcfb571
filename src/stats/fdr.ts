import { StatsInputError } from './errors.ts';

/**
 * Benjamini–Hochberg adjusted p-values (q-values), matching `scipy.stats.false_discovery_control(ps, method='bh')`:
 * sort, scale p_(i) by m/i, take the running minimum from the largest, clip to [0, 1], restore order.
 * Reject hypothesis i at FDR α when q[i] <= α.
 *
 * @example
 * ```ts
 * benjaminiHochberg([0.01, 0.04, 0.03, 0.2, 0.5]) // [0.05, 0.0666…, 0.0666…, 0.25, 0.5]
 * ```
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): number[] {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i] as number;
    if (Number.isNaN(p)) throw new StatsInputError('nan', `pValues[${i}] is NaN`);
    if (p < 0 || p > 1) throw new StatsInputError('range', `pValues[${i}] = ${p} is outside [0, 1]`);
  }
  if (m <= 1) return Array.from(pValues);
  // Stable sort keeps scipy's argsort order on ties (the values are equal there anyway).
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const scaled = new Float64Array(m);
  for (let k = 0; k < m; k++) scaled[k] = (pValues[order[k] as number] as number) * (m / (k + 1));
  for (let k = m - 2; k >= 0; k--) scaled[k] = Math.min(scaled[k] as number, scaled[k + 1] as number);
  const out = new Array<number>(m);
  for (let k = 0; k < m; k++) out[order[k] as number] = Math.min(Math.max(scaled[k] as number, 0), 1);
  return out;
}
