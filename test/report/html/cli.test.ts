import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../src/pipeline/run-core.ts';
import { runReportKey } from '../../../src/pipeline/run-keys.ts';
import type { RunRequest } from '../../../src/pipeline/types.ts';
import { findingAnchor } from '../../../src/report/html/index.ts';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../../../src/report/types.ts';
import { createFsStore } from '../../../src/store/fs-store.ts';
import { createS3Store } from '../../../src/store/s3-store.ts';
import { startS3TestSetup, type S3TestSetup } from '../../helpers/s3-server.ts';

/** `evalwatch report <run-id|latest> --html | --open`, through the real binary. */

const BIN = fileURLToPath(new URL('../../../bin/evalwatch.js', import.meta.url));
const HOUR = 3_600_000;
const END = Date.UTC(2026, 10, 23, 14);

function runOf(id: string, end = END): RunRequest {
  return { runId: id, pipeline: 'drift', window: { start: end - HOUR, end }, requestedAt: end };
}

function reportOf(run: RunRequest): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: run.runId,
    pipeline: 'drift',
    window: { start: new Date(run.window.start).toISOString(), end: new Date(run.window.end).toISOString() },
    startedAt: new Date(run.window.end).toISOString(),
    finishedAt: new Date(run.window.end + 60_000).toISOString(),
    status: 'ok',
    statusReasons: [],
    input: { objects: 1, objectsRead: 1, records: 10, populationRecords: 10, estimatedCalls: 10, rejected: {}, quarantined: 0, bytes: 1 },
    coverage: { objects: 1, objectsRead: 1, unitsPlanned: 1, unitsDone: 1, unitsFailed: 0 },
    findings: [{ fingerprint: 'fp-1', kind: 'drift.rate', severity: 'warning', route: 'chat', subject: 'refusal', summary: 'chat: refusal rate 1% → 4%', stats: { test: 'two_proportion_z' }, baseline: { rate: 0.01 }, current: { rate: 0.04 }, examples: [], links: [] }],
    unmeasured: [],
    sections: {},
  };
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, EVALWATCH_LOG_LEVEL: 'silent', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process (the S3 test server runs in it). */
function cliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, EVALWATCH_LOG_LEVEL: 'silent', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let results: string;
let config: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-report-cli-'));
  results = path.join(dir, 'results');
  config = path.join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ store: { kind: 'fs', path: results } }));
  const store = createFsStore({ root: results, fsync: false });
  await writeReport({ store }, runOf('drift-new'), reportOf(runOf('drift-new')));
  // A report from before HTML pages existed: JSON only, one day older.
  const old = runOf('drift-old', END - 24 * HOUR);
  await store.put(runReportKey(old), JSON.stringify(reportOf(old)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evalwatch report --html / --open', () => {
  it('the summary names the page next to the JSON', () => {
    const r = cli(['report', 'latest', '--config', config], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`page     ${path.join(results, 'runs', '2026-11-23', 'drift-new', 'report.html')} (--open to open it)`);
  });

  it('--html prints the path of report.html on the fs store', () => {
    const r = cli(['report', 'latest', '--html', '--config', config], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(results, 'runs', '2026-11-23', 'drift-new', 'report.html'));
  });

  it('--html writes the page of an older JSON-only report first', async () => {
    const r = cli(['report', 'drift-old', '--html', '--config', config], dir);
    expect(r.code).toBe(0);
    const page = await readFile(r.stdout.trim(), 'utf8');
    expect(page).toContain(`id="${findingAnchor('fp-1')}"`);
  });

  it('--open runs the platform opener on the page', async () => {
    const bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    const log = path.join(dir, 'opened.txt');
    await writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${log}'\n`);
    await chmod(path.join(bin, 'xdg-open'), 0o755);
    const r = cli(['report', 'drift-new', '--open', '--config', config], dir, { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    expect(r.code).toBe(0);
    const page = path.join(results, 'runs', '2026-11-23', 'drift-new', 'report.html');
    expect(r.stdout).toContain(`opened ${page}`);
    // The opener runs detached: wait for it.
    for (let i = 0; i < 50 && !(await stat(log).catch(() => null)); i++) await new Promise((res) => setTimeout(res, 50));
    expect(await readFile(log, 'utf8')).toBe(page);
  });

  it('--open prints the path when no opener is installed', async () => {
    const empty = path.join(dir, 'empty-path');
    await mkdir(empty, { recursive: true });
    const r = cli(['report', 'drift-new', '--open', '--config', config], dir, { PATH: empty });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(path.join(results, 'runs', '2026-11-23', 'drift-new', 'report.html'));
    expect(r.stdout).toContain('no xdg-open/open/start');
  });

  describe('on the S3 store', () => {
    let setup: S3TestSetup;
    let s3config: string;
    beforeAll(async () => {
      setup = await startS3TestSetup({ buckets: ['reports'] });
      s3config = path.join(dir, 's3.json');
      await writeFile(s3config, JSON.stringify({ store: { kind: 's3', bucket: 'reports', prefix: 'prod', endpoint: setup.s3.endpoint, forcePathStyle: true, region: 'us-east-1' }, alerts: { reportLinkExpiry: '2h' } }));
      const store = createS3Store({ client: setup.client, bucket: 'reports', prefix: 'prod' });
      await writeReport({ store }, runOf('drift-s3'), reportOf(runOf('drift-s3')));
    });
    afterAll(() => setup.stop());

    it('--html prints a presigned URL that opens the page', async () => {
      const r = await cliAsync(['report', 'drift-s3', '--html', '--config', s3config], dir);
      expect(r.code).toBe(0);
      const url = new URL(r.stdout.trim());
      expect(url.pathname).toBe('/reports/prod/runs/2026-11-23/drift-s3/report.html');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('7200');
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('drift-s3');
    });

    it('--open downloads the page to a temp file first', async () => {
      const r = await cliAsync(['report', 'drift-s3', '--open', '--config', s3config], dir, { PATH: path.join(dir, 'empty-path') });
      expect(r.code).toBe(0);
      const file = r.stdout.split('\n')[0] as string;
      expect(file).toMatch(/evalwatch-drift-s3\.html$/);
      expect(await readFile(file, 'utf8')).toContain(`id="${findingAnchor('fp-1')}"`);
    });
  });
});
