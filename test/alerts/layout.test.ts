import { afterEach, describe, expect, it } from 'vitest';
import { renderIncident } from '../../src/alerts/blocks.ts';
import { resolveAlertsConfig } from '../../src/alerts/config.ts';
import { syncIncident } from '../../src/alerts/delivery.ts';
import { checkMessage } from '../../src/alerts/limits.ts';
import { fillTemplate, runbookAnchor } from '../../src/alerts/links.ts';
import { createRedactor } from '../../src/alerts/redact.ts';
import { routeFindings } from '../../src/alerts/router.ts';
import { createSlackClient, createWebApiPoster } from '../../src/alerts/slack.ts';
import { mulberry32 } from '../../src/stats/index.ts';
import type { Finding } from '../../src/report/types.ts';
import { finding, HOUR, report, T0 } from './fixtures.ts';
import { harness, type Harness } from './setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz ABC<>&*_~`|\n\t🙂日本語é€"\\{}';

/** Random text: slices of one random pool (cheap), so lone surrogates and markup land anywhere. */
function textSource(rand: () => number): (n: number) => string {
  let pool = '';
  for (let i = 0; i < 60_000; i++) pool += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return (n) => {
    const start = Math.floor(rand() * (pool.length - n));
    return pool.slice(start, start + n);
  };
}

/** 100 findings with 20 KB texts everywhere a text can go. */
function hugeFindings(rand: () => number, routes: number): Finding[] {
  const t = textSource(rand);
  const text = (_r: unknown, n: number) => t(n);
  return Array.from({ length: 100 }, (_, i) => {
    const big = () => t(20_000);
    return finding({
      route: `route-${i % routes}-<&>*_~${'ü'.repeat(40)}`,
      subject: `subject-${i}-${big()}`,
      summary: big(),
      kind: ['drift.numeric', 'drift.rate', 'drift.categorical', 'drift.sigma'][i % 4] as string,
      examples: Array.from({ length: 40 }, (_, j) => `req-${i}-${j}-${text(rand, 200)}`),
      current: {
        p50: rand() * 1000,
        [big()]: 5,
        snippets: Object.fromEntries(Array.from({ length: 12 }, (_, j) => [`req-${i}-${j}`, j < 2 ? big() : text(rand, 400)])),
        models: Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`model-${j}-${text(rand, 500)}`, j + 1])),
        templates: [{ label: text(rand, 2000), share: 0.5 }],
      },
      baseline: { p50: rand() * 1000, models: { [big()]: 3 } },
      stats: { test: big(), statistic: rand(), qValue: rand() / 1e7, effect: Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`e${j}${text(rand, 100)}`, rand()])), n: 5000, m: 20000 },
      links: Array.from({ length: 30 }, (_, j) => ({ label: j === 0 ? big() : text(rand, 100), url: `https://x.example.com/${j}?q=${'a'.repeat(j * 200)}` })),
    });
  });
}

