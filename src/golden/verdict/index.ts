export { decideVerdict, passRate, rebaselineVerdict, type VerdictOptions } from './decide.ts';
export { caseHash, describeChanges, diffFingerprints, GOLDEN_SCORER_VERSION, suiteFingerprint, type SuiteFingerprint } from './fingerprint.ts';
export { confirmation, describeFlip, flipDirection } from './flips.ts';
export type { Confirmation, Flip, PassRate, SuiteChanges, SuiteVerdict, VerdictKind } from './types.ts';
