import { describe, expect, it } from 'vitest';
import { captureRecordSchema } from '../../src/captures/record.ts';
import { generateTraffic, InjectionError, malformedLineOf, REFUSALS, type Injection, type TrafficOptions } from '../../src/demo/index.ts';
import { I18N_QUESTIONS } from '../../src/demo/lexicon/i18n.ts';
import { byRoute, changedAnywhere, collect, DAY, HOUR, index, mean, MONDAY, quantile, type Rec } from './helpers.ts';

const FROM = MONDAY + 12 * HOUR;
const base = (textMode: 'full' | 'short'): TrafficOptions => ({ seed: 31, start: MONDAY, end: MONDAY + DAY, textMode });
const baseline = { full: collect(base('full')), short: collect(base('short')) };

const after = (r: Rec) => Date.parse(r.timestamp as string) >= FROM;

/**
 * Runs the same traffic with one injection and checks that it changed only `allowed` keys, only
 * on `route` and only from `FROM`. Returns the paired records of the affected slice.
 */
function inject(textMode: 'full' | 'short', injection: Injection, allowed: string[]) {
  const before = baseline[textMode];
  const injected = collect({ ...base(textMode), injections: [injection] });
  const target = (r: Rec) => after(r) && (injection.route === undefined || injection.route === '*' || r.route === injection.route);
  const untouched = before.filter((r) => !target(r));
  expect(changedAnywhere(untouched, index(injected)), 'records outside the injection').toEqual(new Set());
  const affected = before.filter(target);
  const changed = changedAnywhere(affected, index(injected));
  for (const k of changed) expect(allowed, `changed key ${k}`).toContain(k);
  return { before: affected, after: injected.filter(target), injected };
}

