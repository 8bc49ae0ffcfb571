/**
 * What the synthetic service looks like: its routes, their models and profiles, the price table
 * and the tenants. The defaults describe "Acme Ledger", an invoicing SaaS with a support
 * assistant (RAG), ticket summaries, an intent router, an e-mail entity extractor and a chat.
 */

/** A lognormal profile: half the values are below `median`; `sigma` is the log-scale spread. */
export interface LogNormalProfile {
  readonly median: number;
  readonly sigma: number;
}

/** Which text builder a route uses; decides the shape of prompt, context and response. */
export type RouteKind = 'rag' | 'summarize' | 'classify' | 'extract' | 'chat';

/** One route (feature/endpoint) of the synthetic service. */
export interface RouteProfile {
  /** The `route` field. */
  readonly name: string;
  /** Text builder: `rag` carries `context`; `classify`/`extract` answer in JSON; `chat` sends messages. */
  readonly kind: RouteKind;
  /** Relative share of calls (normalized over all routes). */
  readonly share: number;
  /** The `service` field. */
  readonly service: string;
  /** The `model` field; its price comes from `MODEL_PRICES`. */
  readonly model: string;
  /** The `prompt_template_version` field. */
  readonly promptTemplateVersion: string;
  /** Prompt size (input tokens, including context). */
  readonly inputTokens: LogNormalProfile;
  /** Answer size (output tokens) of a normal, non-refused answer. */
  readonly outputTokens: LogNormalProfile;
  /** Time to first token of an uncached call, before the prefill cost of the prompt. */
  readonly ttftMs: LogNormalProfile;
  /** Decoding speed after the first token. */
  readonly tokensPerSecond: LogNormalProfile;
  /** Hour of day (UTC, may be fractional) at which this route's traffic peaks. */
  readonly peakHourUtc: number;
  /** Probability that an answered call is a refusal. */
  readonly refusalRate: number;
  /** Probability that a call is served from the semantic cache (0 = the route has no cache). */
  readonly cachedRate: number;
  /** Probability that a JSON answer validates against the route's schema (JSON kinds only). */
  readonly schemaValidRate: number;
}

/**
 * The default routes, as fresh objects so a caller may copy and tweak them.
 *
 * @example
 * const routes = defaultRoutes().map((r) => (r.name === 'chat' ? { ...r, share: 0.3 } : r));
 */
export function defaultRoutes(): RouteProfile[] {
  return [
    {
      name: 'answer',
      kind: 'rag',
      share: 0.35,
      service: 'support-assistant',
      model: 'gpt-4o-2024-08-06',
      promptTemplateVersion: 'answer@v7',
      inputTokens: { median: 1400, sigma: 0.35 },
      outputTokens: { median: 170, sigma: 0.45 },
      ttftMs: { median: 420, sigma: 0.35 },
      tokensPerSecond: { median: 70, sigma: 0.2 },
      peakHourUtc: 14,
      refusalRate: 0.015,
      cachedRate: 0.04,
      schemaValidRate: 1,
    },
    {
      name: 'summarize',
      kind: 'summarize',
      share: 0.2,
      service: 'ticketing',
      model: 'gpt-4o-mini-2024-07-18',
      promptTemplateVersion: 'summarize@v3',
      inputTokens: { median: 900, sigma: 0.6 },
      outputTokens: { median: 110, sigma: 0.35 },
      ttftMs: { median: 300, sigma: 0.3 },
      tokensPerSecond: { median: 95, sigma: 0.2 },
      peakHourUtc: 13,
      refusalRate: 0.003,
      cachedRate: 0,
      schemaValidRate: 1,
    },
    {
      name: 'classify_intent',
      kind: 'classify',
      share: 0.25,
      service: 'router',
      model: 'gpt-4o-mini-2024-07-18',
      promptTemplateVersion: 'classify_intent@v12',
      inputTokens: { median: 140, sigma: 0.2 },
      outputTokens: { median: 40, sigma: 0.3 },
      ttftMs: { median: 190, sigma: 0.3 },
      tokensPerSecond: { median: 110, sigma: 0.2 },
      peakHourUtc: 15,
      refusalRate: 0.002,
      cachedRate: 0.08,
      schemaValidRate: 0.97,
    },
    {
      name: 'extract_entities',
      kind: 'extract',
      share: 0.1,
      service: 'mail-ingest',
      model: 'claude-3-5-haiku-20241022',
      promptTemplateVersion: 'extract_entities@v4',
      inputTokens: { median: 520, sigma: 0.4 },
      outputTokens: { median: 150, sigma: 0.4 },
      ttftMs: { median: 350, sigma: 0.3 },
      tokensPerSecond: { median: 80, sigma: 0.2 },
      peakHourUtc: 10,
      refusalRate: 0.001,
      cachedRate: 0,
      schemaValidRate: 0.97,
    },
    {
      name: 'chat',
      kind: 'chat',
      share: 0.1,
      service: 'support-assistant',
      model: 'gpt-4o-2024-08-06',
      promptTemplateVersion: 'chat@v2',
      inputTokens: { median: 600, sigma: 0.5 },
      outputTokens: { median: 220, sigma: 0.5 },
      ttftMs: { median: 450, sigma: 0.35 },
      tokensPerSecond: { median: 65, sigma: 0.2 },
      peakHourUtc: 19,
      refusalRate: 0.02,
      cachedRate: 0.02,
      schemaValidRate: 1,
    },
  ];
}

