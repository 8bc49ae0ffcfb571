import type { Effects } from './injections.ts';
import { LANGUAGES, type Language } from './languages.ts';
import { corruptRecord, MALFORMED } from './malformed.ts';
import type { CompiledRoute, TrafficContext } from './options.ts';
import { TENANTS } from './profiles.ts';
import { hashInts, hashString, pickIndex, RecordRng, SeqRng } from './random.ts';
import { buildText } from './text/build.ts';

/** One planned call: when, which route, and the key of its random values. */
export interface Arrival {
  readonly t: number;
  readonly hourStart: number;
  readonly route: CompiledRoute;
  /** 0 = random sample, 1 = flagged capture. */
  readonly stream: 0 | 1;
  readonly rng: RecordRng;
}

/**
 * Slot numbers of a record's random values. Each field has its own slot (normals also use
 * slot + 1000), so changing how one field is drawn never moves another.
 */
export const SLOT = {
  time: 1,
  rid0: 2,
  rid1: 3,
  rid2: 4,
  rid3: 5,
  tenant: 6,
  user: 7,
  languageInjected: 8,
  languageBase: 9,
  refusal: 10,
  status: 11,
  cached: 12,
  cacheScore: 13,
  cacheScoreNull: 14,
  schema: 15,
  schemaVariant: 16,
  /** Input and output token targets (one normal pair). */
  tokens: 17,
  /** Cached-call TTFT. */
  ttft: 18,
  /** TTFT and decoding speed of an uncached call (one normal pair). */
  speed: 19,
  overhead: 21,
  errorLatency: 22,
  volumeAccept: 23,
  flagKind: 24,
  malformed: 25,
  malformedKind: 26,
  malformedDetail: 27,
  text: 28,
  missingBase: 10_000,
} as const;

/** Prefill cost of the prompt on the time to first token, ms per input token. */
const PREFILL_MS_PER_TOKEN = 0.02;
/** How much slower an `anomaly_detected` capture's first token is. */
const ANOMALY_SLOWDOWN = 4;

