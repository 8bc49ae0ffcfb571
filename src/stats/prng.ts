/**
 * Small deterministic PRNG (mulberry32: 32-bit state, passes PractRand to ~2^32 outputs — ample for
 * sampling, not for cryptography). State is a single uint32, so it serialises trivially.
 *
 * @example
 * ```ts
 * const rng = new Mulberry32(42)
 * rng.next() // same value on every run and platform
 * ```
 */
export class Mulberry32 {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Current state; `new Mulberry32(rng.state)` continues the same stream. */
  get state(): number {
    return this.s;
  }

  /**
   * Next uint32.
   *
   * @example
   * ```ts
   * const bucket = rng.nextUint32() % 16
   * ```
   */
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /**
   * Uniform double in [0, 1) with 32 bits of randomness.
   *
   * @example
   * ```ts
   * if (rng.next() < 0.1) sample(capture)
   * ```
   */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform double strictly inside (0, 1) with 53 bits (two draws), safe for log(u).
   *
   * @example
   * ```ts
   * const expo = -Math.log(rng.nextOpen53())
   * ```
   */
  nextOpen53(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b + 0.5) / 9007199254740992;
  }
}

/**
 * Functional form: returns a generator of uniform doubles in [0, 1).
 *
 * @example
 * ```ts
 * const rand = mulberry32(hashSeed('feature:latency'))
 * const u = rand()
 * ```
 */
export function mulberry32(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}

/**
 * 32-bit seed from a string (FNV-1a over UTF-16 code units, then a murmur3 finaliser so similar
 * strings such as `shard-1`/`shard-2` give unrelated seeds).
 *
 * @example
 * ```ts
 * hashSeed('run-2024-06-11') // stable uint32
 * ```
 */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * The murmur3 32-bit finalizer: a bijective avalanche mix of one 32-bit word, so inputs that differ
 * in one bit give unrelated outputs.
 *
 * @example
 * ```ts
 * fmix32(1) !== fmix32(2) // and both are well spread over [0, 2^32)
 * ```
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
