import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedReport, writeReport } from '../../../src/pipeline/run-core.ts';
import type { RunRequest } from '../../../src/pipeline/types.ts';
import { findingId } from '../../../src/alerts/router.ts';
import { ecdfSpec } from '../../../src/report/html/charts.ts';
import { CLIENT_JS } from '../../../src/report/html/client.ts';
import { escapeHtml, safeHref, scriptJson } from '../../../src/report/html/escape.ts';
import { findingAnchor, htmlKeyFor, renderReportHtml, writeReportHtml } from '../../../src/report/html/index.ts';
import { REPORT_SCHEMA_VERSION, type Finding, type RunReport } from '../../../src/report/types.ts';
import { createFsStore } from '../../../src/store/fs-store.ts';
import type { ResultsStore } from '../../../src/store/types.ts';
import { poison, XSS } from './payloads.ts';

const T = Date.UTC(2026, 10, 23, 14);

function finding(over: Partial<Finding>): Finding {
  return {
    fingerprint: 'abc123',
    kind: 'drift.numeric',
    severity: 'warning',
    route: 'answer',
    subject: 'output_tokens',
    summary: 'answer: output tokens p50 166 → 219 (+32%)',
    stats: { test: 'ks', statistic: 0.29, pValue: 1e-9, qValue: 2e-8, n: 145, m: 9714, effect: { ksD: 0.29 } },
    baseline: { p50: 166, chart: { p: [0, 0.5, 1], x: [10, 166, 900] } },
    current: { p50: 219, chart: { p: [0, 0.5, 1], x: [12, 219, 1100] } },
    examples: ['req-1'],
    links: [],
    state: 'firing',
    ...over,
  };
}

function sampleReport(): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: 'drift-1',
    pipeline: 'drift',
    window: { start: new Date(T - 3_600_000).toISOString(), end: new Date(T).toISOString() },
    startedAt: new Date(T).toISOString(),
    finishedAt: new Date(T + 60_000).toISOString(),
    status: 'degraded',
    statusReasons: ['baseline history covers 30% of 7d'],
    input: { objects: 2, objectsRead: 2, records: 300, populationRecords: 298, estimatedCalls: 298, rejected: { schema_invalid: 1 }, quarantined: 1, bytes: 1000 },
    coverage: { objects: 2, objectsRead: 2, unitsPlanned: 2, unitsDone: 2, unitsFailed: 0 },
    findings: [
      finding({}),
      finding({
        fingerprint: 'rate1',
        kind: 'drift.rate',
        subject: 'refusal',
        stats: { test: 'fisher_exact', pValue: 1e-4, n: 90, m: 1000 },
        baseline: { rate: 0.016, rateLow: 0.01, rateHigh: 0.025 },
        current: { rate: 0.13, rateLow: 0.08, rateHigh: 0.21 },
      }),
      finding({
        fingerprint: 'sig1',
        kind: 'drift.sigma',
        subject: 'calls.total',
        stats: { test: 'sigma_trailing', pValue: 1e-7 },
        baseline: { expected: 100 },
        current: { value: 300, chart: { t0: T - 3 * 3_600_000, step: 3_600_000, y: [100, 90, 110, 300], lo: [60, 60, 60, 60], hi: [140, 140, 140, 140], expected: [100, 100, 100, 100], sigma: 3 } },
      }),
    ],
    unmeasured: [{ route: 'chat', subject: 'refusal', reason: 'insufficient_data', detail: 'n = 3 vs 40' }],
    sections: { drift: { alpha: 0.01, tests: 3, breaches: 3, results: [] }, experimental: { hello: 'world' } },
  };
}

