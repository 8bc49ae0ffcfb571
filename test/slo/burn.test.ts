import { describe, expect, it } from 'vitest';
import { budgetOf, burnRate, burnWindow, evaluateRule, timeToExhaustion, windowCounts, type EventSeries } from '../../src/slo/burn.ts';
import { evaluateSlo } from '../../src/slo/evaluate-slo.ts';
import { burnRules, sloSchema } from '../../src/slo/slo-config.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const END = Date.UTC(2026, 2, 31);

/**
 * A series with `perBucket` events in every 5-minute bucket of [END − days, END), of which
 * `bad(bucketStart)` are bad.
 */
function series(days: number, perBucket: number, bad: (t: number) => number): EventSeries {
  const buckets = new Map<number, [number, number, number]>();
  const hours = new Set<number>();
  for (let t = END - days * DAY; t < END; t += 5 * MIN) {
    const b = bad(t);
    buckets.set(t, [perBucket - b, perBucket, perBucket]);
    if (t % HOUR === 0) hours.add(t);
  }
  return { buckets, hours };
}

describe('burn-rate arithmetic (hand-computed)', () => {
  it('burn rate = bad share / allowed bad share', () => {
    expect(burnRate(990, 1000, 0.999)).toBeCloseTo(10, 10); // 1% bad, 0.1% allowed
    expect(burnRate(9856, 10000, 0.99)).toBeCloseTo(1.44, 10);
    expect(burnRate(1000, 1000, 0.999)).toBe(0);
  });

  it('budget: consumed = bad / ((1 − target) · total), remaining = 1 − consumed', () => {
    const b = budgetOf({ good: 9995, total: 10000, rows: 10000, coverage: 1 }, 0.999, 20);
    expect(b.allowedBad).toBeCloseTo(10, 10);
    expect(b.bad).toBeCloseTo(5, 10);
    expect(b.consumed).toBeCloseTo(0.5, 10);
    expect(b.remaining).toBeCloseTo(0.5, 10);
    const over = budgetOf({ good: 9970, total: 10000, rows: 10000, coverage: 1 }, 0.999, 20);
    expect(over.remaining).toBeCloseTo(-2, 10);
  });

  it('time to exhaustion = remaining · period / burn', () => {
    // Half the 30-day budget left, burning at 10×: 0.5 × 30 d / 10 = 1.5 days.
    expect(timeToExhaustion(0.5, 30 * DAY, 10)).toBeCloseTo(1.5 * DAY, 6);
    expect(timeToExhaustion(-0.1, 30 * DAY, 10)).toBe(0);
    expect(timeToExhaustion(0.5, 30 * DAY, 0)).toBeNull();
  });

  it('sums exactly the buckets of [end − window, end)', () => {
    const s = series(1, 10, (t) => (t >= END - HOUR ? 1 : 0));
    // The last hour: 12 buckets × 10 events, 12 bad.
    expect(windowCounts(s, END, HOUR)).toEqual({ good: 108, total: 120, rows: 120, coverage: 1 });
    // 5 minutes: one bucket.
    expect(windowCounts(s, END, 5 * MIN)).toEqual({ good: 9, total: 10, rows: 10, coverage: 1 });
  });
});

describe('multi-window rules', () => {
  const [pageFast, pageSlow, ticket] = burnRules({ period: '30d', alerts: undefined });

  it('fires the 14.4× page when both 1 h and 5 m burn at ≥ 14.4× (99.9% target)', () => {
    // 2% bad in the last hour = 20× burn; the rest of the 30 days clean.
    const s = series(30, 50, (t) => (t >= END - HOUR ? 1 : 0));
    const r = evaluateRule(pageFast!, s, END, 0.999, 20);
    expect(r.status).toBe('firing');
    expect(r.long.burnRate).toBeCloseTo(20, 8);
    expect(r.short.burnRate).toBeCloseTo(20, 8);
    // The 6h/30m page: 6 h burn = 20 × 1/6 ≈ 3.33 < 6, so it does not fire.
    const slow = evaluateRule(pageSlow!, s, END, 0.999, 20);
    expect(slow.long.burnRate).toBeCloseTo(20 / 6, 8);
    expect(slow.status).toBe('ok');
  });

  it('does not fire when the burn is over (long window high, short window clean)', () => {
    // 3% bad from 65 to 5 minutes before the end, then clean: 1 h burn = 30 × 55/60 = 27.5×, 5 m burn 0.
    const s = series(30, 50, (t) => (t >= END - 65 * MIN && t < END - 5 * MIN ? 1.5 : 0));
    const r = evaluateRule(pageFast!, s, END, 0.999, 20);
    expect(r.long.burnRate).toBeCloseTo((1.5 * 11) / 600 / 0.001, 8);
    expect(r.short.burnRate).toBe(0);
    expect(r.status).toBe('ok');
  });

  it('opens a ticket at 1× over 3 d and 6 h', () => {
    // 0.12% bad everywhere (0.06 of 50 weighted events per bucket) against 0.1% allowed: 1.2× in every window.
    const s = series(30, 50, () => 0.06);
    const r = evaluateRule(ticket!, s, END, 0.999, 20);
    expect(r.long.burnRate).toBeCloseTo(1.2, 8);
    expect(r.short.burnRate).toBeCloseTo(1.2, 8);
    expect(r.status).toBe('firing');
    expect(r.severity).toBe('warning');
  });

  it('is insufficient_data, not healthy, when a window has too few events or too little history', () => {
    const tiny = series(1, 1, () => 0);
    const w = burnWindow(tiny, END, '5m', 5 * MIN, 0.999, 20);
    expect(w.status).toBe('insufficient_data');
    expect(w.detail).toBe('1 events in 5m, need 20');
    expect(evaluateRule(pageFast!, tiny, END, 0.999, 20).status).toBe('insufficient_data');
    // 3-day window with one day of history: coverage 1/3 < 1/2.
    const short = series(1, 50, () => 0);
    const long = burnWindow(short, END, '3d', 3 * DAY, 0.999, 20);
    expect(long.status).toBe('insufficient_data');
    expect(long.detail).toBe('history covers 33% of the 3d window');
  });
});

