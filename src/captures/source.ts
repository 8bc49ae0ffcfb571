import type { Readable } from 'node:stream';

/** One object (file) of captures as listed by a source. */
export interface CaptureObject {
  /** Key relative to the source root, `/`-separated, e.g. `dt=2026-11-23/hour=14/a.jsonl.gz`. */
  readonly key: string;
  /** Size in bytes when the listing says so. */
  readonly size?: number;
  /** Start of the partition hour this key belongs to (epoch ms). */
  readonly partitionStart: number;
}

/** A half-open time window `[start, end)` in epoch milliseconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * Where captures come from. Listing a window touches only the partitions that overlap it.
 */
export interface CaptureSource {
  /** Human description for logs and `doctor`, without secrets: `s3://bucket/prefix`. */
  describe(): string;
  /** Objects whose partition hour overlaps the window, in key order. */
  list(window: TimeWindow): AsyncIterable<CaptureObject>;
  /**
   * Opens an object's raw bytes (still compressed). Resolves to `null` when the object vanished
   * between list and get: that is an accounted `object_missing`, not an error.
   */
  open(key: string, signal?: AbortSignal): Promise<Readable | null>;
  /** Checks that the source is reachable, for `doctor` / readiness. */
  check(): Promise<void>;
}
