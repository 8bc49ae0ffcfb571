import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { costAnomalies } from '../../src/slo/anomaly.ts';
import { decompose, explain } from '../../src/slo/decompose.ts';
import type { HourSummary } from '../../src/slo/history.ts';
import { mulberry32 } from '../../src/stats/index.ts';
import { cell, summary } from './helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Date.UTC(2026, 2, 30);
const P_IN = 2.5e-6;
const P_OUT = 10e-6;

interface Today {
  requests?: number;
  inTok?: number;
  outTok?: number;
  pOut?: number;
}

/**
 * Five weeks of hourly history for route `answer` (and a steady `chat`): ~1,000 requests a day
 * with ±3% day-to-day noise, 300 input and 200 output tokens per request, gpt-4o list prices.
 * The last day is scaled by `today`.
 */
function history(today: Today): Map<number, HourSummary> {
  const u = mulberry32(11);
  const hours = new Map<number, HourSummary>();
  for (let d = END - 35 * DAY; d < END; d += DAY) {
    const last = d === END - DAY;
    const noise = 1 + 0.06 * (u() - 0.5);
    for (let h = d; h < d + DAY; h += HOUR) {
      const answer = cell({
        requests: Math.round((1000 / 24) * noise * (last ? (today.requests ?? 1) : 1)),
        inTok: 300 * (last ? (today.inTok ?? 1) : 1),
        outTok: 200 * (last ? (today.outTok ?? 1) : 1),
        pIn: P_IN,
        pOut: P_OUT * (last ? (today.pOut ?? 1) : 1),
      });
      const chat = cell({ requests: Math.round((500 / 24) * noise), inTok: 100, outTok: 100, pIn: P_IN, pOut: P_OUT });
      const s = summary(h, { answer, chat });
      s.costliest = { answer: [[0.01, `big-${h}`]] };
      hours.set(h, s);
    }
  }
  return hours;
}

const config = configSchema.parse({});
const run = (hours: Map<number, HourSummary>, priceEvents = [] as Parameters<typeof costAnomalies>[0]['priceEvents']) =>
  costAnomalies({ hours, end: END, routes: ['answer', 'chat'], cost: config.cost, drift: config.drift, priceEvents, modelsByRoute: new Map([['answer', new Set(['gpt-4o'])]]) });

describe('cost anomaly decomposition (hand-computed)', () => {
  it('splits a cost change into requests × tokens per request × price', () => {
    const base = cell({ requests: 1000, inTok: 300, outTok: 200, pIn: P_IN, pOut: P_OUT });
    const cur = cell({ requests: 1020, inTok: 300, outTok: 256, pIn: P_IN, pOut: P_OUT });
    const d = decompose(cur, base)!;
    // Baseline cost per request 300·2.5e-6 + 200·1e-5 = 0.00275, output share 0.002/0.00275 = 8/11.
    expect(d.requests).toBeCloseTo(1.02, 12);
    expect(d.outputTokensPerRequest).toBeCloseTo(1.28, 12);
    expect(d.inputTokensPerRequest).toBeCloseTo(1, 12);
    expect(d.tokens).toBeCloseTo(3 / 11 + (8 / 11) * 1.28, 6);
    expect(d.price).toBeCloseTo(1, 6);
    expect(d.contributions.traffic + d.contributions.tokens + d.contributions.price).toBeCloseTo(Math.log(cur.usd / base.usd), 5);
    expect(d.cause).toBe('tokens');
    expect(explain(d, 0.05, [])).toBe('requests +2.0%, output tokens per request +28% — a prompt or model change, not traffic');
  });

  it('names traffic when requests moved and tokens did not, and price when cost per token moved', () => {
    const base = cell({ requests: 1000, inTok: 300, outTok: 200, pIn: P_IN, pOut: P_OUT });
    const traffic = decompose(cell({ requests: 1400, inTok: 300, outTok: 200, pIn: P_IN, pOut: P_OUT }), base)!;
    expect(traffic.cause).toBe('traffic');
    expect(explain(traffic, 0.05, [])).toMatch(/^requests \+40% — more traffic, not longer prompts or answers/);
    const price = decompose(cell({ requests: 1000, inTok: 300, outTok: 200, pIn: P_IN * 2, pOut: P_OUT * 2 }), base)!;
    expect(price.cause).toBe('price');
    expect(price.price).toBeCloseTo(2, 12);
    const ev = [{ model: 'gpt-4o', at: '2026-03-29T00:00:00.000Z', before: null, after: null }];
    expect(explain(price, 0.05, ev)).toBe('requests +0.0%, cost per token ×2.0 — a price change (gpt-4o on 2026-03-29; a pricing-table event, not drift)');
  });
});

describe('cost anomalies on generated history', () => {
  it('finds a daily cost jump driven by longer answers and says why', () => {
    const res = run(history({ requests: 1.02, outTok: 1.45 }));
    const f = res.findings.find((x) => x.fingerprint === 'cost.anomaly:answer:cost.total');
    expect(f, JSON.stringify(res.tests)).toBeDefined();
    expect(f?.kind).toBe('cost.anomaly');
    expect(f?.stats.test).toBe('sigma_seasonal');
    expect(f?.summary).toMatch(/^answer: daily cost \+3\d% \(normally \$\d+\.\d\d, today \$\d+\.\d\d\); requests \+\d\.\d%, output tokens per request \+45% — a prompt or model change, not traffic; z = /);
    expect(f?.examples[0]).toMatch(/^big-/);
    expect((f?.current.decomposition as { cause: string }).cause).toBe('tokens');
    // chat did not change: tested, no finding.
    expect(res.tests.some((t) => t.route === 'chat' && t.subject === 'cost.total')).toBe(true);
    expect(res.findings.some((x) => x.route === 'chat')).toBe(false);
  });

  it('finds nothing on an ordinary day, and is insufficient_data without history', () => {
    expect(run(history({})).findings).toEqual([]);
    const short = new Map([...history({})].filter(([h]) => h >= END - 2 * DAY));
    const res = run(short);
    expect(res.tests).toEqual([]);
    expect(res.unmeasured.length).toBeGreaterThan(0);
    expect(res.unmeasured.every((u) => u.reason === 'insufficient_data')).toBe(true);
  });

  it('attributes a price change to the pricing table, never to traffic', () => {
    const ev = [{ model: 'gpt-4o', at: new Date(END - DAY).toISOString(), before: null, after: null }];
    const res = run(history({ pOut: 1.6 }), ev);
    const f = res.findings.find((x) => x.fingerprint === 'cost.anomaly:answer:cost.total');
    expect(f?.summary).toContain('a price change (gpt-4o on 2026-03-29; a pricing-table event, not drift)');
  });
});
