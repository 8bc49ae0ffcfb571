import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ReadRecord } from '../captures/record.ts';
import type { BudgetMeter } from './budget-meter.ts';
import type { CallUsage, JudgeClient } from './client.ts';
import { wilson } from './estimate.ts';
import type { RouteConsistency } from './findings.ts';
import type { ConsistencyRow } from './partial.ts';

/** Self-consistency of one capture: its prompt re-run k times against the target model. */
export type ConsistencyResult =
  | { readonly status: 'measured'; readonly k: number; readonly similarity: number; readonly flagged: boolean; readonly usage: CallUsage }
  | { readonly status: 'unmeasured'; readonly reason: string; readonly usage: CallUsage };

/**
 * Mean pairwise Jaccard similarity of the word sets of some texts: 1 when they say the same
 * words, near 0 when they share none. Cheap, model-free, and stable for the same texts.
 *
 * @example
 * meanPairwiseSimilarity(['the cat sat', 'the cat sat', 'a dog ran']); // 0.333…
 */
export function meanPairwiseSimilarity(texts: readonly string[]): number {
  const sets = texts.map((t) => new Set(t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const a = sets[i]!;
      const b = sets[j]!;
      let inter = 0;
      for (const w of a) if (b.has(w)) inter++;
      const union = a.size + b.size - inter;
      sum += union === 0 ? 1 : inter / union;
      pairs++;
    }
  }
  return pairs ? sum / pairs : 1;
}

/**
 * The captured prompt as chat messages for a re-run.
 *
 * @example
 * promptMessages({ prompt: 'hi' } as ReadRecord); // [{ role: 'user', content: 'hi' }]
 */
export function promptMessages(r: Pick<ReadRecord, 'prompt'>): ChatCompletionMessageParam[] | undefined {
  if (typeof r.prompt === 'string') return r.prompt.trim() ? [{ role: 'user', content: r.prompt }] : undefined;
  if (!Array.isArray(r.prompt) || r.prompt.length === 0) return undefined;
  const out: ChatCompletionMessageParam[] = [];
  for (const m of r.prompt) {
    const content = typeof m.content === 'string' ? m.content : '';
    if (m.role === 'system' || m.role === 'user' || m.role === 'assistant') out.push({ role: m.role, content } as ChatCompletionMessageParam);
  }
  return out.length ? out : undefined;
}

/**
 * Re-runs a capture's prompt `k` times against the target model and flags high disagreement
 * (mean pairwise similarity below `minSimilarity`). Any failed or blank re-run makes the capture
 * unmeasured: a similarity over fewer answers than asked for would not be comparable.
 *
 * @example
 * const c = await selfConsistency(client, record, { model: 'gpt-4o-mini', k: 3, temperature: 1, minSimilarity: 0.35, maxTokens: 512 });
 */
export async function selfConsistency(
  client: JudgeClient,
  record: Pick<ReadRecord, 'prompt' | 'model'>,
  o: { model?: string; k: number; temperature: number; minSimilarity: number; maxTokens: number; budget?: BudgetMeter; signal?: AbortSignal },
): Promise<ConsistencyResult> {
  const usage: CallUsage = { calls: 0, promptTokens: 0, completionTokens: 0 };
  const model = o.model ?? record.model;
  if (!model) return { status: 'unmeasured', reason: 'no_target_model', usage };
  const messages = promptMessages(record);
  if (!messages) return { status: 'unmeasured', reason: 'no_prompt', usage };
  const runs = await Promise.all(
    Array.from({ length: o.k }, () =>
      client.complete(model, messages, {
        temperature: o.temperature,
        maxTokens: o.maxTokens,
        ...(o.budget ? { budget: o.budget } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      }),
    ),
  );
  const texts: string[] = [];
  for (const r of runs) {
    usage.calls += r.usage.calls;
    usage.promptTokens += r.usage.promptTokens;
    usage.completionTokens += r.usage.completionTokens;
    if ('unmeasured' in r) return { status: 'unmeasured', reason: r.unmeasured, usage };
    texts.push(r.text);
  }
  // A re-run with no words (no choice, a refusal, a filtered reply) is a failed re-run: blank
  // answers would count as identical (similarity 1) and fake a consistent capture.
  if (texts.some((t) => !/[\p{L}\p{N}]/u.test(t))) return { status: 'unmeasured', reason: 'empty_output', usage };
  const similarity = meanPairwiseSimilarity(texts);
  return { status: 'measured', k: o.k, similarity, flagged: similarity < o.minSimilarity, usage };
}

/**
 * Self-consistency per route: re-run captures measured and flagged, with a 95% Wilson interval
 * of the flagged share, and whether it is confidently above `maxFlaggedShare` (the interval's
 * lower end is over it) with at least `minMeasured` captures. Unweighted within a route: the
 * re-run pick is a fixed fraction of the route's judged captures, which share one selection
 * probability.
 *
 * @example
 * routeConsistency(merged.consistency, { maxFlaggedShare: 0.2, minMeasured: 10 });
 * // [{ route: 'chat', measured: 20, flagged: 14, ci: [0.48, 0.85], inconsistent: true, examples: ['r-7', …] }]
 */
export function routeConsistency(
  rows: readonly ConsistencyRow[],
  o: { maxFlaggedShare: number; minMeasured: number },
): (RouteConsistency & { inconsistent: boolean; examples: string[] })[] {
  const byRoute = new Map<string, ConsistencyRow[]>();
  for (const r of rows) {
    if (r.status !== 'measured') continue;
    const g = byRoute.get(r.route);
    if (g) g.push(r);
    else byRoute.set(r.route, [r]);
  }
  return [...byRoute.keys()].sort().map((route) => {
    const g = byRoute.get(route)!;
    const flaggedRows = g.filter((r) => r.flagged).sort((a, b) => (a.similarity ?? 0) - (b.similarity ?? 0) || (a.id < b.id ? -1 : 1));
    const ci = wilson(flaggedRows.length / g.length, g.length);
    return {
      route,
      measured: g.length,
      flagged: flaggedRows.length,
      ci,
      inconsistent: g.length >= o.minMeasured && ci[0] > o.maxFlaggedShare,
      examples: flaggedRows.slice(0, 5).map((r) => r.id),
    };
  });
}
