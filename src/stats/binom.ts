/**
 * Binomial coefficient C(n, k) as a double, for the exact one-sided KS path counts.
 * Small k uses scipy's own multiplicative scheme (so results are identical); large k uses a scaled
 * product whose relative error is ~k·eps/2. Returns Infinity on overflow (callers treat that as
 * "exact calculation impossible", like scipy's floating-point-error fallback), NaN for negative integer n.
 *
 * @example
 * ```ts
 * binom(10, 3) // 120
 * ```
 */
export function binom(n: number, k: number): number {
  if (n < 0 && Number.isInteger(n)) return NaN;
  let kx = Math.floor(k);
  if (k !== kx || n !== Math.floor(n)) return NaN; // only integer arguments occur in the KS code
  if (kx > n / 2 && n > 0) kx = n - kx;
  if (kx < 0) return 0;
  if (kx < 20) {
    let num = 1;
    let den = 1;
    for (let i = 1; i < 1 + kx; i++) {
      num *= i + n - kx;
      den *= i;
      if (Math.abs(num) > 1e50) {
        num /= den;
        den = 1;
      }
    }
    return num / den;
  }
  // C(n, k) = prod_{i=1..k} (n-k+i)/i, rescaled by exact powers of two to stay in range.
  let man = 1;
  let exp2 = 0;
  for (let i = 1; i <= kx; i++) {
    man *= (n - kx + i) / i;
    if (man > 1.8446744073709552e19) {
      man *= 5.421010862427522e-20;
      exp2 += 64;
    }
  }
  if (exp2 > 1100) return Infinity;
  return man * 2 ** exp2;
}
