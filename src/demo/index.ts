/**
 * Deterministic synthetic capture traffic: the data of `evalwatch demo` and the input the drift
 * and queue benchmarks replay.
 */
export { generateTraffic, generateTimedTraffic, countTraffic, type TimedItem } from './traffic.ts';
export { trafficLines, type TrafficLine, type TrafficLinesOptions } from './lines.ts';
export { writeTrafficFiles, type WriteTrafficOptions, type WriteTrafficResult } from './write.ts';
export { TrafficOptionsError, type TrafficOptions } from './options.ts';
export { InjectionError, type Injection, type InjectionKind } from './injections.ts';
export { MALFORMED, malformedLineOf, malformedKinds, type MalformedKind, type MalformedLine } from './malformed.ts';
export { defaultRoutes, MODEL_PRICES, FALLBACK_PRICE, TENANTS, type RouteProfile, type RouteKind, type ModelPrice } from './profiles.ts';
export { LANGUAGES, BASELINE_LANGUAGE_MIX, type Language } from './languages.ts';
export { estimateTokens } from './tokens.ts';
export { dailyFactor, weeklyFactor, seasonalFactor, type SeasonalityOptions } from './seasonality.ts';
export { REFUSALS } from './lexicon/i18n.ts';
