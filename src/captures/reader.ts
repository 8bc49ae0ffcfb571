import type { Readable } from 'node:stream';
import type { QuarantineSink } from '../store/quarantine.ts';
import { decodeStream } from './decompress.ts';
import { createFastValidator, type FastValidator } from './fast-validate.ts';
import { compileFieldMap, type FieldMapper } from './field-map.ts';
import { emptyIngestCounts, type IngestCounts, type RejectReason } from './ingest-stats.ts';
import { HOUR } from './partitions.ts';
import { ASCII, INVALID_UTF8, LineSplitter, type LineEncoding } from './line-splitter.ts';
import { captureRecordSchema, deriveRecord, type CaptureRecord, type ReadRecord } from './record.ts';
import type { CaptureObject, CaptureSource, TimeWindow } from './source.ts';
import { formatIssues } from './issues.ts';

export interface ScanOptions {
  /** Quarantine for rejected lines; flushing it is the caller's job (see `scanWindow`). */
  readonly quarantine: QuarantineSink;
  /** Written on every quarantine entry. */
  readonly runId: string;
  /**
   * A compiled field map, or a `{ their: ours }` map merged over `DEFAULT_FIELD_MAP`.
   * Default: `DEFAULT_FIELD_MAP` alone. Compile once with `compileFieldMap` when scanning many objects.
   */
  readonly fieldMap?: FieldMapper | Readonly<Record<string, string>>;
  /** A longer line is rejected as `line_too_long` and never buffered whole. Default 8 MiB. */
  readonly maxLineBytes?: number;
  /** Bytes of a rejected line kept in its quarantine entry. Default 64 KiB. */
  readonly maxRawBytes?: number;
  /**
   * How far a record's timestamp may fall outside its object's partition hour before it is counted
   * in `outOfPartition` (it is accepted either way). Default 1 hour (`captures.partitionSlack`).
   */
  readonly partitionSlackMs?: number;
  /**
   * Deliver only records that belong to this window. A record belongs where its timestamp,
   * clamped into its object's partition hour, falls: for hour-aligned windows every record is
   * counted in exactly one window whatever the producer's clock skew; partial hours at the edges
   * of a window are cut by the real timestamp. Default: no filter.
   */
  readonly window?: TimeWindow;
  readonly signal?: AbortSignal;
  /** zlib output buffer size. Default 256 KiB. */
  readonly chunkSize?: number;
  /** Reuse one fast validator across calls (it is stateless). Default: built per call. */
  readonly validator?: FastValidator;
}

/** What scanning one object produced, besides the records. */
export interface ObjectScanResult {
  readonly key: string;
  /** Exact counts for this object (`objects` is 1). */
  readonly counts: IngestCounts;
  /** Valid records whose timestamp is beyond `partitionSlackMs` of their partition hour. */
  readonly outOfPartition: number;
  /** Valid records left out because they belong to another window (see `ScanOptions.window`). */
  readonly outsideWindow: number;
  /** Valid records that zod, not the fast path, had to accept (a health figure for the bench). */
  readonly slowPathRecords: number;
}

const DEFAULT_MAX_LINE = 8 * 1024 * 1024;
const DEFAULT_MAX_RAW = 64 * 1024;

/**
 * Streams one capture object (`.jsonl` or gzip, by magic bytes) and calls `onRecord` for every
 * valid record, with bounded memory whatever the object's size. Bad input is never fatal: each
 * bad line is counted by reason and sent to the quarantine; object-level problems
 * (`object_missing`, `empty_object`, `truncated_gzip`, `read_error`) are one entry with line `0`
 * or the damaged line's number. Rejects only when aborted or when `onRecord` / the sink throws.
 *
 * `objectsRead` is 1 when the object was read to its end (bad lines or not), 0 when it was
 * missing, cut short by damage, or failed to read.
 *
 * @example
 * const q = memoryQuarantine();
 * const res = await scanObject(source, object, { quarantine: q, runId: 'r1' }, (r) => rows.push(r));
 * res.counts.records; // valid records
 * res.counts.rejected.invalid_json; // lines that were not JSON
 */
