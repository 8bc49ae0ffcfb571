import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyIngestCounts } from '../../src/captures/ingest-stats.ts';
import { findReport, summarizeReport } from '../../src/report/find.ts';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../../src/report/types.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import type { ResultsStore } from '../../src/store/types.ts';

function report(runId: string, finishedAt: string, extra: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId,
    pipeline: 'drift',
    window: { start: '2026-11-23T13:00:00.000Z', end: '2026-11-23T14:00:00.000Z' },
    startedAt: finishedAt,
    finishedAt,
    status: 'ok',
    statusReasons: [],
    input: { ...emptyIngestCounts(), objects: 2, objectsRead: 2, records: 1200, populationRecords: 1190, estimatedCalls: 11900, rejected: { invalid_json: 3 }, quarantined: 3 },
    coverage: { objects: 2, objectsRead: 2, unitsPlanned: 2, unitsDone: 2, unitsFailed: 0 },
    findings: [],
    unmeasured: [],
    sections: {},
    ...extra,
  };
}

let dir: string;
let store: ResultsStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-report-'));
  store = createFsStore({ root: dir });
  await store.put('runs/2026-11-22/drift-a/report.json', JSON.stringify(report('drift-a', '2026-11-22T23:05:00Z')));
  await store.put('runs/2026-11-23/drift-b/report.json', JSON.stringify(report('drift-b', '2026-11-23T14:05:00Z')));
  await store.put('runs/2026-11-23/drift-c/report.json', JSON.stringify(report('drift-c', '2026-11-23T13:05:00Z')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findReport', () => {
  it('finds a run by id and the latest finished run of the newest day', async () => {
    expect((await findReport(store, 'drift-a'))?.report.runId).toBe('drift-a');
    expect((await findReport(store, 'latest'))?.report.runId).toBe('drift-b');
    expect(await findReport(store, 'nope')).toBeNull();
  });

  it('summarizes status, input, rejections and findings in a few lines', () => {
    const text = summarizeReport(
      report('drift-x', '2026-11-23T14:05:00Z', {
        findings: [
          {
            fingerprint: 'f1',
            kind: 'drift.numeric',
            severity: 'critical',
            route: 'answer',
            subject: 'output_tokens',
            summary: 'answer: output tokens p50 312 → 420 (+35%)',
            stats: { test: 'ks' },
            baseline: {},
            current: {},
            examples: [],
            links: [],
            state: 'firing',
          },
        ],
      }),
      '/tmp/r.json',
    );
    expect(text).toContain('drift run drift-x: OK');
    expect(text).toContain('1,200 records (1,190 population, ≈11,900 calls)');
    expect(text).toContain('rejected invalid_json 3 — 3 lines quarantined');
    expect(text).toContain('[critical/firing] answer: output tokens p50 312 → 420 (+35%)');
  });
});