describe('renderReportHtml', () => {
  const html = renderReportHtml(sampleReport(), { jsonLocation: '/tmp/r/report.json' });

  it('is one self-contained page: scripts and styles inline, nothing fetched', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).toContain('uPlot');
  });

  it('shows status, reasons, window, coverage, input and quarantine counts, unmeasured tests', () => {
    expect(html).toContain('DEGRADED');
    expect(html).toContain('baseline history covers 30% of 7d');
    expect(html).toContain('2026-11-23T13:00:00.000Z');
    expect(html).toContain('schema_invalid 1');
    expect(html).toMatch(/quarantined<\/dt><dd>1</);
    expect(html).toContain('n = 3 vs 40');
    expect(html).toContain('/tmp/r/report.json');
  });

  it('gives every finding an anchor derived from its fingerprint, linked from the list at the top', () => {
    for (const fp of ['abc123', 'rate1', 'sig1']) {
      expect(html).toContain(`id="${findingAnchor(fp)}"`);
      expect(html).toContain(`href="#${findingAnchor(fp)}"`);
    }
  });

  it('registers one chart per drift finding and shows unknown sections as escaped JSON', () => {
    const data = JSON.parse(/<script type="application\/json" id="ew-charts">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}') as Record<string, { type: string }>;
    expect(Object.values(data).map((s) => s.type)).toEqual(['ecdf', 'bars', 'band']);
    expect(html).toContain('experimental (raw)');
    expect(html).toContain('&quot;hello&quot;: &quot;world&quot;');
  });

  it('escapes every capture-derived string (XSS payloads in routes, summaries, ids, labels, sections)', () => {
    const hostile = renderReportHtml(poison(sampleReport()));
    for (const payload of XSS) expect(hostile).not.toContain(payload);
    expect(hostile).not.toMatch(/<img src=x/i);
    expect(hostile).not.toMatch(/<svg onload/i);
    expect(hostile).not.toContain('javascript:');
    expect(hostile).toContain(escapeHtml(XSS[0]));
    // Only our three script elements: the data block, uPlot and the chart script.
    expect(hostile.match(/<script\b/gi)).toHaveLength(3);
    // The data block cannot be closed early by a label.
    const block = /<script type="application\/json" id="ew-charts">([\s\S]*?)<\/script>/.exec(hostile)?.[1] ?? '';
    expect(() => JSON.parse(block)).not.toThrow();
  });

  it('renders a failed run (no findings, no sections)', () => {
    const run: RunRequest = { runId: 'drift-x', pipeline: 'drift', window: { start: T - 3_600_000, end: T }, requestedAt: T };
    const page = renderReportHtml(failedReport(run, 3, new Error('disk <full>'), T));
    expect(page).toContain('FAILED');
    expect(page).toContain('disk &lt;full&gt;');
    expect(page).toContain('No finding in this run.');
  });
});

describe('pipeline sections', () => {
  it('golden: flips as a table of expected vs got vs the baseline output, escaped, with a pass-rate chart', () => {
    const r = sampleReport();
    const rate = (pass: number, n: number) => ({ pass, fail: n - pass, measured: n, rate: pass / n, lower: 0.5, upper: 0.95 });
    r.sections = {
      golden: {
        suites: [
          {
            suite: 'support',
            file: 'golden/support.yaml',
            target: 'prod',
            cases: 40,
            calls: 44,
            verdict: {
              verdict: 'regression',
              reason: '4 confirmed regressions of 40 paired cases',
              passRate: rate(30, 40),
              baselinePassRate: rate(34, 40),
              unmeasured: { count: 0, byKind: {} },
              paired: { n: 40 },
              flips: [{ caseId: 'refund-<b>', direction: 'regression', confirmation: 'confirmed', expected: 'Refunds take 5 days', got: '<script>alert(1)</script>', baselineOutput: 'Refunds take 5 business days', reasons: ['contains "5 days"'] }],
              mcnemar: null,
            },
            flipsTotal: 1,
            failing: ['refund-<b>'],
            failingTotal: 1,
          },
        ],
        errors: [],
        warnings: [{ file: 'golden/support.yaml', line: 3, message: 'tests[0]: no id' }],
      },
    };
    const page = renderReportHtml(r);
    expect(page).toContain('Golden sets');
    expect(page).toMatch(/<th>expected<\/th><th>got<\/th><th>baseline output<\/th>/);
    expect(page).toContain('Refunds take 5 days');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('refund-&lt;b&gt;');
    expect(page).toContain('golden/support.yaml:3');
    expect(page).toContain('Golden pass rates: baseline run vs this run');
  });

  it('slo and cost: budget/burn table, cost by route chart', () => {
    const r = sampleReport();
    r.sections = {
      slo: { slos: [{ name: 'availability', kind: 'record', route: '*', objective: 'status 2xx', target: 0.99, period: '30d', status: 'burning', budget: { status: 'measured', consumed: 1.13, remaining: -0.13 }, windows: [{ window: '1h', status: 'measured', burnRate: 14.2 }], rules: [{ rule: 'page', severity: 'critical', factor: 14.4, status: 'firing', long: {}, short: {} }], exhaustsInHours: 0 }] },
      cost: { total: { usd: 7.97, se: 0.1, requests: 3302, costPerRequest: 0.0024, unpricedRows: 0, unpricedShare: 0, rows: 3302 }, byDimension: { route: [{ value: 'answer', usd: 6.1, se: 0.05, share: 0.77, requests: 1145, costPerRequest: 0.0053 }] } },
    };
    const page = renderReportHtml(r);
    expect(page).toContain('113% used, −13% left'.replace('−', '-'));
    expect(page).toContain('1h 14.2×');
    expect(page).toContain('page (critical, ≥ 14.4×)');
    expect(page).toContain('Cost by route in the window');
    expect(page).toContain('SLO error budget consumed');
  });
});

