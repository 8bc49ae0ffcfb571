import { createHash } from 'node:crypto';
import { canonicalJson } from '../target/fingerprint.ts';
import type { GoldenCase, GoldenSuite } from '../types.ts';
import type { SuiteChanges } from './types.ts';

/**
 * Version of the scoring code. Bump it when a scorer's semantics change (a normalizer, a
 * tokenizer, a default threshold), so earlier runs stop being comparable baselines.
 */
export const GOLDEN_SCORER_VERSION = '1';

/** Everything that makes two suite runs comparable, and a hash of it. */
export interface SuiteFingerprint {
  /** sha256 over the parts below. */
  combined: string;
  /** The loader's `contentHash` of the suite. */
  suite: string;
  /** Per-case content hashes, to say which cases were added, removed or edited. */
  cases: Record<string, string>;
  /** `targetFingerprint` of the target, or `recorded` when every case has a recorded output. */
  target: string;
  targetName: string | null;
  targetIdentity: Record<string, unknown> | null;
  /** Scorer version and the models graded scorers call. */
  scorers: Record<string, string>;
}

const JUDGED = /^(not-)?(llm-rubric|factuality|model-graded-closedqa|g-eval)$/;
const EMBEDDED = /^(not-)?similar$/;

/**
 * sha256 of the parts of a case that define it: input, vars, reference, assertions and
 * threshold. Tags, route, the source line and a recorded output do not (a new recorded output
 * is a new answer to the same case — a quality change, as in the suite's `contentHash`).
 *
 * @example
 * caseHash(suite.cases[0]); // 64 hex digits
 */
export function caseHash(c: GoldenCase): string {
  const { input, vars, expected, assert, threshold } = c;
  return createHash('sha256').update(canonicalJson({ input, vars, expected, assert, threshold })).digest('hex');
}

/**
 * The fingerprint of a suite run: suite content + target config + scorer identity (version,
 * and the judge / embeddings models when the suite uses graded scorers). Runs compare only
 * with runs of the same fingerprint.
 *
 * @example
 * const fp = suiteFingerprint(suite, target ? { name: target.name, fingerprint: target.fingerprint, identity: target.identity } : null, { judgeModel: 'gpt-4o-2024-08-06' });
 */
export function suiteFingerprint(
  suite: GoldenSuite,
  target: { name: string; fingerprint: string; identity: Record<string, unknown> } | null,
  models: { judgeModel?: string; embeddingsModel?: string } = {},
): SuiteFingerprint {
  const cases: Record<string, string> = {};
  for (const c of suite.cases) cases[c.id] = caseHash(c);
  const types = [...suite.defaultAssert, ...suite.cases.flatMap((c) => c.assert)].map((a) => a.type);
  const scorers: Record<string, string> = { version: GOLDEN_SCORER_VERSION };
  if (models.judgeModel && types.some((t) => JUDGED.test(t))) scorers.judgeModel = models.judgeModel;
  if (models.embeddingsModel && types.some((t) => EMBEDDED.test(t))) scorers.embeddingsModel = models.embeddingsModel;
  // Recorded outputs are scored without a call: the target does not matter when every case has one.
  const needsTarget = suite.cases.some((c) => c.output === undefined);
  const targetPart = needsTarget && target ? target.fingerprint : 'recorded';
  const combined = createHash('sha256').update(canonicalJson({ suite: suite.contentHash, target: targetPart, scorers })).digest('hex');
  return {
    combined,
    suite: suite.contentHash,
    cases,
    target: targetPart,
    targetName: needsTarget && target ? target.name : null,
    targetIdentity: needsTarget && target ? target.identity : null,
    scorers,
  };
}

/**
 * What changed from `before` to `now`: added, removed and edited case ids, suite-level content,
 * the target config keys and the scorer keys that differ.
 *
 * @example
 * diffFingerprints(previous.fingerprint, fp, previous.runId); // { added: ['c13'], edited: [], target: ['model'], … }
 */
export function diffFingerprints(before: SuiteFingerprint | null, now: SuiteFingerprint, previousRunId?: string): SuiteChanges {
  if (!before) return { firstRun: true, added: Object.keys(now.cases).sort(), removed: [], edited: [], suiteSettings: false, target: [], scorers: [] };
  const added = Object.keys(now.cases).filter((id) => !(id in before.cases)).sort();
  const removed = Object.keys(before.cases).filter((id) => !(id in now.cases)).sort();
  const edited = Object.keys(now.cases).filter((id) => id in before.cases && before.cases[id] !== now.cases[id]).sort();
  const suiteSettings = before.suite !== now.suite && added.length + removed.length + edited.length === 0;
  const target: string[] = [];
  if (before.target !== now.target) {
    if (before.targetName !== now.targetName || !before.targetIdentity || !now.targetIdentity) target.push('target');
    else {
      const keys = new Set([...Object.keys(before.targetIdentity), ...Object.keys(now.targetIdentity)]);
      for (const k of [...keys].sort()) if (canonicalJson(before.targetIdentity[k]) !== canonicalJson(now.targetIdentity[k])) target.push(k);
    }
  }
  const scorerKeys = new Set([...Object.keys(before.scorers), ...Object.keys(now.scorers)]);
  const scorers = [...scorerKeys].sort().filter((k) => before.scorers[k] !== now.scorers[k]);
  return { firstRun: false, added, removed, edited, suiteSettings, target, scorers, ...(previousRunId ? { previousRunId } : {}) };
}

/**
 * One line for a re-baseline: "2 cases added (c13, c14), 1 edited (c02); target model changed".
 *
 * @example
 * describeChanges(changes); // 'target model, system changed'
 */
export function describeChanges(ch: SuiteChanges): string {
  if (ch.firstRun) return 'no earlier run of this suite: this run is the baseline';
  const list = (ids: string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, +${ids.length - 5} more` : ''}`;
  const parts: string[] = [];
  if (ch.added.length) parts.push(`${ch.added.length} case${ch.added.length > 1 ? 's' : ''} added (${list(ch.added)})`);
  if (ch.removed.length) parts.push(`${ch.removed.length} removed (${list(ch.removed)})`);
  if (ch.edited.length) parts.push(`${ch.edited.length} edited (${list(ch.edited)})`);
  if (ch.suiteSettings) parts.push('suite-level assertions or settings changed');
  if (ch.target.length) parts.push(ch.target.includes('target') ? 'another target' : `target ${ch.target.join(', ')} changed`);
  if (ch.scorers.length) parts.push(`scorer ${ch.scorers.join(', ')} changed`);
  return parts.length ? parts.join('; ') : 'the suite fingerprint changed';
}
