import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totalRejected } from '../../src/captures/ingest-stats.ts';
import { runDemo, type DemoResult } from '../../src/demo/run-demo.ts';
import { silentLogger } from '../../src/runtime/logger.ts';

/** The quick start's first command, end to end: generated traffic → drift runs → alerts in the sink. */
describe('evalwatch demo', () => {
  let dir: string;
  let result: DemoResult;
  let narrative = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-demo-'));
    const out = new Writable({
      write(chunk, _enc, done) {
        narrative += String(chunk);
        done();
      },
    });
    result = await runDemo({ dir, end: Date.UTC(2026, 10, 23, 14), days: 4, logger: silentLogger(), out });
  }, 240_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a copy of the bundled golden suites from its own folder', async () => {
    const copied = await readFile(path.join(dir, 'golden', 'support.yaml'), 'utf8');
    expect(copied.length).toBeGreaterThan(0);
  });

  it('writes captures in the production layout with malformed lines sprinkled in', () => {
    expect(result.traffic.records).toBeGreaterThan(10_000);
    expect(result.traffic.malformedLines).toBeGreaterThan(0);
    expect(result.traffic.keys[0]).toMatch(/^dt=2026-11-19\/hour=14\/part-\d+\.jsonl\.gz$/);
  });

  it('runs a backfill and one drift run per hour, each with a report in the store', () => {
    expect(result.reports.map((r) => r.run.runId)).toEqual([
      'drift-20261123T1100Z-93h',
      'drift-20261123T1200Z-1h',
      'drift-20261123T1300Z-1h',
      'drift-20261123T1400Z-1h',
      'golden-20261122T1400Z-24h',
      'golden-20261123T1400Z-24h',
      'slo-20261122T1400Z-3d',
      'slo-20261123T1400Z-24h',
    ]);
    expect(narrative).toMatch(/slo slo-20261123T1400Z-24h: \w+, \d+ findings\n {2}cost \$/);
    // The offline golden suites: last night was the baseline, tonight is compared with it.
    expect(narrative).toMatch(/golden run golden-20261123T1400Z-24h\n[\s\S]*\nsupport {2}INCONCLUSIVE {2}75%/);
    for (const r of result.reports) expect(r.location).toMatch(/report\.json$/);
    const last = result.reports.filter((r) => r.run.pipeline === 'drift').at(-1)!.report;
    expect(last.input.rejected).not.toEqual({});
    // Every rejected line of the hour is in quarantine, none dropped.
    expect(last.input.quarantined).toBe(totalRejected(last.input));
  });

  it('finds the injected answer-length incident and alerts on it', async () => {
    const findings = result.reports.flatMap((r) => r.report.findings);
    const answer = findings.filter((f) => f.route === 'answer' && /response chars|output tokens/.test(f.summary));
    expect(answer.length).toBeGreaterThan(0);
    expect(answer.some((f) => f.state === 'firing')).toBe(true);
    expect(answer[0]!.examples.length).toBeGreaterThan(0);
    const sink = await readFile(path.join(dir, 'alerts.jsonl'), 'utf8');
    expect(sink).toContain('answer');
    expect(narrative).toContain('[evalwatch alert');
  });
});

describe('evalwatch demo follow-ups', () => {
  it('leaves a config that points later commands at the demo data', async () => {
    const { loadConfig } = await import('../../src/config/load.ts');
    const { findReport } = await import('../../src/report/find.ts');
    const { createStore } = await import('../../src/runtime/context.ts');
    const { DEMO_CONFIG_FILE, writeDemoConfig } = await import('../../src/demo/run-demo.ts');
    const { parseConfig } = await import('../../src/config/load.ts');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-demo-config-'));
    try {
      const base = parseConfig({ routes: { classify_intent: { json: true } }, pricing: { models: { m: [{ inputPerMTok: 1, outputPerMTok: 2 }] } } }, 'test');
      await writeDemoConfig(dir, base);
      const { config } = await loadConfig({ path: path.join(dir, DEMO_CONFIG_FILE) });
      expect(config.store).toEqual({ kind: 'fs', path: path.join(dir, 'results') });
      expect(config.captures.source).toEqual({ kind: 'fs', path: path.join(dir, 'captures') });
      expect(config.routes.classify_intent?.json).toBe(true);
      expect(Object.keys(config.pricing.models)).toEqual(['m']);
      // Suites are a copy in the demo folder: `golden add` after the demo must not touch the package.
      expect(config.golden.suitesDir).toBe(path.join(dir, 'golden'));
      // The rubrics the demo judged with, wherever they were (here: the project's own evals/).
      expect(config.judge.rubricsDir).toBe(path.resolve('evals'));
      expect(await findReport(createStore(config), 'latest')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('evalwatch demo with a judge endpoint', () => {
  it('judges the last day through the configured OpenAI-compatible endpoint', async () => {
    const { startOpenAiServer } = await import('../helpers/openai-server.ts');
    const { parseConfig } = await import('../../src/config/load.ts');
    const server = await startOpenAiServer();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-demo-judge-'));
    try {
      const config = parseConfig(
        {
          judge: {
            baseURL: server.url,
            model: 'judge-test-2025-01-01',
            rubrics: ['relevance'],
            rateLimit: { requestsPerSecond: 1000, burst: 100 },
            sampling: { targetPerRoute: 10, minPerRoute: 5, flaggedPerRoute: 0 },
          },
        },
        'demo test',
      );
      let narrative = '';
      const out = new Writable({
        write(chunk, _enc, done) {
          narrative += String(chunk);
          done();
        },
      });
      const { reports } = await runDemo({ dir, end: Date.UTC(2026, 10, 23, 14), days: 2, hourlyRuns: 1, callsPerHour: 100, config, logger: silentLogger(), out });
      const judge = reports.find((r) => r.run.pipeline === 'judge');
      expect(judge, narrative).toBeDefined();
      expect(judge!.report.status, JSON.stringify(judge!.report.statusReasons)).toMatch(/^(ok|degraded)$/);
      expect(judge!.report.findings.filter((f) => f.kind.startsWith('judge.un'))).toEqual([]);
      expect(narrative).toMatch(/judge judge-20261123T1400Z-24h: /);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
