import type { RouteBucket } from './aggregate.ts';

/** Buckets of one hour by route, the `*` rollup included (see `withRollup`). */
export type HourBuckets = Record<string, RouteBucket>;

/**
 * One route's aggregate of some feature from each hour that has it, in hour order: the list every
 * test, summary and chart of that route and feature reads.
 *
 * @example
 * collect(hours, 'answer', (b) => b.num.output_tokens); // NumericAgg[]
 */
export function collect<T>(hours: readonly HourBuckets[], route: string, pick: (b: RouteBucket) => T | undefined): T[] {
  const out: T[] = [];
  for (const h of hours) {
    const b = h[route];
    if (!b) continue;
    const x = pick(b);
    if (x !== undefined) out.push(x);
  }
  return out;
}
