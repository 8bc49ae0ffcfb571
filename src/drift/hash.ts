/**
 * Deterministic hashes for bottom-k sampling. A row's sampling key depends only on its
 * `request_id` and the feature, never on arrival order, so every merge order and every retry of a
 * unit keeps exactly the same rows.
 */

/** Two independent 32-bit halves of a string hash (cyrb53 construction). */
export interface RowHash {
  readonly h1: number;
  readonly h2: number;
}

/**
 * Hashes a request id.
 *
 * @example
 * const h = rowHash('req-123');
 * sampleKey(h, 3); // a number in [0, 2^53)
 */
export function rowHash(id: string): RowHash {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return { h1: h1 >>> 0, h2: h2 >>> 0 };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The bottom-k sampling key of a row for one salt (a feature index, or a label hash): an integer
 * in [0, 2^53), exactly representable, so JSON round trips keep it.
 *
 * @example
 * sampleKey(rowHash('req-1'), 0) !== sampleKey(rowHash('req-1'), 1); // true
 */
export function sampleKey(h: RowHash, salt: number): number {
  const s = Math.imul(salt + 1, 0x9e3779b1);
  const hi = mix32(h.h1 ^ s);
  const lo = mix32(h.h2 ^ mix32(s)) >>> 11;
  return hi * 2 ** 21 + lo;
}

/**
 * A 32-bit hash of a short string (labels), for salts and for order-independent label caps.
 *
 * @example
 * labelHash('cyrillic'); // stable 32-bit integer
 */
export function labelHash(s: string): number {
  return rowHash(s).h1;
}
