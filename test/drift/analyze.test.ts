import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { createHourAccumulator, withRollup } from '../../src/drift/aggregate.ts';
import { analyzeDrift, type HourBuckets } from '../../src/drift/analyze.ts';
import { ksMinPValue } from '../../src/drift/analyze-numeric.ts';
import { rareSideRelativeChange } from '../../src/drift/analyze-rate.ts';
import { createExtractor } from '../../src/drift/features.ts';
import { hourSeries, type HourSeries } from '../../src/drift/series.ts';
import { hourRecords, type HourTraffic } from './helpers.ts';
import { digestBaseline } from '../../src/drift/baseline.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 0);
const config = configSchema.parse({});
const extract = createExtractor(config);

function hour(start: number, seed: number, traffic: HourTraffic | HourTraffic[], reservoirSize = 512): HourBuckets {
  const acc = createHourAccumulator(start, { reservoirSize });
  for (const t of Array.isArray(traffic) ? traffic : [traffic]) {
    for (const r of hourRecords(start, seed, t)) acc.add(r, extract(r));
  }
  return withRollup(acc.finish());
}

/** 48 baseline hours, then one window hour. */
function scenario(window: HourTraffic | HourTraffic[], base: HourTraffic = { rows: 150 }, baseHours = 48, reservoirSize = 512) {
  const baselineHours = Array.from({ length: baseHours }, (_, i) => hour(T0 + (48 - baseHours + i) * HOUR, 100 + i, base, reservoirSize));
  const start = T0 + 48 * HOUR;
  const windowHours = [hour(start, 7, window, reservoirSize)];
  const series = new Map<number, HourSeries>();
  baselineHours.forEach((h, i) => series.set(T0 + i * HOUR, hourSeries(T0 + i * HOUR, h)));
  series.set(start, hourSeries(start, windowHours[0] as HourBuckets));
  return analyzeDrift({ window: { start, end: start + HOUR }, windowHours, baseline: digestBaseline(baselineHours), series, options: config.drift });
}

const find = (r: ReturnType<typeof scenario>, route: string, subject: string) => r.breaches.find((t) => t.route === route && t.subject === subject);

