import { reportKey, segment, utcDay } from '../store/keys.ts';
import type { RunRequest } from './types.ts';

/**
 * Results-store keys of one run (DESIGN §4): `runs/<YYYY-MM-DD>/<run-id>/…`. The date is the UTC
 * day of the window end, not of the moment the run happened to start: a retried, duplicated or
 * late run must find the same folder, or its durable record would not dedupe anything.
 *
 * @example
 * runFolder(run); // 'runs/2026-11-23/drift-20261123T1400Z-1h'
 */
export function runFolder(run: Pick<RunRequest, 'runId' | 'window'>): string {
  return `runs/${utcDay(run.window.end)}/${segment('runId', run.runId)}`;
}

/**
 * The durable run record, written once with `putIfAbsent` when the run is planned.
 *
 * @example
 * await store.putIfAbsent(runRecordKey(run), JSON.stringify(record));
 */
export function runRecordKey(run: Pick<RunRequest, 'runId' | 'window'>): string {
  return `${runFolder(run)}/run.json`;
}

/**
 * The run report JSON.
 *
 * @example
 * await store.get(runReportKey(run));
 */
export function runReportKey(run: Pick<RunRequest, 'runId' | 'window'>): string {
  // The shared key builder, fed the window end: the same folder as the run record.
  return reportKey(run.runId, run.window.end, 'json');
}

/**
 * Where a unit's partial result goes when it is too large to travel through Redis.
 *
 * @example
 * runPartialKey(run, 'u0003'); // 'runs/2026-11-23/drift-…/partials/u0003.json'
 */
export function runPartialKey(run: Pick<RunRequest, 'runId' | 'window'>, unitId: string): string {
  return `${runPartialsPrefix(run)}${segment('unitId', encodeURIComponent(unitId))}.json`;
}

/**
 * Where a run's prepared bytes (`Pipeline.prepare`) wait for its finalize; beside the partials,
 * so the finalize's cleanup removes them too.
 *
 * @example
 * runPreparedKey(run); // 'runs/2026-11-23/drift-…/partials/~prepared.bin'
 */
export function runPreparedKey(run: Pick<RunRequest, 'runId' | 'window'>): string {
  return `${runPartialsPrefix(run)}~prepared.bin`;
}

/**
 * The folder of a run's offloaded partials, for `ResultsStore.list` when finalize cleans them up.
 *
 * @example
 * runPartialsPrefix(run); // 'runs/2026-11-23/drift-…/partials/'
 */
export function runPartialsPrefix(run: Pick<RunRequest, 'runId' | 'window'>): string {
  return `${runFolder(run)}/partials/`;
}
