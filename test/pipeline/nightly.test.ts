import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { configSchema } from '../../src/config/schema.ts';
import { nightlyPipeline, nightlyStatus, partRun } from '../../src/pipeline/nightly.ts';
import { getPipeline } from '../../src/pipeline/registry.ts';
import { exitCodeForReport, readReport } from '../../src/pipeline/run-core.ts';
import { runInline } from '../../src/pipeline/run-inline.ts';
import type { PipelineContext, RunRequest } from '../../src/pipeline/types.ts';
import type { RunReport } from '../../src/report/types.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import { hourRecords } from '../drift/helpers.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 0);
const HOURS = 96;
const END = T0 + HOURS * HOUR;

let dir: string;
let ctx: PipelineContext;
const routed: RunReport[] = [];

function nightly(): RunRequest {
  return { runId: 'nightly-20260306T0000Z-24h', pipeline: 'nightly', window: { start: END - 24 * HOUR, end: END }, requestedAt: END };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evalwatch-nightly-'));
  const tpl = keyTemplate('hive');
  for (let i = 0; i < HOURS; i++) {
    const h = T0 + i * HOUR;
    const rows = hourRecords(h, 500 + i, { rows: 60 });
    const folder = join(dir, 'captures', tpl.prefixFor(h));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'part-0.jsonl'), rows.map(({ ts: _t, weight: _w, population: _p, ...r }) => JSON.stringify(r)).join('\n'));
  }
  // No judge endpoint and no API key: the judge part cannot measure, and must say so.
  const config = configSchema.parse({ store: { kind: 'fs', path: join(dir, 'results') }, captures: { source: { kind: 'fs', path: join(dir, 'captures') } } });
  ctx = {
    config,
    source: createFsSource({ root: join(dir, 'captures'), keyTemplate: 'hive' }),
    store: createFsStore({ root: join(dir, 'results') }),
    now: () => END + 5 * 60_000,
    logger: silentLogger(),
    onReport: async (report) => {
      routed.push(report);
    },
  };
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nightly pipeline', () => {
  it('runs the parts under the ids their own schedules use, and routes one report', async () => {
    // A separate daily drift schedule already ran the same window: nightly must reuse it.
    const drift = partRun(nightly(), 'drift');
    expect(drift.runId).toBe('drift-20260306T0000Z-24h');
    const { onReport: _no, ...plain } = ctx;
    // History first, as `evalwatch demo` does: baselines read the stored hourly aggregates.
    const backfill: RunRequest = { runId: 'drift-backfill', pipeline: 'drift', window: { start: T0, end: END - 24 * HOUR }, requestedAt: END };
    await runInline(plain, await getPipeline('drift'), backfill);
    const first = await runInline(plain, await getPipeline('drift'), drift);

    const { report } = await runInline(ctx, nightlyPipeline, nightly());
    const parts = (report.sections.nightly as { parts: { pipeline: string; runId: string; status: string; reused: boolean }[] }).parts;
    expect(parts.map((p) => p.pipeline).slice(0, 2)).toEqual(['drift', 'judge']);
    expect(parts[0]).toMatchObject({ runId: 'drift-20260306T0000Z-24h', reused: true, status: first.report.status });
    expect(parts[1]!.runId).toBe('judge-20260306T0000Z-24h');
    expect(await readReport(ctx, partRun(nightly(), 'judge'))).not.toBeNull();
    // Parts are not alerted on their own: only the nightly report reaches the alert hook.
    expect(routed.map((r) => r.pipeline)).toEqual(['nightly']);
    expect(report.input.records).toBe(first.report.input.records);
    const fingerprints = new Set(report.findings.map((f) => f.fingerprint));
    for (const f of first.report.findings) expect(fingerprints.has(f.fingerprint)).toBe(true);
  }, 120_000);

  it('is degraded, not ok, when a part could not measure, and says which', async () => {
    const report = (await readReport(ctx, nightly()))!;
    const judge = (report.sections.nightly as { parts: { pipeline: string; status: string }[] }).parts.find((p) => p.pipeline === 'judge')!;
    expect(judge.status).toBe('unmeasurable');
    expect(report.status).toBe('degraded');
    expect(report.statusReasons.some((r) => r.startsWith('judge: '))).toBe(true);
  });

  it('re-runs its parts under re-run ids of their own when nightly is forced again', async () => {
    const { rerunId } = await import('../../src/queue/names.ts');
    const again = { ...nightly(), runId: rerunId(nightly().runId, Date.UTC(2026, 2, 6, 9)) };
    expect(partRun(again, 'drift').runId).toBe('drift-20260306T0000Z-24h.r20260306T090000000Z');
    expect(partRun(nightly(), 'drift').runId).toBe('drift-20260306T0000Z-24h');
  });

  it('derives its status from the parts', () => {
    const acc = { planned: 1, done: 1, failed: [] };
    expect(nightlyStatus(['ok', 'ok'], acc)).toBe('ok');
    expect(nightlyStatus(['ok', 'unmeasurable'], acc)).toBe('degraded');
    expect(nightlyStatus(['degraded', 'ok'], acc)).toBe('degraded');
    expect(nightlyStatus(['unmeasurable', 'unmeasurable'], acc)).toBe('unmeasurable');
    expect(nightlyStatus(['failed', 'failed'], acc)).toBe('failed');
    expect(nightlyStatus([], { planned: 1, done: 0, failed: [{ unitId: 'parts', keys: [], error: 'boom' }] })).toBe('unmeasurable');
  });

  it('exits 1 on a confirmed golden regression inside a nightly run, like golden itself', () => {
    const finding = { kind: 'golden.regression', state: 'firing' } as RunReport['findings'][number];
    expect(exitCodeForReport({ status: 'degraded', pipeline: 'nightly', findings: [finding] })).toBe(1);
    expect(exitCodeForReport({ status: 'ok', pipeline: 'drift', findings: [finding] })).toBe(0);
  });
});
