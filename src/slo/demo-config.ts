import type { EvalwatchConfig, EvalwatchConfigInput } from '../config/schema.ts';

/**
 * The pricing table and SLOs the demo runs with when the user's config has none: list prices of
 * the demo's models, and three SLOs its traffic can be measured against (availability over every
 * route, time to first token on `answer`, schema validity on `classify_intent`).
 */

/** The SLOs of the demo. */
export const DEMO_SLOS: NonNullable<EvalwatchConfigInput['slos']> = [
  { name: 'availability', kind: 'availability', target: 0.98, description: 'calls that got a 2xx/3xx from the model provider' },
  { name: 'answer-ttft', route: 'answer', kind: 'latency', metric: 'ttft', thresholdMs: 1000, target: 0.95, description: 'first token within 1 s on the support assistant' },
  { name: 'classify-schema', route: 'classify_intent', kind: 'schema_valid', target: 0.95, description: 'intent classifier output validates against its schema' },
];

/**
 * The demo's `pricing` and `slos`: the user's own when set, else a table from `prices` (USD per
 * 1M tokens per model) and {@link DEMO_SLOS}.
 *
 * @example
 * const extra = demoSloConfig(MODEL_PRICES, base);
 * parseConfig({ ...base, ...extra }, '(demo)');
 */
export function demoSloConfig(
  prices: Readonly<Record<string, { readonly input: number; readonly output: number }>>,
  base: Pick<EvalwatchConfig, 'pricing' | 'slos'>,
): Pick<EvalwatchConfigInput, 'pricing' | 'slos'> {
  const models = Object.fromEntries(Object.entries(prices).map(([m, p]) => [m, [{ inputPerMTok: p.input, outputPerMTok: p.output }]]));
  return {
    pricing: Object.keys(base.pricing.models).length > 0 ? base.pricing : { ...base.pricing, models },
    slos: base.slos.length > 0 ? base.slos : DEMO_SLOS,
  };
}
