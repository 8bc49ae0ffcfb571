import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { createHourAccumulator, mergeBuckets, mergeHours, withRollup, type HourAggregate, type RouteBucket, type SampleColumns } from '../../src/drift/aggregate.ts';
import { createExtractor } from '../../src/drift/features.ts';
import { mergeHourLists, mergeHoursN } from '../../src/drift/merge.ts';
import { mergeDriftPartials, type DriftPartial } from '../../src/drift/pipeline.ts';
import { emptyIngestCounts } from '../../src/captures/ingest-stats.ts';
import type { ReadRecord } from '../../src/captures/record.ts';
import { mulberry32 } from '../../src/stats/index.ts';
import { hourRecords, rec, shuffle } from './helpers.ts';

const H = Date.UTC(2026, 2, 2, 14);
const extract = createExtractor(configSchema.parse({}));

function build(records: readonly ReadRecord[], k = 16, start = H): HourAggregate {
  const acc = createHourAccumulator(start, { reservoirSize: k });
  acc.addObject();
  for (const r of records) acc.add(r, r.population ? extract(r) : undefined);
  return acc.finish();
}

/** Today's reference: the pairwise left fold the n-way merge replaces. */
const fold = (hours: readonly HourAggregate[]): HourAggregate => hours.slice(1).reduce((a, b) => mergeHours(a, b), hours[0] as HourAggregate);

/** Parts of one hour exercising every merge path: 3 routes, weights, > 64 labels, duplicates, gaps. */
function hourParts(start = H): HourAggregate[] {
  const records = [
    ...hourRecords(start, 1, { rows: 400 }),
    ...hourRecords(start, 2, { rows: 300, route: 'chat', sampleRate: 0.25 }),
    ...hourRecords(start, 3, { rows: 200, route: 'search' }),
    ...Array.from({ length: 150 }, (_, i) => rec({ request_id: `m${i}`, timestamp: new Date(start + i * 1000).toISOString(), model: `model-${i}`, response: 'ok' })),
  ];
  const mixed = shuffle(records, 7);
  const parts = Array.from({ length: 9 }, (_, i) => build(mixed.slice(i * 117, (i + 1) * 117), 16, start));
  // Route present in one part only (passed through untouched), a part built with a smaller k
  // (truncates samples from its fold step on), a duplicated object, a request_id twice in one object.
  parts.push(build(hourRecords(start, 4, { rows: 30, route: 'rare' }), 16, start));
  parts.splice(4, 0, build(mixed.slice(0, 200), 8, start));
  parts.push(parts[2] as HourAggregate);
  const dup = mixed.slice(300, 340);
  parts.push(build([...dup, ...dup], 16, start));
  return parts;
}

describe('n-way merge of hour aggregates', () => {
  it('equals the pairwise fold bit for bit, in any member order', () => {
    const parts = hourParts();
    for (const seed of [0, 1, 2, 3]) {
      const order = seed === 0 ? parts : shuffle(parts, seed);
      expect(JSON.stringify(mergeHoursN(order))).toBe(JSON.stringify(fold(order)));
      expect(mergeHoursN(order)).toStrictEqual(fold(order));
    }
    // Sanity: the fixture reaches the label cap and truncated, weighted samples.
    const merged = mergeHoursN(parts);
    expect(merged.k).toBe(8);
    expect(merged.routes.answer?.cat.model?.c.__other__).toBeDefined();
    expect(merged.routes.chat?.num.output_tokens?.r.w).toBeDefined();
    expect(merged.routes.rare).toBe((parts.find((p) => p.routes.rare) as HourAggregate).routes.rare);
  });

  it('does not modify its inputs', () => {
    const parts = hourParts();
    const before = JSON.stringify(parts);
    mergeHoursN(parts);
    withRollup(mergeHoursN(parts));
    expect(JSON.stringify(parts)).toBe(before);
  });

  it('keeps equal sample entries as the pairwise dedup does (multiplicity, first holder, ±0)', () => {
    const base = build(hourRecords(H, 5, { rows: 50 }), 6);
    const u = mulberry32(11);
    const sample = (): SampleColumns => {
      const rows = Array.from({ length: Math.floor(u() * 9) }, () => [Math.floor(u() * 4) / 4, [0, -0, 1][Math.floor(u() * 3)] as number, u() < 0.5 ? 1 : 2] as const);
      rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      return { k: rows.map((r) => r[0]), v: rows.map((r) => r[1]), w: rows.map((r) => r[2]) };
    };
    for (let trial = 0; trial < 200; trial++) {
      const hours = Array.from({ length: 2 + Math.floor(u() * 5) }, () => {
        const h = structuredClone(base);
        (h.routes.answer?.num.output_tokens as { r: SampleColumns }).r = sample();
        return h;
      });
      expect(mergeHoursN(hours).routes.answer?.num.output_tokens?.r).toStrictEqual(fold(hours).routes.answer?.num.output_tokens?.r);
    }
  });

  it('rejects an empty list and hours that differ', () => {
    expect(() => mergeHoursN([])).toThrow(/no hours/);
    expect(() => mergeHoursN([build([], 16, H), build([], 16, H + 3_600_000)])).toThrow(/different hours/);
  });

  it('the * rollup equals the pairwise fold of the routes', () => {
    const hour = mergeHoursN(hourParts());
    const routes = Object.values(hour.routes);
    const pairwise = routes.slice(1).reduce((a, b) => mergeBuckets(a, b, hour.k), routes[0] as RouteBucket);
    expect(withRollup(hour)['*']).toStrictEqual(pairwise);
  });
});

describe('mergeDriftPartials', () => {
  it('merges each hour of many partials n-way, identical to the former pairwise fold', () => {
    const H2 = H + 3_600_000;
    const a = hourParts(H);
    const b = hourParts(H2);
    // Partials in unit-id order; some span two hours, some one.
    const parts: DriftPartial[] = a.map((h, i) => ({
      v: 1,
      hours: i % 3 === 0 && b[i] ? [h, b[i] as HourAggregate] : [h],
      input: emptyIngestCounts(),
      outOfPartition: i,
    }));
    parts.push({ v: 1, hours: b.filter((_, i) => i % 3 !== 0), input: emptyIngestCounts(), outOfPartition: 1 });
    const merged = mergeDriftPartials(parts);
    const byHour = new Map<number, HourAggregate>();
    for (const p of parts) for (const h of p.hours) byHour.set(h.start, byHour.has(h.start) ? mergeHours(byHour.get(h.start) as HourAggregate, h) : h);
    expect(merged.hours.map((h) => h.start)).toEqual([H, H2]);
    expect(JSON.stringify(merged.hours)).toBe(JSON.stringify([byHour.get(H), byHour.get(H2)]));
    expect(mergeHourLists(parts.map((p) => p.hours))).toStrictEqual(merged.hours);
  });
});
