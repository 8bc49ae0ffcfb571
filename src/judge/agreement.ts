/**
 * Agreement between two judges on the same items: chance-corrected for labels (Cohen's kappa),
 * rank correlation for ordinal scores (Spearman). Pure functions, no I/O.
 */

/**
 * Cohen's kappa of two raters over the same items: (pₒ − pₑ) / (1 − pₑ), with pₑ from each
 * rater's own label frequencies. `undefined` when it is not defined: no items, or both raters
 * used one and the same label throughout (pₑ = 1: agreement cannot be told from chance).
 *
 * @example
 * cohenKappa(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b']); // 0.5
 */
export function cohenKappa(a: readonly (string | number | boolean)[], b: readonly (string | number | boolean)[]): number | undefined {
  const n = Math.min(a.length, b.length);
  if (n === 0) return undefined;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  let same = 0;
  for (let i = 0; i < n; i++) {
    const x = String(a[i]);
    const y = String(b[i]);
    if (x === y) same++;
    ca.set(x, (ca.get(x) ?? 0) + 1);
    cb.set(y, (cb.get(y) ?? 0) + 1);
  }
  const po = same / n;
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  if (pe >= 1 - 1e-12) return undefined;
  return (po - pe) / (1 - pe);
}

/** Ranks 1..n with ties given their average rank. */
function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((_, i) => i).sort((i, j) => xs[i]! - xs[j]!);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]!] === xs[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[idx[k]!] = avg;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation (Pearson on average ranks, so ties are handled as scipy's
 * `spearmanr` does). `undefined` with fewer than two pairs or when either side is constant.
 *
 * @example
 * spearman([1, 2, 2, 4, 5, 3], [2, 2, 3, 4, 4, 1]); // 0.58215…
 */
export function spearman(x: readonly number[], y: readonly number[]): number | undefined {
  const n = Math.min(x.length, y.length);
  if (n < 2) return undefined;
  const rx = ranks(x.slice(0, n));
  const ry = ranks(y.slice(0, n));
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}
