import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { createHourAccumulator, withRollup } from '../../src/drift/aggregate.ts';
import { analyzeDrift, testHours, type AnalysisInput, type HourBuckets } from '../../src/drift/analyze.ts';
import { combineSpans } from '../../src/drift/pool.ts';
import type { DriftTest } from '../../src/drift/analyze-types.ts';
import { driftObservations } from '../../src/drift/hysteresis-store.ts';
import { createExtractor } from '../../src/drift/features.ts';
import { corroborates, mdePower, MIN_POWER, minRateDelta, minStandardizedShift } from '../../src/drift/power.ts';
import { hourSeries, type HourSeries } from '../../src/drift/series.ts';
import { hourRecords, type HourTraffic } from './helpers.ts';
import { digestBaseline } from '../../src/drift/baseline.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 0);
const config = configSchema.parse({});
const opts = config.drift;
const extract = createExtractor(config);

function hour(start: number, seed: number, t: HourTraffic): HourBuckets {
  const acc = createHourAccumulator(start, { reservoirSize: 512 });
  for (const r of hourRecords(start, seed, t)) acc.add(r, extract(r));
  return withRollup(acc.finish());
}

/** 48 baseline hours of 150 rows, then a previous hour and a window hour as given. */
function input(previous: HourTraffic, window: HourTraffic): AnalysisInput {
  const baselineHours = Array.from({ length: 48 }, (_, i) => hour(T0 + i * HOUR, 100 + i, { rows: 150 }));
  const prevStart = T0 + 47 * HOUR;
  baselineHours[47] = hour(prevStart, 99, previous);
  const start = T0 + 48 * HOUR;
  const windowHours = [hour(start, 7, window)];
  const series = new Map<number, HourSeries>();
  baselineHours.forEach((h, i) => series.set(T0 + i * HOUR, hourSeries(T0 + i * HOUR, h)));
  series.set(start, hourSeries(start, windowHours[0] as HourBuckets));
  return { window: { start, end: start + HOUR }, windowHours, baseline: digestBaseline(baselineHours), previousHours: [baselineHours[47] as HourBuckets], series, options: opts };
}

/** A numeric test with the given p-value, shifted up (P(window > baseline) = 0.7). */
function fakeTest(pValue: number): DriftTest {
  return {
    kind: 'drift.numeric', route: 'answer', subject: 'output_tokens', test: 'ks', statistic: 0.3, pValue,
    effect: { ksD: 0.3, wasserstein: 0.5, probabilityOfSuperiority: 0.7 }, effectRatio: 3, n: 45, m: 7000,
    headline: 'output tokens p50 200 → 260 (+30%)', testText: '', baseline: {}, current: {}, examples: [],
  };
}

describe('minimum-detectable-effect policy', () => {
  it('states the minimum effects the thresholds imply', () => {
    // KS D ≥ 0.1 ⇔ a shift of 2Φ⁻¹(0.55) ≈ 0.251 σ of a normal; W1/IQR ≥ 0.1 is only 0.135 σ.
    expect(minStandardizedShift(opts)).toBeCloseTo(0.2513, 4);
    expect(minRateDelta(0.015, opts)).toBe(0.01);
    expect(minRateDelta(0.5, opts)).toBe(0.125);
  });

  it('power grows with the window and is small for a quiet hour', () => {
    const level = opts.alpha / 250;
    const quiet = mdePower({ kind: 'rate', n: 145, p0: 0.009 }, opts, level);
    const busy = mdePower({ kind: 'rate', n: 5000, p0: 0.009 }, opts, level);
    expect(quiet).toBeLessThan(0.1);
    expect(busy).toBeGreaterThan(0.95);
    expect(mdePower({ kind: 'location', n: 40, m: 50_000 }, opts, level)).toBeLessThan(MIN_POWER);
    expect(mdePower({ kind: 'location', n: 512, m: 50_000 }, opts, level)).toBeGreaterThan(MIN_POWER);
    expect(mdePower({ kind: 'categorical', n: 30, m: 50_000, labels: 3 }, opts, level)).toBeLessThan(MIN_POWER);
  });
});