describe('analyzeDrift', () => {
  it('finds nothing when the window is like its baseline', () => {
    const r = scenario({ rows: 150 });
    expect(r.breaches).toEqual([]);
    expect(r.tests.length).toBeGreaterThan(50);
    expect(r.tests.every((t) => t.qValue !== undefined && t.qValue >= t.pValue)).toBe(true);
  });

  it('finds a +35% output length shift, with a summary-ready headline and examples', () => {
    const r = scenario({ rows: 400, outputShift: Math.log(1.35) });
    const t = find(r, 'answer', 'output_tokens');
    expect(t).toBeDefined();
    expect(t?.kind).toBe('drift.numeric');
    expect(t?.test).toBe('ks');
    expect(t?.effect.ksD).toBeGreaterThan(0.2);
    expect(t?.effect.wasserstein).toBeGreaterThan(0.3);
    expect(t?.headline).toMatch(/^output tokens p50 \d+ → \d+ \(\+\d+%\)$/);
    expect(t?.examples.length).toBe(5);
    expect(find(r, '*', 'output_tokens')).toBeDefined();
    // Unrelated features stay quiet.
    expect(find(r, 'answer', 'input_tokens')).toBeUndefined();
  });

  it('finds a refusal rate ×3 and a script-mix shift', () => {
    const r = scenario({ rows: 600, refusalRate: 0.06, cyrillicShare: 0.25 });
    const refusal = find(r, 'answer', 'refusal');
    expect(refusal?.kind).toBe('drift.rate');
    expect(refusal?.headline).toMatch(/^refusal rate 2\.\d% → [5-7]\.\d% \(×\d\.\d\)$/);
    const script = find(r, 'answer', 'prompt_script');
    expect(script?.kind).toBe('drift.categorical');
    expect(script?.headline).toContain('cyrillic');
    expect(script?.effect.jsDistance).toBeGreaterThan(0.1);
  });

  it('uses the exact unweighted KS when each sample has one weight, the weighted one when rates mix', () => {
    const uniform = scenario({ rows: 300, sampleRate: 0.25, outputShift: Math.log(1.4) });
    expect(find(uniform, 'answer', 'output_tokens')?.test).toBe('ks');
    const mixed = scenario([
      { rows: 200, sampleRate: 0.25, outputShift: Math.log(1.4) },
      { rows: 200, outputShift: Math.log(1.4) },
    ]);
    const t = find(mixed, 'answer', 'output_tokens');
    expect(t?.test).toBe('ks_weighted');
    expect(t?.details?.effectiveSizes).toBeDefined();
  });

  it('does not flag a tiny but significant shift at large n (effect threshold)', () => {
    // Every row kept (no bottom-k cap), so the +7% shift is significant even after BH; only the
    // effect thresholds keep it from being a finding.
    const r = scenario({ rows: 3000, outputShift: Math.log(1.07) }, { rows: 600 }, 48, 4096);
    expect(find(r, 'answer', 'output_tokens')).toBeUndefined();
    const t = r.tests.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(t?.qValue).toBeLessThan(config.drift.alpha);
    expect(t?.effectRatio).toBeLessThan(1);
    expect(t?.effect.ksD).toBeLessThan(0.1);
  });

  it('reports insufficient_data instead of "no drift" for a tiny window', () => {
    const r = scenario({ rows: 2, outputShift: 2 });
    const u = r.unmeasured.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(u?.reason).toBe('insufficient_data');
    expect(u?.detail).toMatch(/below the minimum of 5/);
    expect(r.tests.some((x) => x.route === 'answer' && x.subject === 'output_tokens')).toBe(false);
  });

  it('reports insufficient_data when KS cannot reach alpha at these sizes', () => {
    // 5 vs 5: the smallest two-sided KS p-value is 2 / C(10, 5) = 0.0079 < 0.01, so it is tested;
    // but 5 rows cannot detect the minimum effect, so "not significant" is reported as
    // insufficient_data (the minimum-detectable-effect policy), not as "no drift".
    const r = scenario({ rows: 5 }, { rows: 5 }, 1);
    const u = r.unmeasured.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(ksMinPValue(5, 5)).toBeLessThan(0.01);
    expect(r.tests.some((x) => x.route === 'answer' && x.subject === 'output_tokens' && x.test === 'ks')).toBe(true);
    expect(u?.reason).toBe('insufficient_data');
    expect(u?.detail).toMatch(/could detect the minimum change with \d+% power at p < .*not evidence of no drift/);
    // 5 vs 4: 2 / C(9, 4) = 0.016, no outcome could be significant.
    expect(ksMinPValue(5, 4)).toBeGreaterThan(0.01);
    const r2 = scenario({ rows: 5 }, { rows: 4 }, 1);
    const u2 = r2.unmeasured.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(u2?.reason).toBe('insufficient_data');
  });

  it('reports insufficient_data for a route with no baseline', () => {
    const r = scenario([{ rows: 200 }, { rows: 200, route: 'brand_new' }]);
    const u = r.unmeasured.filter((x) => x.route === 'brand_new');
    expect(u.length).toBeGreaterThan(5);
    expect(u.every((x) => x.reason === 'insufficient_data')).toBe(true);
  });

  it('applies BH over the whole run: q-values are monotone in p', () => {
    const r = scenario({ rows: 400, outputShift: 0.3, refusalRate: 0.08 });
    const sorted = r.tests.slice().sort((a, b) => a.pValue - b.pValue);
    expect(sorted.length).toBeGreaterThan(50);
    for (let i = 1; i < sorted.length; i++) expect((sorted[i]?.qValue as number) >= (sorted[i - 1]?.qValue as number)).toBe(true);
    const m = r.tests.length;
    const min = sorted[0] as (typeof sorted)[0];
    expect(min.qValue).toBeCloseTo(Math.min(1, Math.min(...sorted.map((t, i) => (t.pValue * m) / (i + 1)))), 12);
  });
});

describe('helpers', () => {
  it('ksMinPValue is 2 / C(n+m, n)', () => {
    expect(ksMinPValue(3, 3)).toBeCloseTo(0.1, 12);
    expect(ksMinPValue(1, 1)).toBe(1);
    expect(ksMinPValue(2, 1000)).toBeCloseTo(2 / ((1002 * 1001) / 2), 15);
  });
  it('relative rate change is measured on the rarer side', () => {
    expect(rareSideRelativeChange(0.97, 0.85)).toBeCloseTo(4, 12);
    expect(rareSideRelativeChange(0.01, 0.03)).toBeCloseTo(2, 12);
    expect(rareSideRelativeChange(0, 0)).toBe(0);
  });
});