export async function scanObject(
  source: CaptureSource,
  object: CaptureObject,
  options: ScanOptions,
  onRecord: (record: ReadRecord) => void,
): Promise<ObjectScanResult> {
  const { quarantine, runId, signal } = options;
  const key = object.key;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE;
  const maxRaw = options.maxRawBytes ?? DEFAULT_MAX_RAW;
  const mapFields = typeof options.fieldMap === 'function' ? options.fieldMap : compileFieldMap(options.fieldMap ?? {});
  const fast = options.validator ?? createFastValidator();
  const slack = options.partitionSlackMs ?? HOUR;
  const pStart = object.partitionStart;
  const lowOk = pStart - slack;
  const highOk = pStart + HOUR + slack;
  const win = options.window;

  const counts = emptyIngestCounts();
  counts.objects = 1;
  let outOfPartition = 0;
  let outsideWindow = 0;
  let slowPath = 0;
  let nonBlank = 0;

  const reject = (reason: RejectReason, line: number, detail: string, raw: Buffer | null, rawBytes?: number): void => {
    counts.rejected[reason] = (counts.rejected[reason] ?? 0) + 1;
    let text = '';
    let cut = false;
    let b64: string | undefined;
    if (raw !== null) {
      cut = raw.length > maxRaw || (rawBytes !== undefined && rawBytes > raw.length);
      const kept = raw.length > maxRaw ? raw.subarray(0, maxRaw) : raw;
      text = kept.toString('utf8');
      if (reason === 'invalid_utf8') b64 = kept.toString('base64');
    }
    const entry = {
      key,
      line,
      reason,
      detail,
      raw: text,
      runId,
      ...(cut ? { rawBytes: rawBytes ?? raw!.length } : {}),
      ...(b64 !== undefined ? { rawBase64: b64 } : {}),
    };
    if (quarantine.add(entry)) counts.quarantined++;
  };

  const onLine = (buf: Buffer, start: number, end: number, lineNo: number, enc: LineEncoding): void => {
    if (end === start || isBlank(buf, start, end)) return;
    nonBlank++;
    if (enc === INVALID_UTF8) {
      reject('invalid_utf8', lineNo, 'the line is not valid UTF-8', buf.subarray(start, end));
      return;
    }
    const text = enc === ASCII ? buf.toString('latin1', start, end) : buf.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      reject('invalid_json', lineNo, (err as Error).message, buf.subarray(start, end));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      reject('invalid_json', lineNo, `expected a JSON object, got ${got}`, buf.subarray(start, end));
      return;
    }
    const mapped = mapFields(value as Record<string, unknown>);
    let rec: CaptureRecord | null = fast(mapped);
    if (rec === null) {
      const parsed = captureRecordSchema.safeParse(mapped);
      if (!parsed.success) {
        reject('schema_invalid', lineNo, formatIssues(parsed.error.issues), buf.subarray(start, end));
        return;
      }
      rec = parsed.data;
      slowPath++;
    }
    const r = deriveRecord(rec);
    const ts = r.ts;
    if (ts < lowOk || ts >= highOk) outOfPartition++;
    if (win !== undefined) {
      const t = ts < pStart ? pStart : ts >= pStart + HOUR ? pStart + HOUR - 1 : ts;
      if (t < win.start || t >= win.end) {
        outsideWindow++;
        return;
      }
    }
    counts.records++;
    if (r.population) {
      counts.populationRecords++;
      counts.estimatedCalls += r.weight;
    }
    onRecord(r);
  };

  const splitter = new LineSplitter({
    maxLineBytes,
    headBytes: maxRaw,
    onLine,
    onTooLong: (head, bytes, lineNo) => {
      nonBlank++;
      reject('line_too_long', lineNo, `the line has ${bytes} bytes, more than maxLineBytes (${maxLineBytes})`, head, bytes);
    },
  });

  let stream: Readable | null;
  try {
    stream = await source.open(key, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    reject('read_error', 0, errorText(err), null);
    return result();
  }
  if (stream === null) {
    reject('object_missing', 0, 'the object was listed but no longer exists', null);
    return result();
  }

  const end = await decodeStream(
    stream,
    (chunk) => {
      counts.bytes += chunk.length;
      splitter.push(chunk);
    },
    { signal, chunkSize: options.chunkSize },
  );
  const pending = splitter.finish();
  switch (end.kind) {
    case 'aborted':
      throw end.error;
    case 'ok':
      if (pending) splitter.flushPending(pending);
      if (nonBlank === 0) reject('empty_object', 0, counts.bytes === 0 ? 'the object has no bytes' : 'the object has only blank lines', null);
      counts.objectsRead = 1;
      break;
    case 'gzip':
    case 'read': {
      const reason = end.kind === 'gzip' ? 'truncated_gzip' : 'read_error';
      const at = pending ? pending.lineNo : splitter.lines + 1;
      const what = end.kind === 'gzip' ? 'the gzip data ends early or is corrupt' : 'reading failed';
      const detail = `${what} after ${counts.bytes} decompressed bytes (${errorText(end.error)}); lines before line ${at} were read`;
      reject(reason, at, detail, pending ? pending.head : null, pending?.bytes);
      break;
    }
  }
  return result();

  function result(): ObjectScanResult {
    return { key, counts, outOfPartition, outsideWindow, slowPathRecords: slowPath };
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  const c = buf[start];
  // Fast exit: a JSON line starts with `{` (or garbage), both not blank.
  if (c !== 32 && c !== 9 && c !== 13) return false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
