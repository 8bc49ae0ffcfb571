import { StatsInputError } from './errors.ts';

/**
 * Jensen–Shannon distance sqrt(JSD(p‖q)) between two discrete distributions given as non-negative
 * weights (normalised internally), matching `scipy.spatial.distance.jensenshannon(p, q, base)`.
 * NOTE the default base here is 2 (bounded in [0, 1], easy to threshold); scipy's default is e.
 * Pass `base: Math.E` for scipy's default.
 *
 * @example
 * ```ts
 * jensenShannonDistance([1, 0], [0, 1]) // 1
 * jensenShannonDistance([1, 0], [0, 1], { base: Math.E }) // 0.8325546111576977
 * ```
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, opts: { base?: number } = {}): number {
  const base = opts.base ?? 2;
  if (p.length !== q.length) throw new StatsInputError('length', `p and q differ in length (${p.length} vs ${q.length})`);
  if (p.length === 0) throw new StatsInputError('empty', 'p and q are empty');
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number;
    const b = q[i] as number;
    if (Number.isNaN(a) || Number.isNaN(b)) throw new StatsInputError('nan', `p or q has NaN at ${i}`);
    if (a < 0 || b < 0) throw new StatsInputError('range', `negative weight at ${i}`);
    sp += a;
    sq += b;
  }
  if (sp === 0 || sq === 0) throw new StatsInputError('empty', 'p or q has zero total mass');
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = (p[i] as number) / sp;
    const b = (q[i] as number) / sq;
    const m = (a + b) / 2;
    js += relEntr(a, m) + relEntr(b, m);
  }
  if (base !== Math.E) js /= Math.log(base);
  // Rounding can leave a tiny negative sum for identical inputs; the distance is 0 there.
  return Math.sqrt(Math.max(js, 0) / 2);
}

/** x·ln(x/y) with the conventions of scipy.special.rel_entr (0 at x = 0). */
function relEntr(x: number, y: number): number {
  if (x === 0) return 0;
  if (y === 0) return Infinity;
  return x * Math.log(x / y);
}
