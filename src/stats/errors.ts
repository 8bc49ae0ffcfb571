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
