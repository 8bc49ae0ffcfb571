import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { testSigma } from '../../src/drift/analyze-sigma.ts';
import { isTest } from '../../src/drift/analyze-types.ts';
import { SERIES_METRICS, type HourSeries } from '../../src/drift/series.ts';
import { normals } from './helpers.ts';

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
const END = Date.UTC(2026, 2, 2, 15); // a Monday, 15:00
const opts = configSchema.parse({}).drift;
const metric = (name: string) => SERIES_METRICS.find((m) => m.name === name)!;

/**
 * Hourly series with strong daily and weekly seasonality: TTFT p95 (log scale) swings ±0.4 over
 * the day, volume from 40 to 400 rows; sampling noise shrinks with volume.
 */
function history(weeks: number, seed = 1, current?: number): Map<number, HourSeries> {
  const z = normals(seed);
  const series = new Map<number, HourSeries>();
  for (let h = END - weeks * WEEK; h < END; h += HOUR) {
    const hod = new Date(h).getUTCHours();
    const weekend = [0, 6].includes(new Date(h).getUTCDay());
    const rows = Math.round((weekend ? 0.4 : 1) * (40 + 360 * Math.max(0, Math.sin(((hod - 6) / 24) * 2 * Math.PI))));
    const p95 = Math.log1p(800) + 0.4 * Math.sin((hod / 24) * 2 * Math.PI) + (2 / Math.sqrt(rows)) * z() + 0.02 * z();
    const rate = Math.min(1, Math.max(0, 0.05 + 0.02 * Math.sin((hod / 24) * 2 * Math.PI) + Math.sqrt(0.05 / rows) * z()));
    series.set(h, {
      v: 1,
      start: h,
      routes: { answer: { 'ttft_ms.p95': [p95, rows, rows], 'refusal.rate': [rate * rows, rows, rows], 'calls.total': [rows, 0, 0] } },
    });
  }
  if (current !== undefined) {
    const last = series.get(END - HOUR)!;
    const cell = last.routes.answer!['ttft_ms.p95']!;
    last.routes.answer!['ttft_ms.p95'] = [cell[0] + current, cell[1], cell[2]];
  }
  return series;
}

describe('sigma windows', () => {
  it('uses the same hour of the last K weeks when history allows', () => {
    const t = testSigma('answer', metric('ttft_ms.p95'), history(6), END, 1, opts);
    expect(isTest(t) && t.test).toBe('sigma_seasonal');
    expect(isTest(t) && t.baseline.weeks).toBe(4);
  });

  it('seasonality alone raises no alarm: z stays small over many hours', () => {
    const series = history(6, 3);
    let worst = 0;
    let tested = 0;
    for (let h = END - 48 * HOUR; h < END; h += HOUR) {
      const t = testSigma('answer', metric('ttft_ms.p95'), series, h + HOUR, 1, opts);
      if (isTest(t)) {
        tested++;
        worst = Math.max(worst, Math.abs(t.statistic));
      }
    }
    // Every hour must have been tested, or "no alarm" would be no test at all.
    expect(tested).toBe(48);
    expect(worst).toBeLessThan(opts.sigma);
  });

  it('flags a doubled p95 (log +0.69) with a large z and a readable headline', () => {
    const t = testSigma('answer', metric('ttft_ms.p95'), history(6, 5, Math.log(2)), END, 1, opts);
    expect(isTest(t)).toBe(true);
    if (!isTest(t)) return;
    expect(Math.abs(t.statistic)).toBeGreaterThan(opts.sigma);
    expect(t.effectRatio).toBeGreaterThanOrEqual(1);
    expect(t.headline).toMatch(/^TTFT p95 [\d,]+ ms vs expected [\d,]+ ms \((\+\d+%|×\d\.\d)\)$/);
  });

  it('falls back to a trailing t prediction interval with short history', () => {
    const t = testSigma('answer', metric('ttft_ms.p95'), history(1), END, 1, opts);
    expect(isTest(t) && t.test).toBe('sigma_trailing');
    // Trailing windows include the daily swing: wide, honest, and no alarm.
    expect(isTest(t) && Math.abs(t.statistic)).toBeLessThan(opts.sigma);
  });

  it('reports insufficient_data when history is too short for either', () => {
    const t = testSigma('answer', metric('ttft_ms.p95'), history(6 / 168), END, 1, opts);
    expect(t && !isTest(t) && t.reason).toBe('insufficient_data');
  });

  it('treats a missing hour as a gap, never as zero', () => {
    const series = history(6);
    series.delete(END - HOUR);
    expect(testSigma('answer', metric('calls.total'), series, END, 1, opts)).toBeNull();
  });

  it('daily totals compare the trailing 24h with the same 24h of earlier weeks', () => {
    const t = testSigma('answer', metric('calls.total'), history(6), END, 24, opts);
    expect(isTest(t) && t.subject).toBe('calls.total@24h');
  });
});
