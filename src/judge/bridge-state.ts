import type { ResultsStore } from '../store/types.ts';
import { readFrozen, readTrusted, topUpFrozen, writeFrozen, writeTrusted, type FrozenItem } from './bridge-store.ts';
import type { JudgePlan } from './plan-manifest.ts';
import type { Rubric } from './rubric-schema.ts';

/**
 * After a trusted run: record each rubric's judge as the one future runs bridge from (written
 * only when it changed), and top up the frozen samples that were short with this run's
 * candidates. Only a trusted run (healthy canaries, judge reachable) may do either: an unhealthy
 * judge must never become the reference that later changes are measured against.
 *
 * @returns the frozen sample size of every rubric after the update.
 * @example
 * const sizes = await updateBridgeState(store, { plan, rubrics, candidates: merged.frozen ?? {}, sampleSize: 50, runId, now });
 */
export async function updateBridgeState(
  store: ResultsStore,
  o: {
    plan: Pick<JudgePlan, 'rubrics' | 'freeze'>;
    rubrics: readonly Rubric[];
    candidates: Readonly<Record<string, readonly FrozenItem[]>>;
    sampleSize: number;
    runId: string;
    now: () => number;
  },
): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  const freeze = new Set(o.plan.freeze ?? []);
  for (const p of o.plan.rubrics) {
    const rubric = o.rubrics.find((r) => r.name === p.name && r.version === p.version);
    if (!rubric) continue;
    const trusted = await readTrusted(store, p.name);
    if (trusted?.fingerprint !== p.fingerprint) {
      await writeTrusted(store, { v: 1, rubric: p.name, fingerprint: p.fingerprint, descriptor: p.descriptor, definition: rubric, runId: o.runId, since: o.now() });
    }
    const existing = (await readFrozen(store, p.name))?.items ?? [];
    const extra = o.candidates[p.name] ?? [];
    if (freeze.has(p.name) && extra.length && existing.length < o.sampleSize) {
      const items = topUpFrozen(existing, extra, o.sampleSize);
      if (items.length > existing.length) await writeFrozen(store, { v: 1, rubric: p.name, items });
      sizes[p.name] = items.length;
    } else {
      sizes[p.name] = existing.length;
    }
  }
  return sizes;
}
