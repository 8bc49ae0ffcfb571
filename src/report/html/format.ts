/** Number formatting shared by the report's tables and chart labels. */

/**
 * A number for a person: integers with separators, others to 4 significant digits, tiny
 * p-values as `< 1e-6`. Non-finite values are shown as what they are (`NaN`, `∞`).
 *
 * @example
 * fmt(9714); // '9,714'
 * fmt(0.303239); // '0.3032'
 */
export function fmt(x: unknown): string {
  if (typeof x !== 'number') return x === undefined || x === null ? '—' : String(x);
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/**
 * A p- or q-value: `< 1e-6` below one in a million.
 *
 * @example
 * fmtP(2.1e-9); // '< 1e-6'
 */
export function fmtP(p: unknown): string {
  if (typeof p !== 'number') return '—';
  return p < 1e-6 ? '< 1e-6' : fmt(p);
}

/**
 * A share as a percentage with up to two decimals.
 *
 * @example
 * pct(0.0451); // '4.51%'
 */
export function pct(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  return `${Number((x * 100).toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
}

/**
 * Rounds to 4 significant digits for chart payloads (keeps the page small); non-finite → null.
 *
 * @example
 * r4(1408.3712); // 1408
 */
export function r4(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(4)) : null;
}
