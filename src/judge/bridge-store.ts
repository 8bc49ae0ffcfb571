import { segment } from '../store/keys.ts';
import type { ResultsStore } from '../store/types.ts';
import type { BridgeResult } from './bridge.ts';
import type { JudgeDescriptor } from './fingerprint.ts';
import type { JudgeItem } from './item.ts';
import type { Rubric } from './rubric-schema.ts';

/**
 * What a judge change is bridged with, kept in the results store under `judge/bridge/<rubric>/`:
 *
 * - `frozen.json`: a fixed sample of population captures, with their text, so a bridge months
 *   later does not depend on capture retention;
 * - `trusted.json`: the judge of the last trusted run (descriptor and the rubric exactly as it
 *   was), so the old judge can be called again after the rubric file or the config changed;
 * - `<old>-<new>.json`: the bridge of one judge change, so a retried plan or a later run
 *   re-reports it instead of paying for it again.
 */

/** A capture in the frozen sample. */
export interface FrozenItem extends JudgeItem {
  /** Deterministic draw in [0, 1) that chose it: the sample is the smallest draws. */
  readonly draw: number;
  /** Run that froze it. */
  readonly runId: string;
}

export interface FrozenSample {
  readonly v: 1;
  readonly rubric: string;
  readonly items: FrozenItem[];
}

/** The judge of the last trusted run of a rubric. */
export interface TrustedJudge {
  readonly v: 1;
  readonly rubric: string;
  readonly fingerprint: string;
  readonly descriptor: JudgeDescriptor;
  /** The rubric as it was judged (a later edit of the file must not change the old judge). */
  readonly definition: Rubric;
  readonly runId: string;
  /** When it became trusted (epoch ms, the injected clock). */
  readonly since: number;
}

/** A bridge between two judges of a rubric, as stored and as reported. */
export interface BridgeRecord {
  readonly v: 1;
  readonly rubric: string;
  readonly old: { readonly fingerprint: string; readonly descriptor: JudgeDescriptor };
  readonly new: { readonly fingerprint: string; readonly descriptor: JudgeDescriptor };
  /** What differs between the two descriptors, in words (`judge changed a → b`). */
  readonly changes: string[];
  /** What the bridge could not reproduce exactly (e.g. the old prompt version). */
  readonly approximations: string[];
  readonly status: 'measured' | 'unmeasured';
  /** `no_frozen_sample`, or a `BridgeResult` reason. */
  readonly reason?: string;
  readonly detail?: string;
  /** Absent when no call was made (no frozen sample). */
  readonly result?: BridgeResult;
  readonly runId: string;
  readonly at: number;
}

const decoder = new TextDecoder();
const dir = (rubric: string) => `judge/bridge/${segment('rubric', rubric)}`;

/**
 * Key of a rubric's frozen sample.
 *
 * @example
 * frozenKey('relevance'); // 'judge/bridge/relevance/frozen.json'
 */
export function frozenKey(rubric: string): string {
  return `${dir(rubric)}/frozen.json`;
}

/**
 * Key of a rubric's trusted judge.
 *
 * @example
 * trustedKey('relevance'); // 'judge/bridge/relevance/trusted.json'
 */
export function trustedKey(rubric: string): string {
  return `${dir(rubric)}/trusted.json`;
}

/**
 * Key of the bridge between two fingerprints of a rubric.
 *
 * @example
 * bridgeKey('relevance', '9f2c…', '41ab…'); // 'judge/bridge/relevance/9f2c…-41ab….json'
 */
export function bridgeKey(rubric: string, oldFp: string, newFp: string): string {
  return `${dir(rubric)}/${segment('fingerprint', oldFp)}-${segment('fingerprint', newFp)}.json`;
}

async function readJson<T extends { v: number }>(store: ResultsStore, key: string): Promise<T | null> {
  const bytes = await store.get(key);
  if (!bytes) return null;
  try {
    const v = JSON.parse(decoder.decode(bytes)) as T;
    return v && v.v === 1 ? v : null;
  } catch {
    // An unreadable state file is treated as absent: the next trusted run writes it again.
    return null;
  }
}

const putJson = (store: ResultsStore, key: string, value: unknown) => store.put(key, JSON.stringify(value), { contentType: 'application/json' });

/**
 * Reads a rubric's frozen sample; `null` when none was frozen yet.
 *
 * @example
 * const frozen = await readFrozen(store, 'relevance');
 */
export function readFrozen(store: ResultsStore, rubric: string): Promise<FrozenSample | null> {
  return readJson<FrozenSample>(store, frozenKey(rubric));
}

/**
 * Writes a rubric's frozen sample.
 *
 * @example
 * await writeFrozen(store, { v: 1, rubric: 'relevance', items });
 */
export function writeFrozen(store: ResultsStore, sample: FrozenSample): Promise<void> {
  return putJson(store, frozenKey(sample.rubric), sample);
}

/**
 * Reads the judge of a rubric's last trusted run; `null` before the first one.
 *
 * @example
 * const trusted = await readTrusted(store, 'relevance');
 */
export function readTrusted(store: ResultsStore, rubric: string): Promise<TrustedJudge | null> {
  return readJson<TrustedJudge>(store, trustedKey(rubric));
}

/**
 * Records the judge of a trusted run.
 *
 * @example
 * await writeTrusted(store, { v: 1, rubric: r.name, fingerprint, descriptor, definition: r, runId, since: now() });
 */
export function writeTrusted(store: ResultsStore, t: TrustedJudge): Promise<void> {
  return putJson(store, trustedKey(t.rubric), t);
}

/**
 * Reads the stored bridge of a judge change; `null` when it was not run yet.
 *
 * @example
 * const b = await readBridge(store, 'relevance', oldFp, newFp);
 */
export function readBridge(store: ResultsStore, rubric: string, oldFp: string, newFp: string): Promise<BridgeRecord | null> {
  return readJson<BridgeRecord>(store, bridgeKey(rubric, oldFp, newFp));
}

/**
 * Stores the bridge of a judge change.
 *
 * @example
 * await writeBridge(store, record);
 */
export function writeBridge(store: ResultsStore, record: BridgeRecord): Promise<void> {
  return putJson(store, bridgeKey(record.rubric, record.old.fingerprint, record.new.fingerprint), record);
}

/**
 * Tops a frozen sample up to `size` with candidates in draw order. Items already frozen stay
 * (the sample is frozen: it never trades an item for a smaller draw), duplicates are skipped.
 *
 * @example
 * const items = topUpFrozen(existing?.items ?? [], candidates, 50);
 */
export function topUpFrozen(existing: readonly FrozenItem[], candidates: readonly FrozenItem[], size: number): FrozenItem[] {
  const out = [...existing];
  const ids = new Set(existing.map((i) => i.id));
  const sorted = [...candidates].sort((a, b) => a.draw - b.draw || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const c of sorted) {
    if (out.length >= size) break;
    if (ids.has(c.id)) continue;
    ids.add(c.id);
    out.push(c);
  }
  return out;
}
