import { describe, expect, it } from 'vitest';
import { captureRecordSchema } from '../../src/captures/record.ts';
import { countTraffic, generateTraffic, MODEL_PRICES, REFUSALS, TrafficOptionsError } from '../../src/demo/index.ts';
import { tokenCost } from '../../src/demo/tokens.ts';
import { byRoute, collect, DAY, HOUR, mean, MONDAY, quantile, type Rec } from './helpers.ts';

const oneDayFull = collect({ seed: 11, start: MONDAY, end: MONDAY + DAY });

describe('generateTraffic: determinism', () => {
  it('gives identical records for the same options', () => {
    const again = collect({ seed: 11, start: MONDAY, end: MONDAY + DAY, textMode: 'short' });
    expect(collect({ seed: 11, start: MONDAY, end: MONDAY + DAY, textMode: 'short' })).toEqual(again);
    const evening = collect({ seed: 11, start: MONDAY + 18 * HOUR, end: MONDAY + DAY });
    expect(evening).toEqual(oneDayFull.filter((r) => Date.parse(r.timestamp as string) >= MONDAY + 18 * HOUR));
  });

  it('gives different records for a different seed (numeric or string)', () => {
    const other = collect({ seed: 12, start: MONDAY, end: MONDAY + 6 * HOUR });
    const mine = oneDayFull.filter((r) => Date.parse(r.timestamp as string) < MONDAY + 6 * HOUR);
    expect(other.map((r) => r.request_id)).not.toEqual(mine.map((r) => r.request_id));
    const named = collect({ seed: 'staging', start: MONDAY, end: MONDAY + HOUR });
    expect(named.length).toBeGreaterThan(0);
    expect(named[0]?.request_id).not.toBe(mine[0]?.request_id);
  });

  it('does not depend on the window: [a, b) then [b, c) equals [a, c), even mid-hour', () => {
    const cut = MONDAY + 9 * HOUR + 17 * 60_000 + 123;
    const first = collect({ seed: 11, start: MONDAY + 8 * HOUR, end: cut });
    const second = collect({ seed: 11, start: cut, end: MONDAY + 11 * HOUR });
    const whole = oneDayFull.filter((r) => {
      const t = Date.parse(r.timestamp as string);
      return t >= MONDAY + 8 * HOUR && t < MONDAY + 11 * HOUR;
    });
    expect(JSON.stringify([...first, ...second])).toBe(JSON.stringify(whole));
  });

  it('short mode keeps everything but the text the same', () => {
    const short = collect({ seed: 11, start: MONDAY + 12 * HOUR, end: MONDAY + 13 * HOUR, textMode: 'short' });
    const full = oneDayFull.filter((r) => (r.timestamp as string).startsWith('2026-01-05T12:'));
    expect(short.length).toBeGreaterThan(0);
    expect(short.map((r) => r.request_id)).toEqual(full.map((r) => r.request_id));
    const same = ['route', 'model', 'tenant_id', 'user_id_hash', 'downstream_status', 'cached', 'captured_reason'];
    for (const [i, r] of short.entries()) {
      for (const k of same) expect(r[k], k).toEqual(full[i]?.[k]);
    }
  });
});

