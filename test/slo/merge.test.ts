import { describe, expect, it } from 'vitest';
import { createSloAccumulator } from '../../src/slo/accumulate.ts';
import { compileRecordSlos } from '../../src/slo/classify.ts';
import { pricingConfigSchema } from '../../src/slo/pricing-config.ts';
import { PriceTable } from '../../src/slo/pricing.ts';
import { mergeSloPartials, type SloPartial } from '../../src/slo/pipeline.ts';
import { slosConfigSchema } from '../../src/slo/slo-config.ts';
import { emptyIngestCounts } from '../../src/captures/ingest-stats.ts';
import { mulberry32 } from '../../src/stats/index.ts';
import { rec } from './helpers.ts';

const T = Date.UTC(2026, 2, 2, 14);
const table = new PriceTable(pricingConfigSchema.parse({ models: { m: [{ inputPerMTok: 1, outputPerMTok: 4 }] } }));
const slos = compileRecordSlos(slosConfigSchema.parse([{ name: 'avail', kind: 'availability', target: 0.99 }, { name: 'lat', kind: 'latency', thresholdMs: 900, target: 0.95 }]));

function partial(seed: number, rows: number): SloPartial {
  const u = mulberry32(seed);
  const acc = createSloAccumulator(T, { table, slos, dimensions: ['route', 'tenant_id'], examples: 3 });
  for (let i = 0; i < rows; i++) {
    acc.add(
      rec({
        request_id: `r-${seed}-${i}`,
        timestamp: new Date(T + Math.floor(u() * 3_600_000)).toISOString(),
        route: u() < 0.5 ? 'a' : 'b',
        model: 'm',
        tenant_id: `t${Math.floor(u() * 4)}`,
        input_tokens: Math.floor(u() * 1000),
        output_tokens: Math.floor(u() * 300),
        latency_total_ms: Math.floor(u() * 1000),
        downstream_status: u() < 0.05 ? '503' : '200',
        sample_rate: u() < 0.5 ? 1 : 0.25,
      }),
    );
  }
  acc.addObject();
  return { v: 1, hours: [acc.finish()], input: emptyIngestCounts(), outOfPartition: 0, examples: 3 };
}

describe('merging unit partials', () => {
  it('gives the same hour whatever the order and grouping of units (counts exact, sums to 1e-12)', () => {
    const [a, b, c] = [partial(1, 200), partial(2, 150), partial(3, 90)];
    const x = mergeSloPartials([a!, b!, c!]).hours[0]!;
    const y = mergeSloPartials([c!, mergeSloPartials([b!, a!])]).hours[0]!;
    expect(y.objects).toBe(3);
    expect(y.slos).toEqual(x.slos);
    expect(y.costliest).toEqual(x.costliest);
    expect(Object.keys(y.dims.tenant_id ?? {}).sort()).toEqual(Object.keys(x.dims.tenant_id ?? {}).sort());
    for (const r of ['a', 'b']) {
      expect(y.routes[r]?.rows).toBe(x.routes[r]?.rows);
      expect(Math.abs((y.routes[r]?.usd ?? 0) - (x.routes[r]?.usd ?? 0))).toBeLessThan(1e-12);
      expect(Math.abs((y.routes[r]?.usdVar ?? 0) - (x.routes[r]?.usdVar ?? 0))).toBeLessThan(1e-12);
    }
    // 440 rows, every one an event of both SLOs.
    expect(x.slos.avail?.rows.reduce((t, n) => t + n, 0)).toBe(440);
    expect(x.slos.avail?.bad.length).toBe(3);
    expect(x.costliest.a?.length).toBe(3);
  });
});
