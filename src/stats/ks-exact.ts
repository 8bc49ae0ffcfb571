import { binom } from './binom.ts';

/**
 * Exact null distribution of the two-sample KS statistic (Hodges 1958 lattice-path counting), following
 * the same algorithms and the same overflow → give-up behaviour as scipy's `_attempt_exact_2kssamp`.
 */

export type Alternative = 'two-sided' | 'less' | 'greater';

/** Result of an exact attempt; `success: false` means scipy would warn and fall back to `asymp`. */
export interface ExactAttempt {
  success: boolean;
  d: number;
  prob: number;
}

/**
 * P(D_{n,n} >= h/n) for equal sample sizes, via the alternating reflection series evaluated
 * Horner-style on ratios (each factor < 1, so no overflow and little cancellation).
 *
 * @example
 * ```ts
 * probOutsideSquare(5, 4) // 0.0793650793650794 (= scipy ks_2samp p for D = 0.8, n = m = 5)
 * ```
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm(m,n),
 * computed directly as 1 - p with the Viehmann (2021) recursion so small p-values keep precision.
 *
 * @example
 * ```ts
 * outerProbInside(5, 3, 1, 12) // two-sided exact p for D = 12/15
 * ```
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(Math.max(lenA, 1)).fill(1);
  for (let j = minj; j < maxj && j < A.length; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1] as number;
}

/**
 * Number of lattice paths (0,0)→(m,n) that touch the line m·y = n·x - h·g (one-sided exceedance),
 * by Hodges' first-passage decomposition. May overflow; callers check for a finite answer.
 *
 * @example
 * ```ts
 * countPathsOutside(3, 2, 1, 3) // paths with D+ >= 3/6
 * ```
 */
function countPathsOutside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binom(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j++) xj[j] = Math.floor((h + mg * j + ng - 1) / ng);
  // The same (top, k) pairs recur many times (xj advances almost regularly), so memoise.
  const memo = new Map<number, number>();
  const C = (top: number, k: number): number => {
    const key = top * 4294967296 + k;
    let v = memo.get(key);
    if (v === undefined) {
      v = binom(top, k);
      memo.set(key, v);
    }
    return v;
  };
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j++) {
    const xjj = xj[j] as number;
    let Bj = C(xjj + j, j);
    // scipy raises FloatingPointError at the first overflow and gives up on the exact method; once a
    // term is infinite the count can never become finite again, so stop here instead of finishing O(n^2) work.
    if (!Number.isFinite(Bj)) return Bj;
    for (let i = 0; i < j; i++) {
      const c = C(xjj - (xj[i] as number) + j - i, j - i);
      if (!Number.isFinite(c)) return c;
      Bj -= c * (B[i] as number);
    }
    if (!Number.isFinite(Bj)) return Bj;
    B[j] = Bj;
  }
  let numPaths = 0;
  for (let j = 0; j < lxj; j++) {
    const c = C(m - (xj[j] as number) + (n - j), n - j);
    if (!Number.isFinite(c)) return c;
    numPaths += (B[j] as number) * c;
  }
  return numPaths;
}

/**
 * Exact p-value attempt for the two-sample KS statistic `d` with sizes n1, n2 (gcd g). Mirrors scipy:
 * d is snapped to the lattice h/lcm, h = 0 gives p = 1, and any overflow/NaN or a probability outside
 * [0, 1] reports failure so the caller can switch to the asymptotic method.
 *
 * @example
 * ```ts
 * attemptExact(5, 5, 5, 0.8, 'two-sided') // { success: true, d: 0.8, prob: 0.0793650793650794 }
 * ```
 */
export function attemptExact(n1: number, n2: number, g: number, d: number, alternative: Alternative): ExactAttempt {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  d = h / lcm;
  if (h === 0) return { success: true, d, prob: 1 };
  let prob: number;
  if (alternative === 'two-sided') {
    prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  } else if (n1 === n2) {
    // binom(2n, n-h)/binom(2n, n) as a product of ratios (avoids binomial rounding), like scipy.
    prob = 1;
    for (let j = 0; j < h; j++) prob *= (n1 - j) / (n1 + j + 1);
  } else {
    const numPaths = countPathsOutside(n1, n2, g, h);
    const bin = binom(n1 + n2, n1);
    if (!Number.isFinite(numPaths) || !Number.isFinite(bin) || numPaths > bin) return { success: false, d, prob: NaN };
    prob = numPaths / bin;
  }
  if (!Number.isFinite(prob)) return { success: false, d, prob: NaN };
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}

/**
 * Round half to even, as numpy's `np.round` does (Math.round rounds half up).
 *
 * @example
 * ```ts
 * roundHalfEven(2.5) // 2
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
