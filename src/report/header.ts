import type { RunRequest } from '../pipeline/types.ts';
import { REPORT_SCHEMA_VERSION, type RunReport } from './types.ts';

/** The fields of a run report that come from the run request and the clock alone. */
export type ReportHeader = Pick<RunReport, 'schemaVersion' | 'runId' | 'pipeline' | 'window' | 'startedAt' | 'finishedAt'>;

/**
 * The identity and timing fields every pipeline's report starts with: the window as ISO times,
 * `startedAt` = the run's `requestedAt` (stable across retries, unlike a wall-clock start) and
 * `finishedAt` = `nowMs`.
 *
 * @example
 * return { ...reportHeader(run, ctx.now()), status, statusReasons, input, coverage, findings, unmeasured, sections };
 */
export function reportHeader(run: RunRequest, nowMs: number): ReportHeader {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: run.runId,
    pipeline: run.pipeline,
    window: { start: new Date(run.window.start).toISOString(), end: new Date(run.window.end).toISOString() },
    startedAt: new Date(run.requestedAt).toISOString(),
    finishedAt: new Date(nowMs).toISOString(),
  };
}
