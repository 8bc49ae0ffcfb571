/**
 * Number formatting for one-sentence finding summaries: a person reads these at 3 a.m., so values
 * carry their unit and a sensible number of digits, and p/q-values below 1e-6 read "< 1e-6".
 */

/**
 * A value with its unit: `1,240 ms`, `312`, `$0.0042`, `71.3 tok/s`.
 *
 * @example
 * formatValue(1240.4, 'ms'); // '1,240 ms'
 * formatValue(0.00421, 'USD'); // '$0.0042'
 */
export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'USD') {
    const abs = Math.abs(v);
    const digits = abs >= 100 ? 0 : abs >= 1 ? 2 : Math.max(2, 1 - Math.floor(Math.log10(abs || 1e-9)) + 1);
    return `$${v.toFixed(Math.min(digits, 8))}`;
  }
  const abs = Math.abs(v);
  const text =
    abs >= 100 ? Math.round(v).toLocaleString('en-US') : abs >= 10 ? v.toFixed(1) : abs >= 1 ? v.toFixed(2) : v.toPrecision(2);
  return unit === 'tokens' || unit === 'chars' || unit === '' ? text : `${text} ${unit}`;
}

/**
 * A count with thousands separators.
 *
 * @example
 * formatCount(4812); // '4,812'
 */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A rate as a percentage with enough digits to tell small rates apart.
 *
 * @example
 * formatRate(0.0153); // '1.5%'
 * formatRate(0.0004); // '0.04%'
 */
export function formatRate(r: number): string {
  const pct = r * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 0.1) return `${pct.toFixed(2)}%`;
  if (Math.abs(pct) < 10) return `${pct.toFixed(1)}%`;
  return `${pct.toFixed(0)}%`;
}

/**
 * A signed relative change: `+35%`, `−12%`, `×3.1` when the value more than doubled.
 *
 * @example
 * formatChange(312, 420); // '+35%'
 * formatChange(0.015, 0.046); // '×3.1'
 */
export function formatChange(from: number, to: number): string {
  if (from === 0) return to === 0 ? '±0%' : 'from 0';
  const ratio = to / from;
  if (ratio >= 2) return `×${ratio.toFixed(1)}`;
  const pct = (ratio - 1) * 100;
  const text = Math.abs(pct) >= 10 ? pct.toFixed(0) : pct.toFixed(1);
  return `${pct >= 0 ? '+' : '−'}${text.replace('-', '')}%`;
}

/**
 * A p- or q-value: `q < 1e-6`, `q = 3.2e-4`, `q = 0.004`.
 *
 * @example
 * formatP('q', 2e-9); // 'q < 1e-6'
 */
export function formatP(name: string, p: number): string {
  if (p < 1e-6) return `${name} < 1e-6`;
  if (p < 1e-3) return `${name} = ${p.toExponential(1)}`;
  return `${name} = ${p.toPrecision(2)}`;
}

/**
 * The `HH:MM UTC` of an instant, with the date when it is not the same UTC day as `ref`.
 *
 * @example
 * formatSince(Date.UTC(2026, 10, 23, 14), Date.UTC(2026, 10, 23, 16)); // '14:00 UTC'
 */
export function formatSince(t: number, ref: number): string {
  const iso = new Date(t).toISOString();
  const hm = `${iso.slice(11, 16)} UTC`;
  return iso.slice(0, 10) === new Date(ref).toISOString().slice(0, 10) ? hm : `${iso.slice(0, 10)} ${hm}`;
}
