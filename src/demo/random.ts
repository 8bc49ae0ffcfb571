import { fmix32, Mulberry32 } from '../stats/index.ts';

/**
 * Small seeded randomness for the synthetic traffic generator.
 *
 * Two flavours, for two jobs:
 * - counter-based hashes (`hashInts`, `RecordRng`): a record's random values are a pure function of
 *   (seed, hour, route, index, slot). Adding an injection, a route or a field never shifts the
 *   values of anything else, so "with vs without injection" differs only where the injection acts.
 * - a sequential PRNG (`SeqRng`, over the `Mulberry32` of `src/stats`) for text, whose number of
 *   draws depends on the text's length; it is seeded per record so its consumption stays local to
 *   that record.
 *
 * Statistical quality is "good for synthetic traffic" (murmur3 finalizer, mulberry32), not
 * cryptographic and not for the numerics in `src/stats`.
 */

const TWO_32 = 4_294_967_296;

/**
 * One murmur3 block step: folds the 32-bit word `k` into the running hash `h`.
 *
 * @example
 * const h = fmix32(combine(combine(seed, hour), index));
 */
export function combine(h: number, k: number): number {
  k = Math.imul(k | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Hashes a tuple of integers (each taken modulo 2^32) to a well-mixed unsigned 32-bit word.
 *
 * @example
 * hashInts(42, 491_000, 3) === hashInts(42, 491_000, 3); // deterministic
 */
export function hashInts(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) h = combine(h, p);
  return fmix32(h ^ parts.length);
}

/**
 * Hashes a string (UTF-16 code units) to an unsigned 32-bit word, for seeds and names.
 *
 * @example
 * hashString('answer') !== hashString('chat');
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = combine(h, s.charCodeAt(i));
  return fmix32(h ^ s.length);
}

/**
 * Maps a 32-bit word to a uniform in the open interval (0, 1), safe for `Math.log`.
 *
 * @example
 * toUnit(0) > 0; toUnit(0xffffffff) < 1;
 */
export function toUnit(h: number): number {
  return ((h >>> 0) + 0.5) / TWO_32;
}

/**
 * A standard normal from two uniforms in (0, 1) (Box–Muller, cosine branch only).
 *
 * @example
 * normalFrom(0.5, 0.25); // ≈ 0 (cos(π/2))
 */
export function normalFrom(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A Poisson count with mean `lambda` from a uniform `u` and a standard normal `z`.
 * Exact inversion below λ = 30 (monotone in both λ and u, so more traffic keeps the same first
 * arrivals); above it the normal approximation with continuity correction, which is within a
 * fraction of a percent of the true quantiles there and costs O(1).
 *
 * @example
 * poisson(4, 0.5, 0); // 4 (the median)
 */
export function poisson(lambda: number, u: number, z: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 30) {
    let p = Math.exp(-lambda);
    let cdf = p;
    let k = 0;
    while (u > cdf && k < 200) {
      k++;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
}

/**
 * Cumulative weights for `pickIndex`, normalized to end at 1.
 *
 * @example
 * cumulative([3, 1]); // [0.75, 1]
 */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let total = 0;
  for (const w of weights) total += w;
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w / total;
    out[i] = acc;
  });
  if (out.length > 0) out[out.length - 1] = 1;
  return out;
}

/**
 * The index a uniform `u` in [0, 1) falls into, given cumulative weights.
 *
 * @example
 * pickIndex(cumulative([3, 1]), 0.8); // 1
 */
export function pickIndex(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < (cum[mid] ?? 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Counter-based random values of one record: `u(slot)` is a pure function of the record's key and
 * the slot number, so each field draws from its own slot and never disturbs another.
 *
 * @example
 * const r = new RecordRng(hashInts(seed, hour, route, i, 1), hashInts(seed, hour, route, i, 2));
 * const latency = r.lognormal(SLOT_TTFT, 400, 0.35);
 */
export class RecordRng {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {}

  /** A 32-bit word for `slot`. */
  word(slot: number): number {
    return fmix32(combine(this.a, slot) ^ this.b);
  }

  /** A uniform in (0, 1) for `slot`. */
  u(slot: number): number {
    return toUnit(this.word(slot));
  }

  /** A standard normal from slots `slot` and `slot + 1000`. */
  normal(slot: number): number {
    return normalFrom(this.u(slot), this.u(slot + 1000));
  }

  /** A lognormal with the given median and log-scale sigma. */
  lognormal(slot: number, median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal(slot));
  }

  /** The second normal of the last `normalPair` call. */
  spare = 0;

  /**
   * Two independent standard normals from one pair of uniforms (both Box–Muller branches), for
   * half the logarithms: returns the first, leaves the second in `spare`.
   */
  normalPair(slot: number): number {
    const r = Math.sqrt(-2 * Math.log(this.u(slot)));
    const theta = 2 * Math.PI * this.u(slot + 1000);
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/**
 * A sequential seeded PRNG (mulberry32) with the helpers text building needs.
 *
 * @example
 * const rng = new SeqRng(12345);
 * rng.pick(['a', 'b', 'c']);
 */
export class SeqRng {
  private readonly gen: Mulberry32;

  constructor(seed: number) {
    this.gen = new Mulberry32(seed);
  }

  /** A uniform in [0, 1). */
  next(): number {
    return this.gen.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A uniformly chosen element; `items` must not be empty. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A standard normal. */
  normal(): number {
    return normalFrom(1 - this.next(), this.next());
  }
}