describe('generateTraffic: the capture format (DESIGN §3)', () => {
  it('yields records that validate, in timestamp order, inside the window, with RFC 3339 Z timestamps', () => {
    let last = -Infinity;
    for (const r of oneDayFull) {
      const parsed = captureRecordSchema.safeParse(r);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(r.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const t = Date.parse(r.timestamp as string);
      expect(new Date(t).toISOString()).toBe(r.timestamp);
      expect(t).toBeGreaterThanOrEqual(last);
      expect(t).toBeGreaterThanOrEqual(MONDAY);
      expect(t).toBeLessThan(MONDAY + DAY);
      last = t;
    }
  });

  it('short-mode records validate too', () => {
    for (const r of collect({ seed: 5, start: MONDAY, end: MONDAY + 6 * HOUR, textMode: 'short' })) {
      expect(captureRecordSchema.safeParse(r).success).toBe(true);
    }
  });

  it('has unique uuid-shaped request ids and hex user hashes', () => {
    const ids = new Set(oneDayFull.map((r) => r.request_id));
    expect(ids.size).toBe(oneDayFull.length);
    for (const r of oneDayFull.slice(0, 500)) {
      expect(r.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.user_id_hash).toMatch(/^[0-9a-f]{16}$/);
    }
    // Users recur: far fewer distinct users than calls.
    expect(new Set(oneDayFull.map((r) => r.user_id_hash)).size).toBeLessThan(oneDayFull.length * 0.8);
  });

  it('uses the five default routes with their models, template versions and a realistic mix of outcomes', () => {
    const routes = new Set(oneDayFull.map((r) => r.route));
    expect([...routes].sort()).toEqual(['answer', 'chat', 'classify_intent', 'extract_entities', 'summarize']);
    for (const r of oneDayFull) expect(typeof MODEL_PRICES[r.model as string]).toBe('object');
    const statuses = oneDayFull.map((r) => r.downstream_status);
    const share = (s: string) => statuses.filter((x) => x === s).length / statuses.length;
    expect(share('200')).toBeGreaterThan(0.97);
    expect(share('429')).toBeGreaterThan(0.002);
    expect(share('500') + share('503')).toBeGreaterThan(0.001);
    const cached = oneDayFull.filter((r) => r.cached === true).length / oneDayFull.length;
    expect(cached).toBeGreaterThan(0.01);
    expect(cached).toBeLessThan(0.08);
    const answer = byRoute(oneDayFull, 'answer').filter((r) => r.downstream_status === '200');
    const refusals = answer.filter((r) => r.response === REFUSALS.en).length / answer.length;
    expect(refusals).toBeGreaterThan(0.005);
    expect(refusals).toBeLessThan(0.03);
  });

  it('validates JSON routes ~97% of the time and gives errors when it does not', () => {
    const json = oneDayFull.filter((r) => (r.route === 'classify_intent' || r.route === 'extract_entities') && r.downstream_status === '200');
    const valid = json.filter((r) => r.schema_validated === true);
    expect(valid.length / json.length).toBeGreaterThan(0.95);
    expect(valid.length / json.length).toBeLessThan(0.99);
    for (const r of valid) {
      expect(() => JSON.parse(r.response as string)).not.toThrow();
      expect(r.schema_validation_errors).toBeUndefined();
    }
    const invalid = json.filter((x) => x.schema_validated === false);
    expect(invalid.length).toBeGreaterThan(0);
    for (const r of invalid) {
      expect(Array.isArray(r.schema_validation_errors) && r.schema_validation_errors.length > 0).toBe(true);
    }
    const failedJson = oneDayFull.filter((x) => x.downstream_status !== '200' && x.route === 'classify_intent');
    expect(failedJson.length).toBeGreaterThan(0);
    for (const r of failedJson) {
      expect(r.schema_validated).toBeNull();
      expect(r.response).toBeNull();
    }
    for (const r of byRoute(oneDayFull, 'answer')) expect(r.schema_validated).toBeUndefined();
  });

  it('carries RAG context on the answer route and chat messages on the chat route', () => {
    for (const r of byRoute(oneDayFull, 'answer')) {
      expect(Array.isArray(r.context) && r.context.length >= 1).toBe(true);
    }
    for (const r of byRoute(oneDayFull, 'chat')) {
      const msgs = r.prompt as Array<{ role: string }>;
      expect(msgs[0]?.role).toBe('system');
      expect(msgs.at(-1)?.role).toBe('user');
    }
  });

  it('writes a small share of text in other scripts (Cyrillic, Japanese, Arabic) and languages', () => {
    const prompts = oneDayFull.map((r) => JSON.stringify(r.prompt));
    const has = (re: RegExp) => prompts.filter((p) => re.test(p)).length;
    expect(has(/[\u0400-\u04ff]/)).toBeGreaterThan(5);
    expect(has(/[\u3040-\u30ff\u4e00-\u9fff]/)).toBeGreaterThan(5);
    expect(has(/[\u0600-\u06ff]/)).toBeGreaterThan(2);
    expect(has(/[¿ñ]|ción/)).toBeGreaterThan(5);
    expect(has(/[\u0400-\u04ff\u3040-\u30ff\u0600-\u06ff]/) / prompts.length).toBeLessThan(0.08);
  });

  it('adds flagged captures that are not part of the random sample', () => {
    const reasons = new Map<string, number>();
    for (const r of oneDayFull) reasons.set(r.captured_reason as string, (reasons.get(r.captured_reason as string) ?? 0) + 1);
    expect(reasons.get('random_sample')).toBeGreaterThan(oneDayFull.length * 0.97);
    expect((reasons.get('explicit_flag') ?? 0) + (reasons.get('anomaly_detected') ?? 0)).toBeGreaterThan(20);
    const none = collect({ seed: 11, start: MONDAY, end: MONDAY + 6 * HOUR, flaggedShare: 0, textMode: 'short' });
    expect(none.every((r) => r.captured_reason === 'random_sample')).toBe(true);
  });
});

describe('generateTraffic: internal consistency', () => {
  const ok = oneDayFull.filter((r) => r.downstream_status === '200');

  it('counts tokens consistently with the text (≈ 4 Latin chars per token, ≈ 1 per CJK char)', () => {
    for (const r of ok) {
      const response = r.response as string;
      expect(Math.abs((r.output_tokens as number) - Math.max(1, Math.round(tokenCost(response))))).toBeLessThanOrEqual(1);
      const prompt = r.prompt as string | Array<{ content: string }>;
      const promptCost = typeof prompt === 'string' ? tokenCost(prompt) : prompt.reduce((s, m) => s + tokenCost(m.content) + 4, 0);
      const contextCost = ((r.context as string[] | undefined) ?? []).reduce((s, c) => s + tokenCost(c), 0);
      expect(Math.abs((r.input_tokens as number) - (promptCost + contextCost))).toBeLessThanOrEqual(1);
    }
    const ja = ok.find((r) => /[\u3040-\u30ff]/.test(r.response as string) && r.route === 'chat');
    expect(ja, 'a Japanese chat answer in the day').toBeDefined();
    expect(ja!.output_tokens as number).toBeGreaterThan((ja!.response as string).length * 0.6);
  });

  it('follows each route profile: median tokens near the profile in full and in short mode', () => {
    const short = collect({ seed: 11, start: MONDAY, end: MONDAY + DAY, textMode: 'short' }).filter((r) => r.downstream_status === '200');
    const medians = (rs: Rec[], route: string, key: string) =>
      quantile(byRoute(rs, route).filter((r) => r.response !== REFUSALS.en).map((r) => r[key] as number), 0.5);
    for (const [route, inMed, outMed] of [
      ['answer', 1400, 170],
      ['summarize', 900, 110],
      ['classify_intent', 140, 40],
      ['extract_entities', 520, 150],
      ['chat', 600, 220],
    ] as const) {
      for (const rs of [ok, short]) {
        expect(medians(rs, route, 'input_tokens') / inMed, `${route} input`).toBeGreaterThan(0.85);
        expect(medians(rs, route, 'input_tokens') / inMed, `${route} input`).toBeLessThan(1.15);
        expect(medians(rs, route, 'output_tokens') / outMed, `${route} output`).toBeGreaterThan(0.85);
        expect(medians(rs, route, 'output_tokens') / outMed, `${route} output`).toBeLessThan(1.15);
      }
    }
  });

  it('keeps latencies consistent: total ≥ TTFT and total ≈ TTFT + output tokens / decoding speed', () => {
    for (const r of oneDayFull) {
      if (r.latency_to_first_token_ms !== undefined) {
        expect(r.latency_total_ms as number).toBeGreaterThanOrEqual(r.latency_to_first_token_ms as number);
      }
    }
    const answer = byRoute(ok, 'answer').filter((r) => r.cached === false && (r.output_tokens as number) > 50);
    const ratios = answer.map(
      (r) => ((r.latency_total_ms as number) - (r.latency_to_first_token_ms as number)) / (((r.output_tokens as number) / 70) * 1000),
    );
    expect(quantile(ratios, 0.5)).toBeGreaterThan(0.9);
    expect(quantile(ratios, 0.5)).toBeLessThan(1.2);
    const cached = ok.filter((r) => r.cached === true);
    expect(quantile(cached.map((r) => r.latency_total_ms as number), 0.5)).toBeLessThan(100);
    expect(cached.every((r) => r.cost_usd === 0)).toBe(true);
  });

  it('prices calls from the per-model table', () => {
    for (const r of ok.filter((x) => x.cached === false)) {
      const p = MODEL_PRICES[r.model as string]!;
      const expected = ((r.input_tokens as number) * p.input + (r.output_tokens as number) * p.output) / 1e6;
      expect(r.cost_usd as number).toBeCloseTo(expected, 7);
    }
    const failed = oneDayFull.filter((x) => x.downstream_status !== '200');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.cost_usd).toBe(0);
  });

  it('samples: sample_rate 0.1 keeps ~10% of the calls, and the weights recover the volume', () => {
    const opts = { seed: 4, start: MONDAY, end: MONDAY + 2 * DAY, textMode: 'short' as const, flaggedShare: 0 };
    const all = countTraffic(opts);
    const sampled = collect({ ...opts, sampleRate: 0.1 });
    expect(sampled.every((r) => r.sample_rate === 0.1)).toBe(true);
    const estimated = sampled.reduce((s, r) => s + 1 / (r.sample_rate as number), 0);
    expect(estimated / all).toBeGreaterThan(0.9);
    expect(estimated / all).toBeLessThan(1.1);
  });
});

