/**
 * Maps `items` through `fn` with at most `limit` calls in flight; the result keeps input order
 * (`out[i]` is `fn(items[i], i)`), whatever order the calls finish in.
 *
 * Errors: the returned promise rejects with the first error thrown by `fn`. Calls already in
 * flight are not interrupted, and the other lanes keep taking items until the list is exhausted,
 * so callers whose `fn` must not fail should catch inside `fn`.
 *
 * Cancellation: with `signal`, each lane checks it before taking the next item, so an aborted
 * signal starts no further calls and the promise rejects with `signal.reason` (calls in flight run
 * to completion; pass the signal to `fn` itself to cut those short). A signal aborted before the
 * call rejects without calling `fn` at all, unless `items` is empty.
 *
 * A `limit` below 1 runs one call at a time rather than none.
 *
 * @example
 * ```ts
 * const results = await mapLimit(cases, 16, (c, i) => runCase(c, i), signal)
 * ```
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return out;
}
