import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { createHourAccumulator, mergeHours, withRollup, type HourAggregate } from '../../src/drift/aggregate.ts';
import { createExtractor } from '../../src/drift/features.ts';
import { mergeDriftPartials, type DriftPartial } from '../../src/drift/pipeline.ts';
import { emptyIngestCounts } from '../../src/captures/ingest-stats.ts';
import { hourRecords, rec, shuffle } from './helpers.ts';

const H = Date.UTC(2026, 2, 2, 14);
const extract = createExtractor(configSchema.parse({}));

function build(records: ReturnType<typeof hourRecords>, k = 64): HourAggregate {
  const acc = createHourAccumulator(H, { reservoirSize: k });
  acc.addObject();
  for (const r of records) acc.add(r, r.population ? extract(r) : undefined);
  return acc.finish();
}

/** Float sums may differ in the last bits across groupings; everything else must be identical. */
function roundSums(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x), (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v));
}

describe('hour aggregates', () => {
  const records = [
    ...hourRecords(H, 1, { rows: 300 }),
    ...hourRecords(H, 2, { rows: 200, route: 'chat', sampleRate: 0.25 }),
  ];
  const parts = [records.slice(0, 120), records.slice(120, 260), records.slice(260, 400), records.slice(400)];

  it('counts population rows, weights and flagged rows separately', () => {
    const flagged = rec({ request_id: 'f1', captured_reason: 'explicit_flag', response: 'x' });
    const late = rec({ request_id: 'late', timestamp: '2026-03-02T10:00:00Z', response: 'x' });
    const hour = build([...records, flagged, late]);
    expect(hour.routes.answer?.rows).toBe(301);
    expect(hour.routes.answer?.flagged).toBe(1);
    expect(hour.routes.answer?.outsidePartition).toBe(1);
    expect(hour.routes.chat?.w).toBeCloseTo(800, 9);
    expect(hour.routes.chat?.minW).toBe(4);
    expect(hour.routes.answer?.num.output_tokens?.r.k.length).toBe(64);
    expect(hour.routes.chat?.num.output_tokens?.r.w?.[0]).toBe(4);
  });

  it('merging split parts equals building the whole (order independent, associative, commutative)', () => {
    const whole = build(records);
    const [a, b, c, d] = parts.map((p) => build(p)) as [HourAggregate, HourAggregate, HourAggregate, HourAggregate];
    const left = mergeHours(mergeHours(mergeHours(a, b), c), d);
    const right = mergeHours(a, mergeHours(b, mergeHours(c, d)));
    const swapped = mergeHours(mergeHours(d, b), mergeHours(c, a));
    const norm = (h: HourAggregate) => roundSums({ ...h, objects: 0 });
    expect(norm(left)).toEqual(norm(whole));
    expect(norm(right)).toEqual(norm(left));
    expect(norm(swapped)).toEqual(norm(left));
    // Samples, examples and counts are exactly equal, not just close.
    expect(left.routes.answer?.num.output_tokens?.r).toEqual(whole.routes.answer?.num.output_tokens?.r);
    expect(left.routes.chat?.flag.refusal).toEqual(whole.routes.chat?.flag.refusal);
  });

  it('record order changes nothing but the last bits of float sums', () => {
    const a = build(shuffle(records, 9));
    const b = build(records);
    expect(roundSums(a)).toEqual(roundSums(b));
    expect(a.routes.answer?.num.output_tokens?.r).toEqual(b.routes.answer?.num.output_tokens?.r);
    expect(a.routes.answer?.num.output_tokens?.sk).toEqual(b.routes.answer?.num.output_tokens?.sk);
  });

  it('partials merged in unit-id order are byte-identical however units were produced', () => {
    const partial = (rs: typeof records): DriftPartial => ({ v: 1, hours: [build(rs)], input: emptyIngestCounts(), outOfPartition: 0 });
    const once = mergeDriftPartials(parts.map(partial));
    // Units finish in another order (and are rebuilt by a retry); the runner sorts them back by id.
    const finished = shuffle(parts.map((_, id) => id), 3).map((id) => ({ id, partial: partial(parts[id] as typeof records) }));
    expect(finished.map((f) => f.id)).not.toEqual(parts.map((_, id) => id));
    const retried = mergeDriftPartials(finished.sort((a, b) => a.id - b.id).map((f) => f.partial));
    expect(JSON.stringify(retried)).toBe(JSON.stringify(once));
    // Merged in the order they finished, they differ at most in the last bits of float sums.
    const unsorted = mergeDriftPartials(shuffle(parts.map((_, id) => id), 3).map((id) => partial(parts[id] as typeof records)));
    expect(roundSums(unsorted)).toEqual(roundSums(once));
  });

  it('the * rollup equals one bucket of every route', () => {
    const hour = build(records);
    const all = withRollup(hour)['*'];
    const allInOne = build(records.map((r) => ({ ...r, route: 'x' })));
    expect(roundSums(all)).toEqual(roundSums(allInOne.routes.x));
  });

  it('caps label cardinality order-independently', () => {
    const many = Array.from({ length: 150 }, (_, i) => rec({ request_id: `m${i}`, model: `model-${i}`, response: 'ok' }));
    const whole = build(many);
    const split = mergeHours(build(many.slice(0, 70)), build(many.slice(70)));
    const models = whole.routes.answer?.cat.model;
    expect(Object.keys(models?.c ?? {}).length).toBe(65);
    expect(models?.c.__other__?.[0]).toBe(86);
    expect(split.routes.answer?.cat.model).toEqual(models);
  });
});