/** USD per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

/**
 * List prices of the models the demo uses (USD per 1M tokens). A model outside the table (for
 * example a `model_swap` target) keeps the price of the model it replaced, times the swap's
 * `costFactor`. The lead can feed this table into the demo config's pricing.
 *
 * @example
 * MODEL_PRICES['gpt-4o-mini-2024-07-18']; // { input: 0.15, output: 0.6 }
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'gpt-4o-2024-08-06': { input: 2.5, output: 10 },
  'gpt-4o-mini-2024-07-18': { input: 0.15, output: 0.6 },
  'claude-3-5-haiku-20241022': { input: 0.8, output: 4 },
  'gpt-4.1-2025-04-14': { input: 2, output: 8 },
  'gpt-4.1-mini-2025-04-14': { input: 0.4, output: 1.6 },
});

/** Price used for a route whose model is not in `MODEL_PRICES`. */
export const FALLBACK_PRICE: ModelPrice = { input: 1, output: 4 };

/**
 * Tenants of the synthetic service with their relative traffic (Zipf-like: a few large accounts,
 * a long tail) and how many active users each has.
 *
 * @example
 * TENANTS[0]; // { id: 'acme-corp', weight: 30, users: 1800 }
 */
export const TENANTS: ReadonlyArray<{ readonly id: string; readonly weight: number; readonly users: number }> =
  Object.freeze([
    { id: 'acme-corp', weight: 30, users: 1800 },
    { id: 'globex', weight: 17, users: 950 },
    { id: 'initech', weight: 12, users: 700 },
    { id: 'umbrella', weight: 9, users: 520 },
    { id: 'hooli', weight: 7.5, users: 430 },
    { id: 'stark-industries', weight: 6, users: 360 },
    { id: 'wayne-enterprises', weight: 5, users: 300 },
    { id: 'cyberdyne', weight: 4.2, users: 240 },
    { id: 'soylent', weight: 3.6, users: 200 },
    { id: 'tyrell', weight: 3.1, users: 170 },
    { id: 'aperture', weight: 2.7, users: 150 },
    { id: 'oscorp', weight: 2.4, users: 130 },
    { id: 'vandelay', weight: 2.1, users: 110 },
    { id: 'dunder-mifflin', weight: 1.9, users: 95 },
    { id: 'pied-piper', weight: 1.7, users: 80 },
    { id: 'massive-dynamic', weight: 1.5, users: 70 },
    { id: 'wonka', weight: 1.3, users: 60 },
    { id: 'gringotts', weight: 1.2, users: 50 },
    { id: 'monsters-inc', weight: 1.1, users: 45 },
    { id: 'blue-sun', weight: 1, users: 40 },
  ]);