describe('Block Kit layout within Slack limits', () => {
  it('renders 100 findings with 20 KB texts: 0 payloads over a limit, 0 rejected by the server', async () => {
    h = await harness({
      links: Array.from({ length: 30 }, (_, i) => ({ label: `Dashboard ${i} ${'x'.repeat(60)}`, url: `https://dash.example.com/d/${i}?route={route}&from={from}&to={to}&ids={request_ids}` })),
    });
    const rand = mulberry32(7);
    const poster = createWebApiPoster(createSlackClient({ token: 'xoxb-test', slackApiUrl: h.slack.url }));
    const redactor = createRedactor();
    for (const routes of [100, 1]) {
      const res = routeFindings({ runReport: report(T0 + routes * HOUR, hugeFindings(rand, routes)), now: T0 + routes * HOUR, config: { ...h.config, groupBy: 'route' }, incidents: [] });
      for (const a of res.actions) {
        const r = renderIncident(a.incident, { config: h.config, redactor });
        expect(checkMessage(r.main)).toEqual([]);
        for (const m of r.overflow) expect(checkMessage(m)).toEqual([]);
        await syncIncident({ store: h.store, poster, render: { config: h.config, redactor }, now: () => T0 }, a.incident);
      }
    }
    expect(h.slack.rejected()).toEqual([]);
    expect(h.slack.topLevel().length).toBe(100 + 1);
    // The single-route incident has 100 members: its overflow went to the thread.
    const big = h.slack.topLevel().at(-1)!;
    expect(h.slack.replies(big.ts).length).toBeGreaterThan(0);
  });

  it('says a dimension is unchanged rather than repeating the same mix on both sides', () => {
    const config = resolveAlertsConfig({});
    const same = [{ label: 'gpt-4o-2024-08-06', share: 1 }];
    const f = finding({ current: { p50: 420, models: same }, baseline: { p50: 312, models: same } });
    const res = routeFindings({ runReport: report(T0 + HOUR, [f]), now: T0 + HOUR, config, incidents: [] });
    const json = JSON.stringify(renderIncident(res.actions[0]!.incident, { config, redactor: createRedactor() }).main.blocks);
    expect(json).toContain('*models*: unchanged (`gpt-4o-2024-08-06` 100%)');
    expect(json).not.toContain('100% → ');
  });

  it('shows the numbers, why, what changed, examples, links and a runbook', () => {
    const config = resolveAlertsConfig({ links: [{ label: 'Logs', url: 'https://logs.example.com/?route={route}&from={from}&to={to}&ids={request_ids}' }] });
    const f = finding({
      current: { p50: 420, models: [{ label: 'gpt-4o-2024-11-20', share: 1 }], templates: [{ label: 'v13', share: 0.2 }, { label: 'v12', share: 0.8 }], snippets: { 'req-1': 'Sure! Here is a much longer answer than before…' } },
      baseline: { p50: 312, models: [{ label: 'gpt-4o-2024-08-06', share: 1 }], templates: [{ label: 'v12', share: 1 }] },
    });
    const res = routeFindings({ runReport: report(T0 + HOUR, [f]), now: T0 + HOUR, config, incidents: [] });
    const { main } = renderIncident(res.actions[0]!.incident, { config, redactor: createRedactor() });
    const json = JSON.stringify(main.blocks);
    expect(main.blocks[0]).toMatchObject({ type: 'header' });
    expect(json).toContain('WARNING · chat · drift.numeric · output_tokens');
    expect(json).toContain('312 → 420 (+34.6%)');
    expect(json).toContain('ksD 0.21');
    expect(json).toContain('new: `gpt-4o-2024-11-20`');
    expect(json).toContain('req-1');
    expect(json).toContain('<!date^');
    expect(json).toContain('https://logs.example.com/?route=chat&from=2026-11-23T00%3A00%3A00.000Z');
    expect(json).toContain('#output-length-drift');
  });

  it('fits link templates to 3,000 characters by dropping request ids, and maps runbooks', () => {
    const ctx = { route: 'chat', from: '2026-11-23T00:00:00.000Z', to: '2026-11-23T01:00:00.000Z', requestIds: Array.from({ length: 500 }, (_, i) => `request-${i}`), runId: 'r', kind: 'drift.rate', subject: 'refusal_rate' };
    const url = fillTemplate('https://x.example.com/?ids={request_ids}', ctx)!;
    expect(url.length).toBeLessThanOrEqual(3000);
    expect(url).toContain('request-0');
    expect(fillTemplate(`https://x.example.com/${'a'.repeat(3001)}`, ctx)).toBeUndefined();
    expect(runbookAnchor('drift.rate', 'refusal_rate')).toBe('refusal-spike');
    expect(runbookAnchor('drift.numeric', 'latency_to_first_token_ms')).toBe('latency-and-ttft-regressions');
    expect(runbookAnchor('judge.unhealthy', 'judge')).toBe('judge-unhealthy-or-unavailable');
    expect(runbookAnchor('slo.burn', 'availability')).toBe('slo-burn');
  });
});
