import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { HOUR, keyTemplate } from '../captures/partitions.ts';
import { trafficLines, type TrafficLinesOptions } from './lines.ts';
import { TrafficOptionsError } from './options.ts';

/** Options of `writeTrafficFiles`. */
export interface WriteTrafficOptions extends TrafficLinesOptions {
  /** Root folder of the capture source; partition folders are created below it. Required. */
  readonly dir: string;
  /** Partition layout: `hive`, `firehose` or a `{YYYY}/{MM}/{DD}/{HH}/` pattern. Default `hive`. */
  readonly keyTemplate?: string;
  /** Gzip the objects (`.jsonl.gz`) or not (`.jsonl`). Default true. */
  readonly gzip?: boolean;
  /** Gzip level, fixed so that the same options give the same bytes. Default 6. */
  readonly gzipLevel?: number;
  /**
   * Objects per partition hour, each covering an equal time slice of it (as a producer that
   * flushes every 30 minutes writes them). A slice without records gets no object. Default 2.
   */
  readonly objectsPerHour?: number;
}

/** What `writeTrafficFiles` wrote. */
export interface WriteTrafficResult {
  /** Objects (files) written. */
  readonly objects: number;
  /** Valid record lines. */
  readonly records: number;
  /** Lines a reader must reject: the sprinkle, `malformed` injections, records missing a required field. */
  readonly malformedLines: number;
  /** Bytes on disk (compressed when `gzip`). */
  readonly bytes: number;
  /** Keys relative to `dir`, `/`-separated, in write (= time) order. */
  readonly keys: string[];
}

/** Lines are written in chunks of about this many characters: fewer stream calls, bounded memory. */
const CHUNK_CHARS = 64 * 1024;

interface OpenObject {
  readonly key: string;
  readonly file: WriteStream;
  readonly sink: Gzip | WriteStream;
  readonly done: Promise<void>;
}

async function open(dir: string, key: string, gzip: boolean, level: number, dirs: Set<string>): Promise<OpenObject> {
  const path = join(dir, ...key.split('/'));
  const folder = dirname(path);
  if (!dirs.has(folder)) {
    await mkdir(folder, { recursive: true });
    dirs.add(folder);
  }
  const file = createWriteStream(path);
  if (!gzip) return { key, file, sink: file, done: once(file, 'finish').then(() => undefined) };
  // Node's gzip header carries mtime 0 and no file name, so equal input gives equal bytes.
  const gz = createGzip({ level });
  return { key, file, sink: gz, done: pipeline(gz, file) };
}

async function write(obj: OpenObject, chunk: string): Promise<void> {
  if (!obj.sink.write(chunk)) await Promise.race([once(obj.sink, 'drain'), obj.done]);
}

async function close(obj: OpenObject, chunk: string): Promise<number> {
  obj.sink.end(chunk);
  await obj.done;
  return obj.file.bytesWritten;
}

/**
 * Writes the synthetic traffic as capture objects, `<dir>/<partition>/part-<n>.jsonl.gz`, one
 * partition per hour of the records' timestamps. Streams: one object open at a time, lines in
 * 64 KiB chunks. The same options write the same bytes.
 *
 * @example
 * const day = Date.UTC(2026, 0, 5);
 * const r = await writeTrafficFiles({ dir: './captures', start: day, end: day + 86_400_000, seed: 7 });
 * r.keys[0]; // 'dt=2026-01-05/hour=00/part-0.jsonl.gz'
 */
export async function writeTrafficFiles(options: WriteTrafficOptions): Promise<WriteTrafficResult> {
  const template = keyTemplate(options.keyTemplate ?? 'hive');
  const gzip = options.gzip ?? true;
  const level = options.gzipLevel ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new TrafficOptionsError('gzipLevel', 'expected a whole number in [0, 9]');
  const perHour = options.objectsPerHour ?? 2;
  if (!Number.isInteger(perHour) || perHour < 1 || perHour > 3600) {
    throw new TrafficOptionsError('objectsPerHour', 'expected a whole number in [1, 3600]');
  }
  if (typeof options.dir !== 'string' || options.dir === '') throw new TrafficOptionsError('dir', 'expected a folder path');
  const slice = HOUR / perHour;
  const suffix = gzip ? '.jsonl.gz' : '.jsonl';
  const dirs = new Set<string>();
  const keys: string[] = [];
  let records = 0;
  let malformedLines = 0;
  let bytes = 0;
  let current: OpenObject | undefined;
  let buffer = '';
  try {
    for (const { line, ts, valid } of trafficLines(options)) {
      const hour = Math.floor(ts / HOUR) * HOUR;
      const key = `${template.prefixFor(hour)}part-${Math.floor((ts - hour) / slice)}${suffix}`;
      if (current?.key !== key) {
        if (current) bytes += await close(current, buffer);
        buffer = '';
        current = await open(options.dir, key, gzip, level, dirs);
        keys.push(key);
      }
      buffer += `${line}\n`;
      if (valid) records++;
      else malformedLines++;
      if (buffer.length >= CHUNK_CHARS) {
        await write(current, buffer);
        buffer = '';
      }
    }
    if (current) bytes += await close(current, buffer);
  } catch (err) {
    current?.sink.destroy();
    throw err;
  }
  return { objects: keys.length, records, malformedLines, bytes, keys };
}
