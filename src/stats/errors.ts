/**
 * Why a stats function refused its input.
 * - `empty`: a sample (or a count total) is empty; callers map this to `insufficient_data`.
 * - `nan`: a NaN was found; we never drop it silently because that could turn
 *   "broken feature extraction" into a reassuring "no drift".
 * - `range`: a value is outside its domain (negative count, p outside [0, 1], …).
 * - `length`: paired arrays have different lengths.
 * - `unsorted`: a pre-sorted input was not sorted.
 */
export type StatsInputSubcode = 'empty' | 'nan' | 'range' | 'length' | 'unsorted';

/**
 * Typed error thrown by every function in `src/stats` on invalid input.
 *
 * @example
 * ```ts
 * try { ks2samp([], [1]) } catch (e) {
 *   if (e instanceof StatsInputError && e.subcode === 'empty') return { status: 'insufficient_data' }
 * }
 * ```
 */
export class StatsInputError extends Error {
  readonly code = 'STATS_INPUT' as const;
  readonly subcode: StatsInputSubcode;

  constructor(subcode: StatsInputSubcode, message: string) {
    super(message);
    this.name = 'StatsInputError';
    this.subcode = subcode;
  }
}

/**
 * Copies numbers into a fresh Float64Array, rejecting NaN (we own the copy, so callers' arrays are never mutated).
 *
 * @example
 * ```ts
 * const a = toFloat64([3, 1, 2], 'x') // Float64Array [3, 1, 2]
 * ```
 */
export function toFloat64(values: ArrayLike<number>, name: string): Float64Array {
  const out = Float64Array.from(values);
  assertNoNaN(out, name);
  return out;
}

/**
 * Throws `StatsInputError('nan')` naming the first NaN position.
 *
 * @example
 * ```ts
 * assertNoNaN(new Float64Array([1, NaN]), 'x') // throws: x[1] is NaN
 * ```
 */
export function assertNoNaN(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    // NaN is the only value not equal to itself; cheaper than Number.isNaN in the hot loop.
    if (v !== v) throw new StatsInputError('nan', `${name}[${i}] is NaN; filter or impute before testing`);
  }
}
