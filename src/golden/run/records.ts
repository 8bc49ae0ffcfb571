import { goldenKey, segment } from '../../store/keys.ts';
import type { ResultsStore } from '../../store/types.ts';
import type { CaseResult } from '../types.ts';
import type { SuiteFingerprint, SuiteVerdict } from '../verdict/index.ts';

/** Version of the per-suite results file. */
export const SUITE_RECORD_VERSION = 1;

/** `golden/<suite>/<run-id>.json`: one suite run, every case, its verdict (DESIGN §4). */
export interface SuiteRunRecord {
  schemaVersion: typeof SUITE_RECORD_VERSION;
  suite: string;
  /** The suite file (or folder), for a person. */
  file: string;
  runId: string;
  /** When the run finished (ISO and epoch ms, from the injected clock). */
  at: string;
  atMs: number;
  fingerprint: SuiteFingerprint;
  /** The target name, or null when every case has a recorded output. */
  target: string | null;
  verdict: SuiteVerdict;
  results: CaseResult[];
  /** Target calls made, re-runs included. */
  calls: number;
}

/** A `--baseline RUN` that has no results for this suite. */
export class BaselineNotFoundError extends Error {
  readonly code = 'GOLDEN_BASELINE_NOT_FOUND';
  override readonly name = 'BaselineNotFoundError';
}

const decoder = new TextDecoder();

/**
 * Reads one suite run, or `null` when there is none.
 *
 * @example
 * const rec = await readSuiteRecord(store, 'support', 'golden-20261123T0200Z-24h');
 */
export async function readSuiteRecord(store: ResultsStore, suite: string, runId: string): Promise<SuiteRunRecord | null> {
  const bytes = await store.get(goldenKey(suite, runId));
  return bytes ? (JSON.parse(decoder.decode(bytes)) as SuiteRunRecord) : null;
}

/**
 * Writes a suite run to `golden/<suite>/<run-id>.json` and returns the key. A retried unit
 * overwrites its own file.
 *
 * @example
 * const key = await writeSuiteRecord(store, record);
 */
export async function writeSuiteRecord(store: ResultsStore, record: SuiteRunRecord): Promise<string> {
  const key = goldenKey(record.suite, record.runId);
  await store.put(key, `${JSON.stringify(record)}\n`, { contentType: 'application/json' });
  return key;
}

/** What {@link findBaseline} found. */
export interface BaselineLookup {
  /** The run to compare with: same fingerprint, not a regression (or the one `--baseline` named). */
  baseline: SuiteRunRecord | null;
  /** The newest earlier run of the suite whatever its fingerprint, to say what changed. */
  previous: SuiteRunRecord | null;
}

/**
 * Finds the last known-good run of a suite: the newest earlier run with the same fingerprint
 * whose verdict was not `regression` (a regressed run never becomes the bar, or one bad night
 * would lower it for good) and that measured at least one case. With `explicit`, that run is the baseline whatever it concluded.
 * Runs are visited newest first by run id (ids start with a UTC timestamp), each file read once,
 * stopping at the first match.
 *
 * @throws {BaselineNotFoundError} when `explicit` names a run with no results for this suite.
 * @example
 * const { baseline, previous } = await findBaseline(store, 'support', fp.combined, run.runId);
 */
export async function findBaseline(store: ResultsStore, suite: string, fingerprint: string, currentRunId: string, explicit?: string): Promise<BaselineLookup> {
  if (explicit !== undefined) {
    const rec = await readSuiteRecord(store, suite, explicit);
    if (!rec) throw new BaselineNotFoundError(`--baseline ${explicit}: no results of suite "${suite}" in that run (${store.locate(goldenKey(suite, explicit))})`);
    return rec.fingerprint.combined === fingerprint ? { baseline: rec, previous: rec } : { baseline: null, previous: rec };
  }
  const prefix = `golden/${segment('suite', suite)}/`;
  const keys: string[] = [];
  for await (const key of store.list(prefix)) if (key.endsWith('.json') && key !== goldenKey(suite, currentRunId)) keys.push(key);
  keys.sort().reverse();
  let previous: SuiteRunRecord | null = null;
  for (const key of keys) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    let rec: SuiteRunRecord;
    try {
      rec = JSON.parse(decoder.decode(bytes)) as SuiteRunRecord;
    } catch {
      continue; // a torn or foreign file is not a baseline
    }
    if (rec.schemaVersion !== SUITE_RECORD_VERSION || !rec.fingerprint) continue;
    previous ??= rec;
    // A run that measured nothing (target down all night) has no pairs to offer: the next
    // run would be inconclusive against it; skip to the one before.
    if (rec.fingerprint.combined === fingerprint && rec.verdict.verdict !== 'regression' && rec.verdict.passRate !== null) return { baseline: rec, previous };
  }
  return { baseline: null, previous };
}