describe('pooling an underpowered window with the previous hour', () => {
  it('pools a quiet hour, and a sustained shift is corroborated by each hour: it counts for both windows', () => {
    const shift = Math.log(1.35);
    const inp = input({ rows: 45, outputShift: shift }, { rows: 45, outputShift: shift });
    const r = analyzeDrift(inp);
    const t = r.breaches.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(t?.pooled).toEqual({ reason: 'power', hours: 1 });
    expect(t?.n).toBe(90);
    expect(t?.corroborated).toBe(true);
    expect(testHours(inp, t as NonNullable<typeof t>)).toHaveLength(2);
    const o = driftObservations(r).observations.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(o).toMatchObject({ breach: true, spans: 2 });
    // One observation for the subject although KS and Mann–Whitney both ran.
    expect(r.tests.filter((x) => x.route === 'answer' && x.subject === 'output_tokens').map((x) => x.test).sort()).toEqual(['ks', 'mann_whitney']);
    expect(driftObservations(r).observations.filter((x) => x.route === 'answer' && x.subject === 'output_tokens')).toHaveLength(1);
  });

  it('a large shift in the window hour alone is found by the window-only test: one window only', () => {
    const r = analyzeDrift(input({ rows: 45 }, { rows: 45, outputShift: Math.log(2) }));
    const t = r.breaches.find((x) => x.route === 'answer' && x.subject === 'output_tokens' && x.test === 'mann_whitney');
    // Both spans were tested; the window alone attains the weighted Simes value and carries it.
    const spans = t?.details?.spanPValues as { window: number; pooled: number };
    expect(spans.window).toBeLessThan(spans.pooled);
    expect(t?.pValue).toBeCloseTo(Math.min(1, spans.window / 0.2, spans.pooled / 0.8, Math.max(spans.window, spans.pooled)), 15);
    expect(t?.pooled).toBeUndefined();
    const o = driftObservations(r).observations.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(o?.spans).toBeUndefined();
  });

  it('a pooled breach carried by the window hour is not corroborated by the previous hour', () => {
    const pooled = combineSpans(
      [{ ...fakeTest(0.2), test: 'mann_whitney' }],
      [{ ...fakeTest(1e-6), test: 'mann_whitney' }],
      1,
    );
    expect(pooled).toHaveLength(1);
    expect((pooled[0] as DriftTest).pooled).toEqual({ reason: 'power', hours: 1 });
    expect((pooled[0] as DriftTest).pValue).toBeCloseTo(1.25e-6, 15);
    // Previous hour alone: no shift (P(window > baseline) = 0.5, p = 0.9).
    expect(corroborates(pooled.filter((x): x is DriftTest => x !== null && 'pValue' in x), [{ ...fakeTest(0.9), test: 'mann_whitney', effect: { probabilityOfSuperiority: 0.5 } }])).toBe(false);
  });

  it('a busy window is tested alone', () => {
    const r = analyzeDrift(input({ rows: 600 }, { rows: 600 }));
    const t = r.tests.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(t?.pooled).toBeUndefined();
    expect(t?.power).toBeGreaterThan(MIN_POWER);
  });

  it('a quiet window that shows nothing is insufficient_data, not "no drift", and no hysteresis observation', () => {
    const r = analyzeDrift(input({ rows: 20 }, { rows: 20 }));
    const u = r.unmeasured.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(u?.reason).toBe('insufficient_data');
    expect(u?.detail).toMatch(/\(2h\) could detect the minimum change with \d+% power/);
    const ks = r.tests.find((x) => x.route === 'answer' && x.subject === 'output_tokens');
    expect(ks && r.inconclusive.has(ks)).toBe(true);
    expect(driftObservations(r).observations.some((x) => x.route === 'answer' && x.subject === 'output_tokens')).toBe(false);
  });

  it('leaves flags that are constant in window and baseline out of the BH family', () => {
    const r = analyzeDrift(input({ rows: 150 }, { rows: 150 }));
    // The helper traffic always has a prompt: missing.prompt is never true anywhere.
    expect(r.tests.some((x) => x.subject === 'missing.prompt')).toBe(false);
    expect(r.unmeasured.some((x) => x.subject === 'missing.prompt')).toBe(false);
    expect(r.tests.some((x) => x.route === 'answer' && x.subject === 'refusal')).toBe(true);
  });

  it('corroboration needs the same direction', () => {
    const r = analyzeDrift(input({ rows: 45, outputShift: 0.3 }, { rows: 45, outputShift: 0.3 }));
    const pooled = r.tests.filter((x) => x.route === 'answer' && x.subject === 'output_tokens');
    const flip = pooled.map((x) => ({ ...x, pValue: 0.01, effect: { ...x.effect, probabilityOfSuperiority: 1 - (x.effect.probabilityOfSuperiority ?? 0.5) } }));
    expect(corroborates(pooled, pooled.map((x) => ({ ...x, pValue: 0.01 })))).toBe(true);
    expect(corroborates(pooled, flip)).toBe(false);
    expect(corroborates(pooled, [null])).toBe(false);
  });
});