describe('generateTraffic: seasonality', () => {
  const twoWeeks = collect({ seed: 21, start: MONDAY, end: MONDAY + 14 * DAY, textMode: 'short', flaggedShare: 0 });
  const hourOf = (r: Rec) => new Date(r.timestamp as string).getUTCHours();
  const dayOf = (r: Rec) => new Date(r.timestamp as string).getUTCDay();

  it('is busy in working hours and quiet at night', () => {
    const weekday = twoWeeks.filter((r) => dayOf(r) >= 1 && dayOf(r) <= 5);
    const perHour = new Array(24).fill(0) as number[];
    for (const r of weekday) perHour[hourOf(r)]!++;
    const peak = mean([perHour[13]!, perHour[14]!, perHour[15]!]);
    const night = mean([perHour[1]!, perHour[2]!, perHour[3]!, perHour[4]!]);
    expect(peak / night).toBeGreaterThan(3);
  });

  it('dips on weekends', () => {
    const perDay = new Array(7).fill(0) as number[];
    for (const r of twoWeeks) perDay[dayOf(r)]!++;
    const weekdayMean = mean(perDay.slice(1, 6));
    const weekendMean = mean([perDay[0]!, perDay[6]!]);
    expect(weekdayMean / weekendMean).toBeGreaterThan(1.6);
  });

  it('gives each route its own daily phase', () => {
    const peakHour = (route: string) => {
      const perHour = new Array(24).fill(0) as number[];
      for (const r of byRoute(twoWeeks, route)) perHour[hourOf(r)]!++;
      return perHour.indexOf(Math.max(...perHour));
    };
    expect(Math.abs(peakHour('chat') - 19)).toBeLessThanOrEqual(2);
    expect(Math.abs(peakHour('extract_entities') - 10)).toBeLessThanOrEqual(2);
  });

  it('calibrates callsPerHour as the weekday peak rate', () => {
    const atPeak = twoWeeks.filter((r) => r.route === 'answer' && hourOf(r) === 14 && dayOf(r) >= 1 && dayOf(r) <= 5);
    const perHour = atPeak.length / 10;
    expect(perHour / (600 * 0.35)).toBeGreaterThan(0.88);
    expect(perHour / (600 * 0.35)).toBeLessThan(1.12);
  });
});

describe('generateTraffic: options', () => {
  it('rejects unusable options with the key that is wrong', () => {
    const bad = (o: object) => () => [...generateTraffic({ start: MONDAY, end: MONDAY + HOUR, ...o })];
    expect(bad({ end: MONDAY })).toThrow(TrafficOptionsError);
    expect(bad({ sampleRate: 0 })).toThrow(/sampleRate/);
    expect(bad({ textMode: 'long' })).toThrow(/textMode/);
    expect(bad({ routes: [] })).toThrow(/routes/);
  });

  it('countTraffic agrees with the generator', () => {
    const opts = { seed: 3, start: MONDAY, end: MONDAY + 5 * HOUR, textMode: 'short' as const };
    expect(countTraffic(opts)).toBe(collect(opts).length);
  });
});
