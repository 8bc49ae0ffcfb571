import { totalRejected, type IngestCounts } from '../captures/ingest-stats.ts';
import type { RunReport } from '../report/types.ts';
import type { UnitAccounting } from './types.ts';

/**
 * The `coverage` block of a run report: capture objects seen and read, units planned/done/failed.
 *
 * @example
 * unitCoverage({ objects: 3, objectsRead: 3 }, { planned: 3, done: 2, failed: [f] });
 * // { objects: 3, objectsRead: 3, unitsPlanned: 3, unitsDone: 2, unitsFailed: 1 }
 */
export function unitCoverage(input: Pick<IngestCounts, 'objects' | 'objectsRead'>, accounting: UnitAccounting): RunReport['coverage'] {
  return {
    objects: input.objects,
    objectsRead: input.objectsRead,
    unitsPlanned: accounting.planned,
    unitsDone: accounting.done,
    unitsFailed: accounting.failed.length,
  };
}

/**
 * Why a run over capture objects is `degraded` by lost input: failed units, and rejected input
 * lines above `maxRejectedShare` of all lines. Pipelines append their own reasons after these.
 *
 * @example
 * inputStatusReasons(merged.input, accounting, 0.01);
 * // ['1 of 4 units failed; their objects are not in this report']
 */
export function inputStatusReasons(input: IngestCounts, accounting: UnitAccounting, maxRejectedShare: number): string[] {
  const reasons: string[] = [];
  const rejected = totalRejected(input);
  const lines = input.records + rejected;
  if (accounting.failed.length > 0) reasons.push(`${accounting.failed.length} of ${accounting.planned} units failed; their objects are not in this report`);
  if (lines > 0 && rejected / lines > maxRejectedShare) {
    reasons.push(`${rejected} of ${lines} input lines rejected (${((100 * rejected) / lines).toFixed(1)}% > ${maxRejectedShare * 100}%); see quarantine/`);
  }
  return reasons;
}
