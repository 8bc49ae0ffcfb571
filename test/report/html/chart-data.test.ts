import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.ts';
import { testSigma } from '../../../src/drift/analyze-sigma.ts';
import { isTest, type DriftTest } from '../../../src/drift/analyze-types.ts';
import { sigmaChart } from '../../../src/drift/chart-data.ts';
import { SERIES_METRICS, type HourSeries } from '../../../src/drift/series.ts';
import { mulberry32 } from '../../../src/stats/index.ts';

/**
 * The sigma chart's band is the test's own: at the alerting window its edge sits at |z| = sigma.
 * The browser test covers the trailing test on a real run (two days of history); this covers the
 * seasonal test (four weeks of same-hour history) on a series built hour by hour.
 */

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
const END = Date.UTC(2026, 10, 23, 14);
const opts = configSchema.parse({}).drift;

function series(metricName: string, value: (t: number, rnd: () => number) => number, rows: number, weeks: number): Map<number, HourSeries> {
  const rnd = mulberry32(7);
  const out = new Map<number, HourSeries>();
  for (let t = END - weeks * WEEK - HOUR; t < END; t += HOUR) {
    const v = value(t, rnd);
    out.set(t, { v: 1, start: t, routes: { answer: { [metricName]: [v * rows, rows, rows] } } });
  }
  return out;
}

const daily = (t: number) => 0.06 + 0.03 * Math.sin((2 * Math.PI * ((t / HOUR) % 24)) / 24);

describe('sigmaChart', () => {
  it('seasonal: each window has its own same-hour expectation, and the band edge at the alerting window is at |z| = sigma', () => {
    const metric = SERIES_METRICS.find((m) => m.name === 'refusal.rate')!;
    const s = series(metric.name, (t, rnd) => (t === END - HOUR ? 0.3 : daily(t) + (rnd() - 0.5) * 0.01), 2000, 5);
    const test = testSigma('answer', metric, s, END, 1, opts);
    expect(test && isTest(test)).toBe(true);
    const t = test as DriftTest;
    expect(t.test).toBe('sigma_seasonal');
    const c = sigmaChart(t, s, END, opts.sigma, opts.seasonalWeeks)!;
    expect(c.y.length).toBe(169);
    expect(c.t0 + (c.y.length - 1) * c.step).toBe(END);
    const i = c.y.length - 1;
    expect(c.y[i]).toBeCloseTo(0.3, 3);
    expect(c.expected[i]! / (t.baseline.expected as number)).toBeCloseTo(1, 3);
    const z = ((c.y[i]! - c.expected[i]!) / (c.hi[i]! - c.expected[i]!)) * opts.sigma;
    expect(z / t.statistic).toBeCloseTo(1, 2);
    // The expectation follows the daily cycle (not one flat line), and ordinary hours sit inside the band.
    const exp = c.expected.filter((x): x is number => x !== null);
    expect(Math.max(...exp) - Math.min(...exp)).toBeGreaterThan(0.04);
    const inside = c.y.slice(0, -1).filter((y, k) => y !== null && y >= c.lo[k]! && y <= c.hi[k]!).length;
    expect(inside / (c.y.length - 1)).toBeGreaterThan(0.95);
  });

  it('trailing: starts at the first window with history (nothing drawn before it), one flat band', () => {
    const metric = SERIES_METRICS.find((m) => m.name === 'refusal.rate')!;
    const rnd = mulberry32(3);
    const s = new Map<number, HourSeries>();
    for (let t = END - 31 * HOUR; t < END; t += HOUR) s.set(t, { v: 1, start: t, routes: { answer: { [metric.name]: [(t === END - HOUR ? 0.3 : 0.06 + (rnd() - 0.5) * 0.01) * 2000, 2000, 2000] } } });
    const t = testSigma('answer', metric, s, END, 1, opts) as DriftTest;
    expect(t.test).toBe('sigma_trailing');
    const c = sigmaChart(t, s, END, opts.sigma, opts.seasonalWeeks)!;
    expect(c.t0).toBe(END - 30 * HOUR);
    expect(c.y).toHaveLength(31);
    expect(c.y.every((y) => y !== null)).toBe(true);
    expect(new Set(c.hi).size).toBe(1);
    for (const k of ['lo', 'hi', 'expected'] as const) expect(c[k]).toHaveLength(c.y.length);
    const i = c.y.length - 1;
    expect(((c.y[i]! - c.expected[i]!) / (c.hi[i]! - c.expected[i]!)) * opts.sigma / t.statistic).toBeCloseTo(1, 2);
  });
});
