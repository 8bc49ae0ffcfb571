import type { ResultsStore } from '../store/types.ts';
import { segment } from '../store/keys.ts';
import type { DimensionScore } from './parse.ts';

/** A successful judgment as cached: the same judge on the same input gives it back. */
export interface CachedJudgment {
  readonly v: 1;
  readonly scores: Record<string, DimensionScore>;
  readonly servedModel?: string;
  readonly systemFingerprint?: string;
  /** When it was judged (epoch ms). */
  readonly judgedAt: number;
}

const decoder = new TextDecoder();

/**
 * Where a judgment is cached: `judge/cache/<fingerprint>/<input hash>.json`. Only successful
 * judgments are cached, so an unmeasured item is retried by the next run.
 *
 * @example
 * cacheKey('9f2c…', 'ab12…'); // 'judge/cache/9f2c…/ab12….json'
 */
export function cacheKey(fingerprint: string, inputHash: string): string {
  return `judge/cache/${segment('fingerprint', fingerprint)}/${segment('inputHash', inputHash)}.json`;
}

/**
 * Reads a cached judgment; `null` when absent or unreadable (a corrupt entry is re-judged).
 *
 * @example
 * const hit = await readCache(store, fp, inputHash(item));
 */
export async function readCache(store: ResultsStore, fingerprint: string, inputHash: string): Promise<CachedJudgment | null> {
  const bytes = await store.get(cacheKey(fingerprint, inputHash));
  if (!bytes) return null;
  try {
    const v = JSON.parse(decoder.decode(bytes)) as CachedJudgment;
    return v && v.v === 1 && v.scores && typeof v.scores === 'object' ? v : null;
  } catch {
    return null;
  }
}

/**
 * Caches a successful judgment.
 *
 * @example
 * await writeCache(store, fp, hash, { v: 1, scores, judgedAt: ctx.now() });
 */
export async function writeCache(store: ResultsStore, fingerprint: string, inputHash: string, value: CachedJudgment): Promise<void> {
  await store.put(cacheKey(fingerprint, inputHash), JSON.stringify(value), { contentType: 'application/json' });
}