describe('injections change their target, and nothing else', () => {
  it('output_length ×1.3 lengthens answers by ~30% on its route only', () => {
    const { before, after: later } = inject('full', { kind: 'output_length', route: 'answer', from: FROM, factor: 1.3 }, [
      'output_tokens',
      'response',
      'latency_total_ms',
      'cost_usd',
    ]);
    const answered = (rs: Rec[]) => rs.filter((r) => r.downstream_status === '200' && r.response !== REFUSALS.en).map((r) => r.output_tokens as number);
    const ratio = mean(answered(later)) / mean(answered(before));
    expect(ratio).toBeGreaterThan(1.25);
    expect(ratio).toBeLessThan(1.35);
    const chars = (rs: Rec[]) => mean(rs.filter((r) => typeof r.response === 'string').map((r) => (r.response as string).length));
    expect(chars(later) / chars(before)).toBeGreaterThan(1.2);
  });

  it('refusal_rate ×3 triples refusals (a superset of the old ones)', () => {
    const opts = { ...base('short'), end: MONDAY + 3 * DAY };
    const before = collect(opts);
    const injected = index(collect({ ...opts, injections: [{ kind: 'refusal_rate', route: '*', from: MONDAY, factor: 3 }] }));
    const refused = (r: Rec | undefined) => typeof r?.response === 'string' && Object.values(REFUSALS).includes(r.response as string);
    const was = before.filter(refused);
    expect(was.every((r) => refused(injected.get(r.request_id as string)))).toBe(true);
    const now = [...injected.values()].filter(refused).length;
    expect(now / was.length).toBeGreaterThan(2.5);
    expect(now / was.length).toBeLessThan(3.5);
    const unchanged = before.filter((r) => !refused(injected.get(r.request_id as string)));
    expect(changedAnywhere(unchanged, injected)).toEqual(new Set());
  });

  it('ttft ×2 doubles every TTFT quantile on its route', () => {
    const { before, after: later } = inject('short', { kind: 'ttft', route: 'answer', from: FROM, factor: 2 }, [
      'latency_to_first_token_ms',
      'latency_total_ms',
    ]);
    const ttft = (rs: Rec[]) => rs.filter((r) => r.latency_to_first_token_ms !== undefined).map((r) => r.latency_to_first_token_ms as number);
    for (const q of [0.5, 0.95]) {
      expect(quantile(ttft(later), q) / quantile(ttft(before), q)).toBeCloseTo(2, 1);
    }
  });

  it('model_swap renames the model and scales cost per call', () => {
    const { before, after: later } = inject(
      'short',
      { kind: 'model_swap', route: 'summarize', from: FROM, model: 'gpt-4.1-mini-2025-04-14', costFactor: 1.3 },
      ['model', 'cost_usd'],
    );
    expect(later.every((r) => r.model === 'gpt-4.1-mini-2025-04-14')).toBe(true);
    const paid = (rs: Rec[]) => rs.reduce((s, r) => s + (r.cost_usd as number), 0);
    expect(paid(later) / paid(before)).toBeCloseTo(1.3, 3);
  });

  it('schema_valid 0.85 sets the validation rate of a JSON route', () => {
    const { after: later } = inject('full', { kind: 'schema_valid', route: 'classify_intent', from: FROM, rate: 0.85 }, [
      'schema_validated',
      'schema_validation_errors',
      'response',
      'output_tokens',
      'latency_total_ms',
      'cost_usd',
    ]);
    const answered = later.filter((r) => r.downstream_status === '200' && r.response !== REFUSALS.en);
    const rate = answered.filter((r) => r.schema_validated === true).length / answered.length;
    expect(rate).toBeGreaterThan(0.8);
    expect(rate).toBeLessThan(0.9);
  });

  it('language_mix moves a share of user messages to another language', () => {
    const spanish = new Set(I18N_QUESTIONS.map((q) => q.text.es));
    const lastUser = (r: Rec) => ((r.prompt as Array<{ content: string }>).at(-1)?.content ?? '') as string;
    const { before, after: later } = inject('full', { kind: 'language_mix', route: 'chat', from: FROM, language: 'es', share: 0.3 }, [
      'prompt',
      'response',
      'input_tokens',
      'output_tokens',
      'latency_to_first_token_ms',
      'latency_total_ms',
      'cost_usd',
    ]);
    const share = (rs: Rec[]) => rs.filter((r) => spanish.has(lastUser(r))).length / rs.length;
    expect(share(before)).toBeLessThan(0.05);
    expect(share(later)).toBeGreaterThan(0.24);
    expect(share(later)).toBeLessThan(0.38);
  });

  it('missing_field drops a field from a share of records', () => {
    const { before, after: later } = inject(
      'short',
      { kind: 'missing_field', route: '*', from: FROM, field: 'latency_to_first_token_ms', share: 0.5 },
      ['latency_to_first_token_ms'],
    );
    const had = before.filter((r) => r.latency_to_first_token_ms !== undefined).length;
    const has = later.filter((r) => r.latency_to_first_token_ms !== undefined).length;
    expect(has / had).toBeGreaterThan(0.45);
    expect(has / had).toBeLessThan(0.55);
  });

  it('volume ×2 doubles a route’s traffic inside the window and keeps the original calls', () => {
    const to = FROM + 6 * HOUR;
    const injected = collect({ ...base('short'), injections: [{ kind: 'volume', route: 'answer', from: FROM, to, factor: 2 }] });
    const inWindow = (r: Rec) => after(r) && Date.parse(r.timestamp as string) < to && r.route === 'answer';
    const before = baseline.short.filter(inWindow);
    const later = injected.filter(inWindow);
    expect(later.length / before.length).toBeGreaterThan(1.8);
    expect(later.length / before.length).toBeLessThan(2.2);
    expect(changedAnywhere(before, index(later))).toEqual(new Set());
    expect(changedAnywhere(baseline.short.filter((r) => !inWindow(r)), index(injected))).toEqual(new Set());
    expect(injected.length - later.length).toBe(baseline.short.length - before.length);
  });

  it('volume with a mid-hour boundary thins exactly: rates on both sides', () => {
    const from = FROM + 30 * 60_000;
    const items = collect({ ...base('short'), injections: [{ kind: 'volume', route: '*', from, factor: 3 }] });
    const count = (lo: number, hi: number) => items.filter((r) => Date.parse(r.timestamp as string) >= lo && Date.parse(r.timestamp as string) < hi).length;
    const ref = (lo: number, hi: number) => baseline.short.filter((r) => Date.parse(r.timestamp as string) >= lo && Date.parse(r.timestamp as string) < hi).length;
    expect(count(from, from + 2 * HOUR) / ref(from, from + 2 * HOUR)).toBeGreaterThan(2.6);
    expect(count(from, from + 2 * HOUR) / ref(from, from + 2 * HOUR)).toBeLessThan(3.4);
    expect(count(FROM, from) / ref(FROM, from)).toBeGreaterThan(0.8);
    expect(count(FROM, from) / ref(FROM, from)).toBeLessThan(1.25);
  });

  it('malformed turns a share of lines into lines a reader must reject', () => {
    const injected = collect({ ...base('short'), injections: [{ kind: 'malformed', from: FROM, share: 0.1 }] });
    const bad = injected.filter((r) => malformedLineOf(r) !== undefined);
    const window = baseline.short.filter(after).length;
    expect(bad.length / window).toBeGreaterThan(0.08);
    expect(bad.length / window).toBeLessThan(0.12);
    expect(injected.length).toBe(baseline.short.length);
    const kinds = new Set<string>();
    for (const item of bad) {
      const { line, kind, ts } = malformedLineOf(item)!;
      kinds.add(kind);
      expect(ts).toBeGreaterThanOrEqual(FROM);
      expect(line).not.toContain('\n');
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      expect(captureRecordSchema.safeParse(parsed).success, line.slice(0, 200)).toBe(false);
    }
    expect(kinds.size).toBe(5);
    // Consumers that treat every item as a record see no request_id.
    expect(bad.every((r) => r.request_id === undefined)).toBe(true);
  });
});

describe('injection validation', () => {
  const run = (injection: object) => () => [
    ...generateTraffic({ start: MONDAY, end: MONDAY + HOUR, injections: [injection as Injection] }),
  ];

  it('names the offending key', () => {
    expect(run({ kind: 'ttft', route: 'answr', from: MONDAY, factor: 2 })).toThrow(/\[0\]\.route: unknown route "answr"/);
    expect(run({ kind: 'ttft', from: MONDAY, factor: -1 })).toThrow(/\[0\]\.factor/);
    expect(run({ kind: 'language_mix', from: MONDAY, language: 'fr', share: 0.2 })).toThrow(/\[0\]\.language/);
    expect(run({ kind: 'schema_valid', from: MONDAY, rate: 1.5 })).toThrow(/\[0\]\.rate/);
    expect(run({ kind: 'ttft', from: MONDAY + HOUR, to: MONDAY, factor: 2 })).toThrow(/\[0\]\.to/);
    expect(run({ kind: 'explode', from: MONDAY })).toThrow(InjectionError);
  });

  it('composes: factors multiply', () => {
    const two = collect({
      seed: 31,
      start: FROM,
      end: FROM + HOUR,
      textMode: 'short',
      injections: [
        { kind: 'ttft', from: FROM, factor: 2 },
        { kind: 'ttft', from: FROM, factor: 1.5 },
      ],
    });
    const one = index(collect({ seed: 31, start: FROM, end: FROM + HOUR, textMode: 'short', injections: [{ kind: 'ttft', from: FROM, factor: 3 }] }));
    expect(changedAnywhere(two, one)).toEqual(new Set());
  });
});
