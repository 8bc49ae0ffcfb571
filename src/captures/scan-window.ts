import type { ReadRecord } from './record.ts';
import { scanObject, type ObjectScanResult, type ScanOptions } from './reader.ts';
import { compileFieldMap } from './field-map.ts';
import { createFastValidator } from './fast-validate.ts';
import { emptyIngestCounts, mergeIngestCounts, type IngestCounts } from './ingest-stats.ts';
import type { CaptureObject, CaptureSource, TimeWindow } from './source.ts';

export interface WindowScanOptions extends ScanOptions {
  /** Objects read at the same time. Default 4. */
  readonly concurrency?: number;
  /** Flush the quarantine after each object, keeping memory bounded. Default true. */
  readonly flushQuarantine?: boolean;
  /** Called after each object, in completion order (progress reporting). */
  readonly onObject?: (result: ObjectScanResult) => void;
}

/** The merged result of a window scan. */
export interface WindowScanResult {
  /** Counts over every listed object; `objects` is the number listed. */
  readonly counts: IngestCounts;
  readonly outOfPartition: number;
  readonly outsideWindow: number;
  readonly slowPathRecords: number;
  /** Per-object results in key order. */
  readonly objects: ObjectScanResult[];
}

/**
 * Every capture object of a window, in key order.
 *
 * @example
 * const objects = await listWindow(source, { start, end });
 */
export async function listWindow(source: CaptureSource, window: TimeWindow): Promise<CaptureObject[]> {
  const out: CaptureObject[] = [];
  for await (const o of source.list(window)) out.push(o);
  return out;
}

/**
 * Scans every object of a window (bounded concurrency) and merges the counts in key order, so
 * float sums do not depend on completion order. Records only belong to the window by the rule of
 * `ScanOptions.window` (the window passed here is applied). `onRecord` receives records from
 * several objects interleaved; consumers must not depend on record order. For tests and tools
 * that read a whole window in one process; the pipelines call `scanObject` per work unit instead.
 *
 * @example
 * const q = storeQuarantine({ store, runId, dayMs: run.requestedAt });
 * const res = await scanWindow(source, run.window, { quarantine: q, runId }, (r) => agg.add(r));
 * res.counts.records;
 */
export async function scanWindow(
  source: CaptureSource,
  window: TimeWindow,
  options: WindowScanOptions,
  onRecord: (record: ReadRecord) => void,
): Promise<WindowScanResult> {
  const objects = await listWindow(source, window);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const flush = options.flushQuarantine ?? true;
  // Compile once for all objects rather than per object.
  const shared: ScanOptions = {
    ...options,
    window,
    fieldMap: typeof options.fieldMap === 'function' ? options.fieldMap : compileFieldMap(options.fieldMap ?? {}),
    validator: options.validator ?? createFastValidator(),
  };
  const results: ObjectScanResult[] = new Array(objects.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const i = next++;
      const obj = objects[i]!;
      const res = await scanObject(source, obj, shared, onRecord);
      if (flush) await options.quarantine.flush(obj.key);
      results[i] = res;
      options.onObject?.(res);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));

  // Folded one object at a time: spreading every object's counts into one call would hit the
  // engine's argument limit on a long window of small objects.
  let counts = emptyIngestCounts();
  let outOfPartition = 0;
  let outsideWindow = 0;
  let slowPathRecords = 0;
  for (const r of results) {
    counts = mergeIngestCounts(counts, r.counts);
    outOfPartition += r.outOfPartition;
    outsideWindow += r.outsideWindow;
    slowPathRecords += r.slowPathRecords;
  }
  return { counts, outOfPartition, outsideWindow, slowPathRecords, objects: results };
}
