import type { RejectReason } from '../captures/ingest-stats.ts';
import { quarantineKey } from './keys.ts';
import type { ResultsStore } from './types.ts';

/** One rejected input line (or object), as written to `quarantine/…jsonl`. */
export interface QuarantineEntry {
  /** Capture object key, relative to the source root. */
  readonly key: string;
  /** 1-based physical line number; `0` for a reason about the whole object. */
  readonly line: number;
  readonly reason: RejectReason;
  /** What is wrong, naming the field for schema errors: `input_tokens: expected number, received string`. */
  readonly detail: string;
  /** The line as text, cut to the reader's `maxRawBytes`; lossy (U+FFFD) when it was not UTF-8. */
  readonly raw: string;
  readonly runId: string;
  /** Length of the original line in bytes, present when `raw` was cut. */
  readonly rawBytes?: number;
  /** The exact bytes (cut like `raw`) for `invalid_utf8`, so nothing is lost to decoding. */
  readonly rawBase64?: string;
}

/** Where the reader sends rejected lines. One sink per run and work unit. */
export interface QuarantineSink {
  /** Buffers an entry; `false` when the per-object bound dropped it (it still counts as rejected). */
  add(entry: QuarantineEntry): boolean;
  /** Writes the buffered entries of one object (or of all) and forgets them; resolves to how many. */
  flush(objectKey?: string): Promise<number>;
}

export interface StoreQuarantineOptions {
  readonly store: ResultsStore;
  readonly runId: string;
  /** Day of the quarantine partition: the run's `requestedAt`, stable across retries. */
  readonly dayMs: number;
  /** Entries kept per object; later ones are counted, not written. Default 10,000. */
  readonly maxEntriesPerObject?: number;
  /** Bytes of `raw` kept per object, so a file of huge bad lines cannot fill memory. Default 16 MiB. */
  readonly maxBytesPerObject?: number;
}

/** A sink that also says how many entries its bounds dropped. */
export interface BoundedQuarantineSink extends QuarantineSink {
  /** Entries dropped by the bounds, per object key (objects with none are absent). */
  dropped(): Record<string, number>;
}

interface Bucket {
  entries: QuarantineEntry[];
  bytes: number;
  dropped: number;
}

/**
 * A quarantine sink that writes one JSONL object per (run, capture object) to
 * `quarantineKey(dayMs, runId, objectKey)` with `ResultsStore.put`, so a retried unit overwrites
 * its file instead of duplicating lines.
 *
 * @example
 * const q = storeQuarantine({ store, runId: run.runId, dayMs: run.requestedAt });
 * const res = await scanObject(source, object, { quarantine: q, runId: run.runId }, onRecord);
 * await q.flush(object.key);
 */
export function storeQuarantine(options: StoreQuarantineOptions): BoundedQuarantineSink {
  const { store, runId, dayMs } = options;
  return boundedSink(options, async (objectKey, entries) => {
    const body = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    await store.put(quarantineKey(dayMs, runId, objectKey), body, { contentType: 'application/x-ndjson' });
  });
}

/** A quarantine sink that keeps everything in memory, for tests and the benchmark. */
export interface MemoryQuarantine extends BoundedQuarantineSink {
  /** Entries flushed so far, in flush order (per object in line order). */
  readonly written: QuarantineEntry[];
  /** Entries added and not yet flushed, across objects. */
  pending(): QuarantineEntry[];
}

/**
 * An in-memory quarantine sink with the same bounds as `storeQuarantine`.
 *
 * @example
 * const q = memoryQuarantine();
 * await scanObject(source, object, { quarantine: q, runId: 'r1' }, () => {});
 * q.pending(); // [{ key, line: 3, reason: 'invalid_json', … }]
 */
export function memoryQuarantine(
  options: Pick<StoreQuarantineOptions, 'maxEntriesPerObject' | 'maxBytesPerObject'> = {},
): MemoryQuarantine {
  const written: QuarantineEntry[] = [];
  const sink = boundedSink(options, async (_key, entries) => {
    written.push(...entries);
  });
  return Object.assign(sink, { written });
}

function boundedSink(
  options: Pick<StoreQuarantineOptions, 'maxEntriesPerObject' | 'maxBytesPerObject'>,
  write: (objectKey: string, entries: QuarantineEntry[]) => Promise<void>,
): BoundedQuarantineSink & { pending(): QuarantineEntry[] } {
  const maxEntries = options.maxEntriesPerObject ?? 10_000;
  const maxBytes = options.maxBytesPerObject ?? 16 * 1024 * 1024;
  const buckets = new Map<string, Bucket>();
  const dropped: Record<string, number> = {};

  const flushOne = async (key: string): Promise<number> => {
    const b = buckets.get(key);
    if (!b) return 0;
    buckets.delete(key);
    if (b.entries.length === 0) return 0;
    await write(key, b.entries);
    return b.entries.length;
  };

  return {
    add(entry) {
      let b = buckets.get(entry.key);
      if (!b) buckets.set(entry.key, (b = { entries: [], bytes: 0, dropped: 0 }));
      // UTF-16 length is a cheap upper bound of the text's weight; base64 adds 4/3 of the bytes.
      const size = entry.raw.length + (entry.rawBase64?.length ?? 0) + entry.detail.length;
      if (b.entries.length >= maxEntries || b.bytes + size > maxBytes) {
        b.dropped++;
        dropped[entry.key] = (dropped[entry.key] ?? 0) + 1;
        return false;
      }
      b.entries.push(entry);
      b.bytes += size;
      return true;
    },
    async flush(objectKey) {
      if (objectKey !== undefined) return flushOne(objectKey);
      let n = 0;
      for (const key of [...buckets.keys()].sort()) n += await flushOne(key);
      return n;
    },
    dropped: () => ({ ...dropped }),
    pending: () => [...buckets.values()].flatMap((b) => b.entries),
  };
}
