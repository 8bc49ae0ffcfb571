import { createHash } from 'node:crypto';
import { compileFieldMap } from '../captures/field-map.ts';
import { createFastValidator } from '../captures/fast-validate.ts';
import { emptyIngestCounts, mergeIngestCounts, type IngestCounts } from '../captures/ingest-stats.ts';
import { HOUR, keyTemplate } from '../captures/partitions.ts';
import { scanObject } from '../captures/reader.ts';
import { listWindow } from '../captures/scan-window.ts';
import type { ReadRecord } from '../captures/record.ts';
import { parseDuration } from '../config/duration.ts';
import { storeQuarantine } from '../store/quarantine.ts';
import type { PipelineContext, RunRequest, WorkUnit } from './types.ts';

/** A per-partition-hour accumulator of a capture-reading pipeline (drift, slo). */
export interface HourAccumulatorLike {
  /** Counts one capture object read into this hour. */
  addObject(): void;
}

/** What {@link scanUnitByHour} read. */
export interface UnitScan<A> {
  /** One accumulator per partition hour the unit's objects belong to, by hour start. */
  readonly hours: Map<number, A>;
  readonly input: IngestCounts;
  /** Records whose timestamp fell outside their partition hour beyond the allowed slack. */
  readonly outOfPartition: number;
}

/**
 * Reads a unit's capture objects the way every capture pipeline does: each object into the
 * accumulator of its partition hour (the hour its key names; the window start when the key names
 * none), bad lines quarantined with the run id, ingest counts merged. The pipelines differ only
 * in what they accumulate per record.
 *
 * @example
 * const scan = await scanUnitByHour(ctx, run, unit, (start) => createHourAccumulator(start, opts), (acc, r) => acc.add(r));
 * const hours = [...scan.hours.keys()].sort((a, b) => a - b).map((h) => scan.hours.get(h)!.finish());
 */
export async function scanUnitByHour<A extends HourAccumulatorLike>(
  ctx: PipelineContext,
  run: RunRequest,
  unit: WorkUnit,
  create: (partitionStart: number, partitionSlackMs: number) => A,
  onRecord: (acc: A, record: ReadRecord) => void,
): Promise<UnitScan<A>> {
  const { config } = ctx;
  const template = keyTemplate(config.captures.keyTemplate);
  const slack = parseDuration(config.captures.partitionSlack);
  const quarantine = storeQuarantine({ store: ctx.store, runId: run.runId, dayMs: run.requestedAt });
  const options = {
    quarantine,
    runId: run.runId,
    fieldMap: compileFieldMap(config.captures.fieldMap),
    validator: createFastValidator(),
    maxLineBytes: config.captures.maxLineBytes,
    partitionSlackMs: slack,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const hours = new Map<number, A>();
  let input = emptyIngestCounts();
  let outOfPartition = 0;
  for (const key of unit.keys) {
    const partitionStart = template.hourOf(key) ?? Math.floor(run.window.start / HOUR) * HOUR;
    let acc = hours.get(partitionStart);
    if (!acc) hours.set(partitionStart, (acc = create(partitionStart, slack)));
    const a = acc;
    const res = await scanObject(ctx.source, { key, partitionStart }, options, (r) => onRecord(a, r));
    await quarantine.flush(key);
    if (res.counts.objectsRead > 0) a.addObject();
    input = mergeIngestCounts(input, res.counts);
    outOfPartition += res.outOfPartition;
  }
  return { hours, input, outOfPartition };
}

/**
 * The accumulators' values in hour order.
 *
 * @example
 * finishedHours(scan.hours, (acc) => acc.finish()); // [hour 13:00, hour 14:00]
 */
export function finishedHours<A, H>(hours: Map<number, A>, finish: (acc: A) => H): H[] {
  return [...hours.keys()].sort((x, y) => x - y).map((h) => finish(hours.get(h) as A));
}

/**
 * The plan of a capture-reading pipeline: one unit per capture object of the window, its id a
 * hash of the object key (stable across retries and replicas, safe in a BullMQ job id).
 *
 * @example
 * plan: (ctx, run) => planObjectUnits(ctx, run),
 */
export async function planObjectUnits(ctx: Pick<PipelineContext, 'source'>, run: Pick<RunRequest, 'window'>): Promise<WorkUnit[]> {
  const objects = await listWindow(ctx.source, run.window);
  return objects.map((o) => ({ id: objectUnitId(o.key), keys: [o.key], ...(o.size !== undefined ? { bytes: o.size } : {}) }));
}

/**
 * @example
 * objectUnitId('dt=2026-11-23/hour=14/part-0.jsonl.gz'); // 16 hex characters
 */
export function objectUnitId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
