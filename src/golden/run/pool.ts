/**
 * Maps `items` through `fn` with at most `concurrency` calls in flight, keeping input order in
 * the output. Rejects on the first error (callers' `fn` does not throw for a failed case).
 *
 * @example
 * const results = await mapPool(cases, 16, (c) => runCase(c));
 */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, lane));
  return out;
}
