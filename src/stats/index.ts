/**
 * evalwatch numerics: pure functions and small data structures, no I/O.
 * Hypothesis tests reproduce scipy 1.17 numbers (see test/stats/reference.test.ts and
 * scripts/stats/make_reference.py); sketches and samplers are deterministic and mergeable.
 */
export { StatsInputError, type StatsInputSubcode } from './errors.ts';
export { ks2samp, ks2sampSorted, SortedReference, type Ks2sampOptions, type Ks2sampResult, type Alternative } from './ks.ts';
export { kstwoSf, smirnovSf } from './kolmogorov.ts';
export { sortFloat64, sortedCopy } from './sort.ts';
export { weightedEcdf, kishEffectiveSampleSize, ks2sampWeighted, type WeightedEcdf, type WeightedKsResult } from './ks-weighted.ts';
export { twoProportionTest, wilsonInterval, type TwoProportionResult, type Interval } from './proportions.ts';
export { fisherExact, type FisherResult } from './fisher.ts';
export { chiSquareHomogeneity, gTest, type HomogeneityResult } from './contingency.ts';
export { cochranMantelHaenszel, type CmhResult, type Stratum2x2 } from './cmh.ts';
export { jensenShannonDistance } from './divergence.ts';
export { benjaminiHochberg } from './fdr.ts';
export { mannWhitneyU, mannWhitneyUSorted, type MannWhitneyResult, type MannWhitneyOptions } from './mann-whitney.ts';
export { binomialPower, normalPower, chiSquarePowerApprox } from './power.ts';
export { mcnemarExact, mcnemarMinDiscordant, type McNemarResult } from './mcnemar.ts';
export { pairedBootstrap, type PairedBootstrapOptions, type PairedBootstrapResult } from './paired-bootstrap.ts';
export {
  normalSf,
  normalCdf,
  normalQuantile,
  chiSquareSf,
  chiSquareCdf,
  studentTSf,
  studentTCdf,
  studentTQuantile,
} from './distributions.ts';
export { logGamma, logBeta, gammaIncReg, betaIncReg } from './special.ts';
export { Mulberry32, mulberry32, hashSeed, fmix32 } from './prng.ts';
export { Reservoir, type ReservoirEntry, type ReservoirJSON } from './reservoir.ts';
export { QuantileSketch, type QuantileSketchJSON } from './ddsketch.ts';

import { studentTQuantile } from './distributions.ts';

/**
 * Alias of `studentTQuantile` under the name the drift code uses for sigma windows.
 *
 * @example
 * ```ts
 * tQuantile(0.975, 29) // 2.045229642132703
 * ```
 */
export function tQuantile(p: number, dof: number): number {
  return studentTQuantile(p, dof);
}
