import { describe, expect, it } from 'vitest';
import { pricingConfigSchema } from '../../src/slo/pricing-config.ts';
import { PriceTable, recordCost } from '../../src/slo/pricing.ts';
import { rec } from './helpers.ts';

const table = new PriceTable(
  pricingConfigSchema.parse({
    models: {
      'gpt-4o': [
        { inputPerMTok: 5, outputPerMTok: 15 },
        { from: '2026-03-02T12:00:00Z', inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25, note: 'price cut' },
      ],
      retired: [{ from: '2026-01-01', until: '2026-03-01', inputPerMTok: 1, outputPerMTok: 1 }],
    },
  }),
);

const usd = (c: ReturnType<typeof recordCost>): number => {
  if (!('usd' in c)) throw new Error(`unpriced: ${c.unpriced}`);
  return c.usd;
};

describe('effective-dated prices', () => {
  it('prices records before and after a price change inside a window', () => {
    const before = rec({ model: 'gpt-4o', timestamp: '2026-03-02T11:59:59.999Z', input_tokens: 1000, output_tokens: 100 });
    const after = rec({ model: 'gpt-4o', timestamp: '2026-03-02T12:30:00Z', input_tokens: 1000, output_tokens: 100 });
    // 1000 x 5e-6 + 100 x 15e-6 = 0.0065; after the cut 1000 x 2.5e-6 + 100 x 10e-6 = 0.0035.
    expect(usd(recordCost(before, table))).toBeCloseTo(0.0065, 15);
    expect(usd(recordCost(after, table))).toBeCloseTo(0.0035, 15);
  });

  it('gives a record exactly at the boundary the new price', () => {
    const at = rec({ model: 'gpt-4o', timestamp: '2026-03-02T12:00:00.000Z', input_tokens: 1000, output_tokens: 100 });
    expect(usd(recordCost(at, table))).toBeCloseTo(0.0035, 15);
    expect(table.priceAt('gpt-4o', Date.parse('2026-03-02T12:00:00Z'))?.note).toBe('price cut');
  });

  it('reports the change as an annotated event of the window, not as traffic', () => {
    const events = table.eventsIn(Date.parse('2026-03-02T00:00:00Z'), Date.parse('2026-03-03T00:00:00Z'));
    expect(events).toEqual([
      {
        model: 'gpt-4o',
        at: '2026-03-02T12:00:00.000Z',
        before: { inputPerMTok: 5, outputPerMTok: 15, cachedInputPerMTok: 5 },
        after: { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
        note: 'price cut',
      },
    ]);
    expect(table.eventsIn(Date.parse('2026-03-03T00:00:00Z'), Date.parse('2026-03-04T00:00:00Z'))).toEqual([]);
  });

  it('has no price outside an entry that ends ("until"), and knows when a model is unknown', () => {
    const late = rec({ model: 'retired', timestamp: '2026-03-01T00:00:00Z', input_tokens: 10 });
    expect(recordCost(late, table)).toEqual({ unpriced: 'no_price_at_time' });
    expect(recordCost(rec({ model: 'mystery-model', input_tokens: 10, output_tokens: 10 }), table)).toEqual({ unpriced: 'unknown_model' });
    expect(recordCost(rec({ input_tokens: 10 }), table)).toEqual({ unpriced: 'no_model' });
    expect(recordCost(rec({ model: 'gpt-4o' }), table)).toEqual({ unpriced: 'no_tokens' });
  });
});

describe('cost of a record', () => {
  it('uses cost_usd when present, even for an unknown model, with list-price parts when known', () => {
    expect(recordCost(rec({ model: 'mystery-model', cost_usd: 0.01 }), table)).toEqual({ usd: 0.01, source: 'record' });
    const c = recordCost(rec({ model: 'gpt-4o', cost_usd: 0.002, input_tokens: 1000, output_tokens: 100 }), table);
    expect(c).toMatchObject({ usd: 0.002, source: 'record' });
    expect('listIn' in c && c.listIn).toBeCloseTo(0.0025, 15);
    expect('listOut' in c && c.listOut).toBeCloseTo(0.001, 15);
  });

  it('prices a cached record at the cached-input price, or free with cachedRecords: "free"', () => {
    const r = rec({ model: 'gpt-4o', input_tokens: 1000, output_tokens: 100, cached: true });
    // 1000 x 1.25e-6 + 100 x 10e-6 = 0.00225
    expect(usd(recordCost(r, table))).toBeCloseTo(0.00225, 15);
    const free = new PriceTable({ ...table.config, cachedRecords: 'free' });
    expect(usd(recordCost(r, free))).toBe(0);
  });

  it('splits input into cached and uncached tokens when the record counts them', () => {
    const r = rec({ model: 'gpt-4o', input_tokens: 1000, output_tokens: 100, cached_input_tokens: 800 });
    // 800 x 1.25e-6 + 200 x 2.5e-6 + 100 x 10e-6 = 0.0025
    expect(usd(recordCost(r, table))).toBeCloseTo(0.0025, 15);
  });

  it('counts a missing token count as 0 when the other is present', () => {
    expect(usd(recordCost(rec({ model: 'gpt-4o', input_tokens: 1000 }), table))).toBeCloseTo(0.0025, 15);
  });
});
