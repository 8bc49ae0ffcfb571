import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { configSchema } from '../../src/config/schema.ts';
import { runDriftInline } from '../../src/drift/pipeline.ts';
import type { PipelineContext, RunRequest } from '../../src/pipeline/types.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import { hourRecords } from './helpers.ts';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 2, 2, 0);
/** Hours of history the fixture stores before the drift begins. */
export const HISTORY_HOURS = 48;
/** The first hour whose output tokens are 35% longer. */
export const DRIFT_FROM = T0 + HISTORY_HOURS * HOUR;

/**
 * A drift run request over `hours` hours from `start`.
 *
 * @example
 * runDriftInline(ctx, driftRun(DRIFT_FROM));
 */
export function driftRun(start: number, hours = 1): RunRequest {
  return { runId: `drift-${start}-${hours}h`, pipeline: 'drift', window: { start, end: start + hours * HOUR }, requestedAt: start + hours * HOUR };
}

/** A fixture's folder and context; `results` is the store's folder. */
export interface DriftFixture {
  readonly dir: string;
  readonly results: string;
  readonly ctx: PipelineContext;
  dispose(): Promise<void>;
}

/**
 * Captures of 50 hours from T0 (two objects per hour, 200 rows per hour, output tokens +35% from
 * DRIFT_FROM, two bad lines in the first drifted hour) and 48 hours of history in an fs store,
 * written by one inline run over `[T0, DRIFT_FROM)`.
 *
 * @example
 * const fx = await createDriftFixture();
 */
export async function createDriftFixture(): Promise<DriftFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'evalwatch-drift-'));
  const tpl = keyTemplate('hive');
  for (let i = 0; i < HISTORY_HOURS + 2; i++) {
    const h = T0 + i * HOUR;
    const drift = h >= DRIFT_FROM;
    const rows = hourRecords(h, 1000 + i, { rows: 200, outputShift: drift ? Math.log(1.35) : 0 });
    const lines = rows.map(({ ts: _ts, weight: _w, population: _p, ...r }) => JSON.stringify(r));
    if (i === HISTORY_HOURS) lines.splice(3, 0, '{"request_id": "broken"', '{"timestamp": 5}');
    const folder = join(dir, 'captures', tpl.prefixFor(h));
    await mkdir(folder, { recursive: true });
    // Two objects per hour: units are per object and must merge into one hour.
    await writeFile(join(folder, 'part-0.jsonl'), `${lines.slice(0, 120).join('\n')}\n`);
    await writeFile(join(folder, 'part-1.jsonl'), `${lines.slice(120).join('\n')}\n`);
  }
  const results = join(dir, 'results');
  const ctx = driftContext(dir, results);
  // History: one 48h run persists every hour's aggregate.
  await runDriftInline(ctx, driftRun(T0, HISTORY_HOURS));
  return { dir, results, ctx, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A context over a fixture's captures and the fs store at `results` (a copy of the fixture's, say).
 *
 * @example
 * const ctx = driftContext(fx.dir, copyOfResults, logger);
 */
export function driftContext(dir: string, results: string, logger = pino({ level: 'silent' })): PipelineContext {
  return {
    config: configSchema.parse({}),
    source: createFsSource({ root: join(dir, 'captures') }),
    store: createFsStore({ root: results, fsync: false }),
    now: () => T0 + 1000 * HOUR,
    logger,
  };
}
