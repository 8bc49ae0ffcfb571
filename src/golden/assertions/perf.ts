import { binary, type SyncScorer, type Verdict } from './types.ts';

/**
 * Limits on what a call cost: `latency` / `max-latency` (ms), `max-tokens` (completion tokens)
 * and `cost` (USD). The limit is the assertion's `threshold` (or a numeric `value`). A target
 * that did not report the figure (a recorded output has no latency) leaves the assertion
 * `unmeasured`, never passed.
 */

function limitOf(a: { threshold?: number; value?: unknown }): number | undefined {
  if (a.threshold !== undefined) return a.threshold;
  return typeof a.value === 'number' ? a.value : undefined;
}

function atMost(what: string, unit: string, get: (ctx: Parameters<SyncScorer>[1]) => number | undefined): SyncScorer {
  return (a, ctx): Verdict => {
    const limit = limitOf(a);
    if (limit === undefined) return { unmeasured: 'no_threshold', reason: `${what} needs a threshold` };
    const v = get(ctx);
    if (v === undefined) return { unmeasured: `no_${what.replace(/ /g, '_')}`, reason: `the target reported no ${what}` };
    const pass = v <= limit;
    return binary(pass, `${what} ${round(v)}${unit} ${pass ? '≤' : '>'} ${limit}${unit}`);
  };
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x < 0.01 ? x.toPrecision(2) : x.toFixed(2);
}

/** `latency` / `max-latency`: the call took at most `threshold` ms. */
export const latency = atMost('latency', ' ms', (ctx) => ctx.latencyMs);
/** `max-tokens`: the answer used at most `threshold` completion tokens. */
export const maxTokens = atMost('output tokens', '', (ctx) => ctx.tokens?.output);
/** `cost`: the call cost at most `threshold` USD. */
export const cost = atMost('cost', ' USD', (ctx) => ctx.costUsd);
