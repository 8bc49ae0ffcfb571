import { compileInjections, type CompiledInjections, type Injection } from './injections.ts';
import { BASELINE_LANGUAGE_MIX, LANGUAGES } from './languages.ts';
import { defaultRoutes, FALLBACK_PRICE, MODEL_PRICES, TENANTS, type ModelPrice, type RouteProfile } from './profiles.ts';
import { cumulative, hashString } from './random.ts';
import type { SeasonalityOptions } from './seasonality.ts';
import { buildPools, type TextPools } from './text/pools.ts';

/** Options of `generateTraffic`. */
export interface TrafficOptions extends SeasonalityOptions {
  /** Seed of every random choice; the same options give the same records. Default 1. */
  readonly seed?: number | string;
  /** First instant of the traffic (epoch ms, inclusive). Required. */
  readonly start: number;
  /** End of the traffic (epoch ms, exclusive). Required. */
  readonly end: number;
  /** The service's routes. Default `defaultRoutes()`: answer, summarize, classify_intent, extract_entities, chat. */
  readonly routes?: readonly RouteProfile[];
  /**
   * Production calls per hour, summed over routes, at each route's weekday peak hour. Nights
   * drop to about `nightFloor` of it, weekends to `weekend`. The generator emits the captured
   * share: about `callsPerHour × sampleRate` random-sample records per peak hour. Default 600.
   */
  readonly callsPerHour?: number;
  /** Probability that a call is captured, written into every record's `sample_rate`. In (0, 1]. Default 1. */
  readonly sampleRate?: number;
  /**
   * Extra captures flagged by the service (`explicit_flag`: a user's thumbs-down;
   * `anomaly_detected`: a slow or failed call), as a share of the random-sample records. They are
   * not part of the population. Default 0.01.
   */
  readonly flaggedShare?: number;
  /** Deliberate changes of the traffic (see `Injection`). Default none. */
  readonly injections?: readonly Injection[];
  /**
   * `full`: realistic prompts, context and responses whose length matches the token counts.
   * `short`: one-line stubs (language, refusals and JSON answers still real) with token counts
   * from the same distributions; for large benchmarks. Default `full`.
   */
  readonly textMode?: 'full' | 'short';
  /** Hour-to-hour log-normal noise of the call rate on top of Poisson arrivals (sigma). Default 0.1. */
  readonly noise?: number;
}

/** Traffic options that cannot be used; `key` names the offending option. */
export class TrafficOptionsError extends Error {
  readonly code = 'invalid_traffic_options';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`demo traffic option "${key}": ${message}`);
    this.name = 'TrafficOptionsError';
  }
}

/** A route with what the hot loop needs precomputed. */
export interface CompiledRoute extends RouteProfile {
  readonly index: number;
  /** Hash of the name: records are keyed by it, so adding a route leaves the others unchanged. */
  readonly key: number;
  /** Share normalized over all routes. */
  readonly weight: number;
  readonly price: ModelPrice;
  readonly json: boolean;
  readonly semanticCache: boolean;
}

/** Everything derived from the options once per generator. */
export interface TrafficContext {
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  readonly routes: readonly CompiledRoute[];
  readonly callsPerHour: number;
  readonly sampleRate: number;
  readonly flaggedShare: number;
  readonly noise: number;
  readonly short: boolean;
  readonly seasonality: SeasonalityOptions;
  readonly injections: CompiledInjections;
  readonly tenantCum: Float64Array;
  readonly languageCum: Float64Array;
  /** Built on first use: counting traffic needs no text. */
  pools(): TextPools;
  /** Memoized hashed user ids. */
  readonly userIds: Map<number, string>;
}

function fail(key: string, message: string): never {
  throw new TrafficOptionsError(key, message);
}

/**
 * Validates the options and precomputes the generator's context.
 *
 * @example
 * const ctx = createContext({ start: t0, end: t0 + 86_400_000, seed: 7 });
 */
export function createContext(options: TrafficOptions): TrafficContext {
  const { start, end } = options;
  if (typeof start !== 'number' || !Number.isFinite(start)) fail('start', 'expected epoch milliseconds');
  if (typeof end !== 'number' || !Number.isFinite(end) || end <= start) fail('end', 'expected epoch milliseconds after `start`');
  const callsPerHour = options.callsPerHour ?? 600;
  if (!(callsPerHour >= 0) || !Number.isFinite(callsPerHour)) fail('callsPerHour', 'expected a number ≥ 0');
  const sampleRate = options.sampleRate ?? 1;
  if (!(sampleRate > 0 && sampleRate <= 1)) fail('sampleRate', 'expected a probability in (0, 1]');
  const flaggedShare = options.flaggedShare ?? 0.01;
  if (!(flaggedShare >= 0 && flaggedShare <= 1)) fail('flaggedShare', 'expected a share in [0, 1]');
  const noise = options.noise ?? 0.1;
  if (!(noise >= 0 && noise < 2)) fail('noise', 'expected a sigma in [0, 2)');
  const textMode = options.textMode ?? 'full';
  if (textMode !== 'full' && textMode !== 'short') fail('textMode', 'expected "full" or "short"');
  const profiles = options.routes ?? defaultRoutes();
  if (profiles.length === 0) fail('routes', 'expected at least one route');
  const names = profiles.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) fail('routes', `route "${dup}" is listed twice`);
  const totalShare = profiles.reduce((s, r) => s + r.share, 0);
  profiles.forEach((r, i) => {
    if (!(r.share >= 0)) fail(`routes[${i}].share`, 'expected a number ≥ 0');
  });
  if (!(totalShare > 0)) fail('routes', 'expected a positive total share');

  const seed = typeof options.seed === 'string' ? hashString(options.seed) : (options.seed ?? 1) >>> 0;
  const routes = profiles.map(
    (r, index): CompiledRoute => ({
      ...r,
      index,
      key: hashString(r.name),
      weight: r.share / totalShare,
      price: MODEL_PRICES[r.model] ?? FALLBACK_PRICE,
      json: r.kind === 'classify' || r.kind === 'extract',
      semanticCache: r.cachedRate > 0,
    }),
  );
  let pools: TextPools | undefined;
  return {
    seed,
    start,
    end,
    routes,
    callsPerHour,
    sampleRate,
    flaggedShare,
    noise,
    short: textMode === 'short',
    seasonality: { nightFloor: options.nightFloor, dayWidthHours: options.dayWidthHours, weekend: options.weekend },
    injections: compileInjections(options.injections ?? [], names),
    tenantCum: cumulative(TENANTS.map((t) => t.weight)),
    languageCum: cumulative(LANGUAGES.map((l) => BASELINE_LANGUAGE_MIX[l])),
    pools: () => (pools ??= buildPools(seed)),
    userIds: new Map(),
  };
}