describe('evaluateSlo', () => {
  const slo = sloSchema.parse({ name: 'availability', kind: 'availability', target: 0.999 });

  it('builds a critical slo.burn finding with burn rates, budget and time to exhaustion', () => {
    const s = series(30, 50, (t) => (t >= END - HOUR ? 1 : 0));
    const { result, finding } = evaluateSlo({ slo, series: s, end: END, skipped: 0, redefined: 0, badExamples: ['r-1', 'r-2'] });
    expect(result.status).toBe('burning');
    // Period: 30 d × 288 buckets × 50 = 432,000 events, 12 bad; allowed 432 → 2.78% used.
    expect(result.budget.total).toBe(432_000);
    expect(result.budget.consumed).toBeCloseTo(12 / 432, 9);
    // At the 1 h burn (20×): remaining × 720 h / 20.
    expect(result.exhaustsInHours).toBeCloseTo(((1 - 12 / 432) * 720) / 20, 2);
    expect(finding?.kind).toBe('slo.burn');
    expect(finding?.severity).toBe('critical');
    expect(finding?.fingerprint).toBe('slo.burn:availability');
    expect(finding?.examples).toEqual(['r-1', 'r-2']);
    expect(finding?.summary).toBe(
      'availability: error budget burning 20.0× over 1h and 20.0× over 5m (rule page-fast: ≥ 14.4×); 98% of requests met "downstream status 2xx/3xx" over 1h vs target 99.9%; 97% of the 30d budget left, gone in 35 h at this rate',
    );
  });

  it('reports insufficient_data with no finding on a tiny window', () => {
    const { result, finding } = evaluateSlo({ slo, series: series(1, 0.05, () => 0), end: END, skipped: 0, redefined: 0, badExamples: [] });
    expect(finding).toBeUndefined();
    expect(result.status).toBe('insufficient_data');
    expect(result.windows.every((w) => w.status === 'insufficient_data')).toBe(true);
  });
});

describe('evaluateSlo without a measured rule', () => {
  it('is insufficient_data, not ok, when the budget is measured but no rule can be evaluated', () => {
    const slo = sloSchema.parse({ name: 'quiet', kind: 'availability', target: 0.999, minEvents: 100 });
    // One event per 5 minutes: 8,640 over 30 days (budget measured), but 72 in 6 h and 12 in 1 h.
    const { result, finding } = evaluateSlo({ slo, series: series(30, 1, () => 0), end: END, skipped: 0, redefined: 0, badExamples: [] });
    expect(finding).toBeUndefined();
    expect(result.budget.status).toBe('measured');
    expect(result.rules.every((r) => r.status === 'insufficient_data')).toBe(true);
    expect(result.status).toBe('insufficient_data');
    expect(result.detail).toBe('no burn rule could be evaluated (page-fast: 12 events in 1h, need 100; page-slow: 72 events in 6h, need 100; ticket: 72 events in 6h, need 100)');
  });

  it('names the history coverage when the budget is spent over part of the period', () => {
    const slo = sloSchema.parse({ name: 'availability', kind: 'availability', target: 0.999 });
    // Four days of history at 20× in the last hour and 1.2× before it.
    const { finding } = evaluateSlo({ slo, series: series(4, 50, (t) => (t >= END - HOUR ? 1 : 0.06)), end: END, skipped: 0, redefined: 0, badExamples: [] });
    expect(finding?.summary).toMatch(/the 30d budget is spent \(\d+% used\) \(history covers 13% of the 30d\)$/);
  });
});
