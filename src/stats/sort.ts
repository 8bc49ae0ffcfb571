import { StatsInputError } from './errors.ts';

const RADIX_MIN_N = 5000;

/**
 * Sorts a Float64Array ascending in place and returns it. NaN must already be excluded.
 *
 * Why not only `Float64Array.prototype.sort`: for 10^6 values V8's sort costs ~120 ms, which alone would
 * eat the KS speed budget. For n >= 5000 this is an LSD radix sort on the upper 32 bits of the IEEE-754
 * bit pattern (3 passes of 11 bits) followed by an insertion-sort fix-up of equal-upper-word runs on the
 * lower word (~3-4x faster); below that the built-in sort wins and is used.
 * -0 sorts before +0, consistent with `<`/`===` (they compare equal).
 *
 * @example
 * ```ts
 * sortFloat64(new Float64Array([3, -1, 2])) // Float64Array [-1, 2, 3]
 * ```
 */
export function sortFloat64(a: Float64Array): Float64Array {
  if (a.length < RADIX_MIN_N) return a.sort();
  radixSort(a, a, null);
  return a;
}

/**
 * Returns a new ascending Float64Array with the values of `values`, throwing `StatsInputError('nan')`
 * on NaN. The NaN check and the copy are fused into the radix key extraction (one pass fewer over
 * 10^6 values than copy + check + sort).
 *
 * @example
 * ```ts
 * sortedCopy([3, 1, 2], 'x') // Float64Array [1, 2, 3]
 * ```
 */
export function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  const src = values instanceof Float64Array ? values : Float64Array.from(values);
  const n = src.length;
  if (n < RADIX_MIN_N) {
    const out = src === values ? src.slice() : src;
    for (let i = 0; i < n; i++) {
      const v = out[i] as number;
      if (v !== v) throw new StatsInputError('nan', `${name}[${i}] is NaN; filter or impute before testing`);
    }
    return out.sort();
  }
  const out = new Float64Array(n);
  radixSort(src, out, name);
  return out;
}

// Key buffers are reused across calls (sorting is synchronous, so there is no sharing hazard): for
// 10^6 values that avoids 16 MB of fresh allocation per sort, which dominated under GC pressure.
// Buffers for more than 2^22 values are not retained.
const MAX_RETAINED = 1 << 22;
let scratch: Uint32Array | null = null;

function keyBuffers(n: number): [Uint32Array, Uint32Array, Uint32Array, Uint32Array] {
  let buf: Uint32Array;
  if (n > MAX_RETAINED) buf = new Uint32Array(4 * n);
  else {
    if (scratch === null || scratch.length < 4 * n) scratch = new Uint32Array(4 * Math.max(n, 1 << 16));
    buf = scratch;
  }
  return [buf.subarray(0, n), buf.subarray(n, 2 * n), buf.subarray(2 * n, 3 * n), buf.subarray(3 * n, 4 * n)];
}

/** Radix-sorts `src` into `dst` (may be the same array). With a `nanName`, NaN throws. */
function radixSort(src: Float64Array, dst: Float64Array, nanName: string | null): void {
  const n = src.length;
  const words = new Uint32Array(src.buffer, src.byteOffset, n * 2);
  const [hi, lo, hi2, lo2] = keyBuffers(n);
  const c0 = new Uint32Array(2048);
  const c1 = new Uint32Array(2048);
  const c2 = new Uint32Array(1024);
  // Map to unsigned keys whose order equals numeric order: flip all bits of negatives, only the sign of positives.
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1] as number;
    let l = words[2 * i] as number;
    if (nanName !== null && (h & 0x7ff00000) === 0x7ff00000 && ((h & 0xfffff) | l) !== 0) {
      throw new StatsInputError('nan', `${nanName}[${i}] is NaN; filter or impute before testing`);
    }
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
    c0[h & 2047]!++;
    c1[(h >>> 11) & 2047]!++;
    c2[h >>> 22]!++;
  }
  radixPass(hi, lo, hi2, lo2, c0, 0, 2047, n);
  radixPass(hi2, lo2, hi, lo, c1, 11, 2047, n);
  radixPass(hi, lo, hi2, lo2, c2, 22, 1023, n);
  // hi2/lo2 are sorted by the upper word; fix ties on the lower word (runs are short for real data).
  for (let i = 1; i < n; i++) {
    const h = hi2[i] as number;
    if (hi2[i - 1] !== h) continue;
    const l = lo2[i] as number;
    let j = i - 1;
    while (j >= 0 && hi2[j] === h && (lo2[j] as number) > l) {
      lo2[j + 1] = lo2[j] as number;
      j--;
    }
    lo2[j + 1] = l;
  }
  const out = new Uint32Array(dst.buffer, dst.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    let h = hi2[i] as number;
    let l = lo2[i] as number;
    if (h & 0x80000000) {
      h = (h & 0x7fffffff) >>> 0;
    } else {
      h = ~h >>> 0;
      l = ~l >>> 0;
    }
    out[2 * i + 1] = h;
    out[2 * i] = l;
  }
}

function radixPass(
  srcHi: Uint32Array,
  srcLo: Uint32Array,
  dstHi: Uint32Array,
  dstLo: Uint32Array,
  counts: Uint32Array,
  shift: number,
  mask: number,
  n: number,
): void {
  let sum = 0;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b] as number;
    counts[b] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const h = srcHi[i] as number;
    const b = (h >>> shift) & mask;
    const pos = counts[b] as number;
    counts[b] = pos + 1;
    dstHi[pos] = h;
    dstLo[pos] = srcLo[i] as number;
  }
}