describe('escaping helpers', () => {
  it('escapeHtml escapes markup and quotes, and replaces lone surrogates', () => {
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
    expect(escapeHtml('a\uD800b')).toBe('a\uFFFDb');
    expect(escapeHtml(undefined)).toBe('');
  });

  it('scriptJson cannot close a script element or open a comment', () => {
    const s = scriptJson({ a: '</script><!-- \u2028 &' });
    expect(s).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(s)).toEqual({ a: '</script><!-- \u2028 &' });
  });

  it('safeHref keeps http(s) and fragments only', () => {
    expect(safeHref('https://a.example/x?y=1')).toBe('https://a.example/x?y=1');
    expect(safeHref('#f-1')).toBe('#f-1');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref(' JaVaScRiPt:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,<b>')).toBeUndefined();
    expect(safeHref('/relative')).toBeUndefined();
  });

  it('findingAnchor is a URL-safe hash of the fingerprint, equal to the id alerts key incident members by', () => {
    for (const fp of ['095db3d94797906c', 'judge.quality:helpful:chat:tone', 'judge.quality:r:route with space <x>#y:d']) {
      expect(findingAnchor(fp)).toMatch(/^f[0-9a-f]{16}$/);
      expect(findingAnchor(fp)).toBe(findingId(fp));
    }
    expect(findingAnchor('a')).not.toBe(findingAnchor('b'));
  });
});

describe('the page script', () => {
  it('parses as a script (it is a string to TypeScript)', () => {
    expect(() => new Function(CLIENT_JS)).not.toThrow();
  });
});

describe('ecdfSpec', () => {
  it('puts both quantile functions on one ascending axis as step ECDFs', () => {
    const spec = ecdfSpec(
      [
        { label: 'baseline', q: { p: [0, 0.5, 1], x: [1, 2, 3] } },
        { label: 'window', q: { p: [0, 0.5, 1], x: [2, 4, 6] } },
      ],
      'x',
    );
    expect(spec?.x).toEqual([1, 2, 3, 4, 6]);
    expect(spec?.series[0]?.y).toEqual([0, 0.5, 1, 1, 1]);
    expect(spec?.series[1]?.y).toEqual([0, 0, 0, 0.5, 1]);
  });
});

describe('writing report.html', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evalwatch-html-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('htmlKeyFor puts the page beside the JSON', () => {
    expect(htmlKeyFor('runs/2026-11-23/drift-1/report.json')).toBe('runs/2026-11-23/drift-1/report.html');
  });

  it('writeReport writes report.html next to report.json', async () => {
    const store = createFsStore({ root: dir, fsync: false });
    const run: RunRequest = { runId: 'drift-1', pipeline: 'drift', window: { start: T - 3_600_000, end: T }, requestedAt: T };
    const key = await writeReport({ store }, run, sampleReport());
    const page = await readFile(join(dir, htmlKeyFor(key)), 'utf8');
    expect(page).toContain(`id="${findingAnchor('abc123')}"`);
  });

  it('a rendering or write failure is logged and does not fail the run', async () => {
    const fs = createFsStore({ root: dir, fsync: false });
    const failing: ResultsStore = {
      ...fs,
      async put(key, body, opts) {
        if (key.endsWith('.html')) throw new Error('disk full');
        return fs.put(key, body, opts);
      },
    };
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o) } as never;
    const run: RunRequest = { runId: 'drift-2', pipeline: 'drift', window: { start: T - 3_600_000, end: T }, requestedAt: T };
    const key = await writeReport({ store: failing, logger }, run, sampleReport());
    expect(await fs.get(key)).not.toBeNull();
    expect(await fs.get(htmlKeyFor(key))).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(await writeReportHtml(failing, key, sampleReport())).toBeUndefined();
  });
});
