import { emptyIngestCounts } from '../../src/captures/ingest-stats.ts';
import type { Finding, RunReport } from '../../src/report/types.ts';

export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-11-23T00:00:00Z');

/** A drift-like finding; override anything. */
export function finding(over: Partial<Finding> & { subject?: string; route?: string } = {}): Finding {
  const route = over.route ?? 'chat';
  const subject = over.subject ?? 'output_tokens';
  const kind = over.kind ?? 'drift.numeric';
  return {
    fingerprint: over.fingerprint ?? `${kind}|${route}|${subject}`,
    kind,
    severity: 'warning',
    route,
    subject,
    summary: `${route}: ${subject} p50 312 → 420 (+35%); KS D = 0.21, q < 1e-6; n = 4,812 vs 31,204`,
    stats: { test: 'ks2samp', statistic: 0.21, pValue: 1e-9, qValue: 1e-7, effect: { ksD: 0.21, wasserstein: 0.15 }, n: 4812, m: 31204 },
    baseline: { p50: 312, p95: 801, models: { 'gpt-4o-2024-08-06': 31204 }, promptTemplateVersions: { v12: 31204 } },
    current: { p50: 420, p95: 990, models: { 'gpt-4o-2024-11-20': 4812 }, promptTemplateVersions: { v12: 4000, v13: 812 } },
    examples: ['req-1', 'req-2', 'req-3'],
    links: [],
    state: 'firing',
    ...over,
  };
}

/** An hourly drift report ending at `end`. */
export function report(end: number, findings: Finding[], over: Partial<RunReport> = {}): RunReport {
  const pipeline = over.pipeline ?? 'drift';
  const runId = `${pipeline}-${new Date(end).toISOString().replace(/[-:.]/g, '')}-1h`;
  return {
    schemaVersion: 1,
    runId,
    pipeline,
    window: { start: new Date(end - HOUR).toISOString(), end: new Date(end).toISOString() },
    startedAt: new Date(end).toISOString(),
    finishedAt: new Date(end + 60_000).toISOString(),
    status: 'ok',
    statusReasons: [],
    input: emptyIngestCounts(),
    coverage: { objects: 1, objectsRead: 1, unitsPlanned: 1, unitsDone: 1, unitsFailed: 0 },
    findings,
    unmeasured: [],
    sections: {},
    ...over,
  };
}