/** Byte → two hex digits; `Number#toString(16)` was a third of the short-mode profile. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(w: number): string {
  return (
    (HEX_BYTE[w >>> 24] as string) +
    (HEX_BYTE[(w >>> 16) & 255] as string) +
    (HEX_BYTE[(w >>> 8) & 255] as string) +
    (HEX_BYTE[w & 255] as string)
  );
}

/** A version-4-shaped UUID from four random words. */
function uuid(rng: RecordRng): string {
  const a = hex8(rng.word(SLOT.rid0));
  const b = hex8(rng.word(SLOT.rid1));
  const c = rng.word(SLOT.rid2);
  const d = hex8(rng.word(SLOT.rid3));
  const cs = hex8(c);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${'89ab'[c & 3]}${cs.slice(1, 4)}-${cs.slice(4)}${d}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/**
 * RFC 3339 UTC timestamp with milliseconds and `Z`, formatted from the hour's prefix (faster than
 * `toISOString` in the hot loop, and identical to it).
 *
 * @example
 * formatTimestamp(Date.UTC(2026, 0, 5, 14, 3, 22, 123), Date.UTC(2026, 0, 5, 14), '2026-01-05T14:');
 * // '2026-01-05T14:03:22.123Z'
 */
export function formatTimestamp(t: number, hourStart: number, hourPrefix: string): string {
  const off = t - hourStart;
  const min = Math.floor(off / 60_000);
  const sec = Math.floor((off % 60_000) / 1000);
  return `${hourPrefix}${pad2(min)}:${pad2(sec)}.${pad3(off % 1000)}Z`;
}

function userId(ctx: TrafficContext, tenant: number, user: number): string {
  const k = tenant * 1_000_003 + user;
  let id = ctx.userIds.get(k);
  if (id === undefined) {
    id = hex8(hashInts(ctx.seed, tenant, user, 0x75)) + hex8(hashInts(ctx.seed, tenant, user, 0x76));
    ctx.userIds.set(k, id);
  }
  return id;
}

function language(ctx: TrafficContext, rng: RecordRng, effects: Effects): Language {
  // Two independent slots: an injected language takes its share without reshuffling the rest.
  if (effects.language && rng.u(SLOT.languageInjected) < effects.language.share) return effects.language.language;
  return LANGUAGES[pickIndex(ctx.languageCum, rng.u(SLOT.languageBase))] ?? 'en';
}

function status(u: number): string {
  if (u < 0.008) return '429';
  if (u < 0.011) return '500';
  if (u < 0.012) return '503';
  return '200';
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const round8 = (x: number): number => Math.round(x * 1e8) / 1e8;

/**
 * Builds the capture record of one planned call (or the malformed line that replaces it).
 *
 * @example
 * for (const a of planHour(ctx, hourStart)) out.push(buildRecord(ctx, a, hourPrefix));
 */
export function buildRecord(ctx: TrafficContext, a: Arrival, hourPrefix: string): Record<string, unknown> {
  const { route, rng, t } = a;
  const effects = ctx.injections.effectsAt(route.index, t);
  const tenant = pickIndex(ctx.tenantCum, rng.u(SLOT.tenant));
  const tenantInfo = TENANTS[tenant] ?? TENANTS[0]!;
  // Heavy users: a cubic skew puts most calls on a few users of each tenant.
  const user = Math.floor(tenantInfo.users * rng.u(SLOT.user) ** 3);
  const lang = language(ctx, rng, effects);
  const flagged = a.stream === 1;
  const flagKind = flagged ? (rng.u(SLOT.flagKind) < 0.5 ? 'explicit_flag' : 'anomaly_detected') : 'random_sample';
  const code = status(rng.u(SLOT.status));
  const ok = code === '200';
  const cached = ok && rng.u(SLOT.cached) < route.cachedRate;
  const refused = ok && rng.u(SLOT.refusal) < Math.min(1, route.refusalRate * effects.refusalFactor);
  const schemaValid = rng.u(SLOT.schema) < (effects.schemaValidRate ?? route.schemaValidRate);
  const zIn = rng.normalPair(SLOT.tokens);
  const targetIn = route.inputTokens.median * Math.exp(route.inputTokens.sigma * zIn);
  const targetOut = route.outputTokens.median * Math.exp(route.outputTokens.sigma * rng.spare) * effects.outputFactor;

  const text = buildText(ctx.pools(), {
    kind: route.kind,
    language: lang,
    short: ctx.short,
    targetIn,
    targetOut,
    outcome: !ok ? 'error' : refused ? 'refusal' : 'answer',
    schemaValid,
    invalidVariant: rng.u(SLOT.schemaVariant),
    rng: new SeqRng(rng.word(SLOT.text)),
  });

  let ttft: number | undefined;
  let total: number;
  if (cached) {
    ttft = rng.lognormal(SLOT.ttft, 25, 0.3) * effects.ttftFactor;
    total = ttft + rng.lognormal(SLOT.overhead, 12, 0.4);
  } else if (ok) {
    const slow = flagKind === 'anomaly_detected' ? ANOMALY_SLOWDOWN : 1;
    const zTtft = rng.normalPair(SLOT.speed);
    const base = route.ttftMs.median * Math.exp(route.ttftMs.sigma * zTtft);
    ttft = (base * slow + text.inputTokens * PREFILL_MS_PER_TOKEN) * effects.ttftFactor;
    const tps = route.tokensPerSecond.median * Math.exp(route.tokensPerSecond.sigma * rng.spare);
    total = ttft + (text.outputTokens / tps) * 1000 + rng.lognormal(SLOT.overhead, 15, 0.5);
  } else if (code === '429') {
    total = rng.lognormal(SLOT.errorLatency, 35, 0.4);
  } else {
    total = rng.lognormal(SLOT.errorLatency, route.ttftMs.median * 3, 0.6);
  }
  const cost =
    ok && !cached
      ? ((text.inputTokens * route.price.input + text.outputTokens * route.price.output) / 1e6) * effects.costFactor
      : 0;

  // Filled from an empty literal on purpose: a full literal is an allocation site that V8
  // pretenures once a caller keeps records alive (`[...generateTraffic()]`), after which streaming
  // generation in the same process ran 3× slower (old-space allocation, mark-compacts).
  const record: Record<string, unknown> = {};
  record.request_id = uuid(rng);
  record.timestamp = formatTimestamp(t, a.hourStart, hourPrefix);
  record.route = route.name;
  record.service = route.service;
  record.model = effects.model ?? route.model;
  record.tenant_id = tenantInfo.id;
  record.user_id_hash = userId(ctx, tenant, user);
  record.prompt_template_version = route.promptTemplateVersion;
  record.input_tokens = text.inputTokens;
  record.output_tokens = text.outputTokens;
  record.latency_total_ms = Math.round(total);
  if (ttft !== undefined) record.latency_to_first_token_ms = Math.round(ttft);
  record.cached = cached;
  if (route.semanticCache) {
    record.cache_similarity_score = cached
      ? round4(0.95 + 0.05 * rng.u(SLOT.cacheScore))
      : rng.u(SLOT.cacheScoreNull) < 0.3
        ? null
        : round4(0.35 + 0.6 * rng.u(SLOT.cacheScore));
  }
  record.downstream_status = code;
  if (route.json) {
    record.schema_validated = text.schemaErrors ? text.schemaErrors.length === 0 : null;
    if (text.schemaErrors && text.schemaErrors.length > 0) record.schema_validation_errors = text.schemaErrors;
  }
  record.cost_usd = round8(cost);
  record.sample_rate = ctx.sampleRate;
  record.captured_reason = flagKind;
  record.prompt = text.prompt;
  record.response = text.response;
  if (text.context) record.context = text.context;

  for (const m of effects.missing) {
    if (rng.u(SLOT.missingBase + (hashString(m.field) & 0xffff)) < m.share) delete record[m.field];
  }
  if (effects.malformedShare > 0 && rng.u(SLOT.malformed) < effects.malformedShare) {
    return { [MALFORMED]: corruptRecord(record, rng.u(SLOT.malformedKind), rng.u(SLOT.malformedDetail), t) };
  }
  return record;
}
