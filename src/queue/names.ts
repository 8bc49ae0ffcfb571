import { createHash } from 'node:crypto';
import type { PipelineName } from '../report/types.ts';

/** Queue of plan, prepare, merge and finalize jobs (one plan, prepare and finalize per run). */
export const RUNS_QUEUE = 'runs';
/** Queue of the fan-out work units (one job per capture object or batch). */
export const UNITS_QUEUE = 'units';
/** Every queue the worker owns, for metrics, the dashboard and cleanup. */
export const QUEUE_NAMES = [RUNS_QUEUE, UNITS_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Job names; low cardinality on purpose, the pipeline lives in the payload. */
export const JOB = { plan: 'plan', finalize: 'finalize', unit: 'unit', merge: 'merge', prepare: 'prepare' } as const;

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/**
 * Formats a window length compactly: `1h`, `24h`, `7d`, `90m`, `30s`.
 *
 * @example
 * windowLabel(86_400_000); // '24h'
 */
export function windowLabel(ms: number): string {
  const DAY = 86_400_000;
  if (ms > DAY && ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/**
 * The deterministic run id of a pipeline over a window: two schedules, a retry or a duplicate
 * enqueue of the same window get the same id, so their work collapses into one run.
 * Safe in a BullMQ job id and a store key (no `:` or `/`).
 *
 * @example
 * runIdFor('drift', { start: Date.parse('2026-11-23T13:00Z'), end: Date.parse('2026-11-23T14:00Z') });
 * // 'drift-20261123T1400Z-1h'
 */
export function runIdFor(pipeline: PipelineName, window: { start: number; end: number }): string {
  const iso = new Date(window.end).toISOString(); // 2026-11-23T14:00:00.000Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  let time = iso.slice(11, 16).replace(':', '');
  const sec = iso.slice(17, 19);
  const ms = iso.slice(20, 23);
  if (sec !== '00' || ms !== '000') time += ms === '000' ? sec : `${sec}${ms}`;
  return `${pipeline}-${date}T${time}Z-${windowLabel(window.end - window.start)}`;
}

/**
 * The id of a forced re-run (`--rerun`): the base id plus a suffix from the request time, so it
 * never collides with the original run or an earlier re-run.
 *
 * @example
 * rerunId('drift-20261123T1400Z-1h', Date.parse('2026-11-24T10:15:00Z')); // 'drift-20261123T1400Z-1h.r20261124T101500000Z'
 */
export function rerunId(runId: string, requestedAt: number): string {
  const stamp = new Date(requestedAt).toISOString().replace(/[-:.]/g, '');
  return `${runId}.r${stamp}`;
}

/**
 * The `.r<stamp>` suffix of a forced re-run id, or `''` for an ordinary run id.
 *
 * @example
 * rerunSuffix('drift-20261123T1400Z-1h.r20261124T101500000Z'); // '.r20261124T101500000Z'
 */
export function rerunSuffix(runId: string): string {
  return /\.r\d{8}T\d+Z$/.exec(runId)?.[0] ?? '';
}

/**
 * Job id of a run's plan job; the plan job of a run exists at most once while it is kept.
 *
 * @example
 * planJobId('drift-20261123T1400Z-1h'); // 'plan.drift-20261123T1400Z-1h'
 */
export function planJobId(runId: string): string {
  return `plan.${assertSafeId(runId)}`;
}

/**
 * Job id of the merge job of group `group` of a two-level run (on the runs queue).
 *
 * @example
 * mergeJobId('drift-20261123T1400Z-1h', 3); // 'merge.drift-20261123T1400Z-1h.3'
 */
export function mergeJobId(runId: string, group: number): string {
  return `merge.${assertSafeId(runId)}.${group}`;
}

/**
 * The job id in a key BullMQ gives a child job (`<prefix>:<queue>:<job id>`, in children values
 * and failures): our job ids have no `:` (see {@link assertSafeId}).
 *
 * @example
 * jobIdOfKey('bull:runs:prepare.drift-20261123T1400Z-1h'); // 'prepare.drift-20261123T1400Z-1h'
 */
export function jobIdOfKey(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1);
}

/**
 * Job id of a run's prepare job (a child of its finalize, beside the units).
 *
 * @example
 * prepareJobId('drift-20261123T1400Z-1h'); // 'prepare.drift-20261123T1400Z-1h'
 */
export function prepareJobId(runId: string): string {
  return `prepare.${assertSafeId(runId)}`;
}

/**
 * Job id of a run's finalize (parent) job: the run id itself.
 *
 * @example
 * finalizeJobId('drift-20261123T1400Z-1h'); // 'drift-20261123T1400Z-1h'
 */
export function finalizeJobId(runId: string): string {
  return assertSafeId(runId);
}

/**
 * Job id of one unit of a run. Unit ids that are not id-safe (or are long) are hashed.
 *
 * @example
 * unitJobId('drift-20261123T1400Z-1h', 'u0003'); // 'drift-20261123T1400Z-1h.u0003'
 */
export function unitJobId(runId: string, unitId: string): string {
  const safe = SAFE_ID.test(unitId) && unitId.length <= 64 ? unitId : `h${createHash('sha256').update(unitId).digest('hex').slice(0, 24)}`;
  return `${assertSafeId(runId)}.${safe}`;
}

/**
 * Throws when an id would break a BullMQ job id or a store key.
 *
 * @example
 * assertSafeId('drift-20261123T1400Z-1h'); // returns it
 */
export function assertSafeId(id: string): string {
  if (!SAFE_ID.test(id) || id.length > 200) {
    throw new RangeError(`not a safe run/job id: ${JSON.stringify(id)} (letters, digits, ".", "_", "-"; at most 200)`);
  }
  return id;
}
