import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

/** How a byte stream ended. `ok` also covers an empty stream. */
export type StreamEnd =
  | { readonly kind: 'ok' }
  /** The gzip data ended early or is corrupt (zlib `Z_*` error). */
  | { readonly kind: 'gzip'; readonly error: Error }
  /** The underlying source failed (network, permissions, …). */
  | { readonly kind: 'read'; readonly error: Error }
  | { readonly kind: 'aborted'; readonly error: Error };

export interface DecodeOptions {
  /** Output buffer size of zlib; larger means fewer round trips to the thread pool. Default 256 KiB. */
  readonly chunkSize?: number;
  /** Decompressed bytes queued ahead of the consumer before the source is paused. Default 8 MiB. */
  readonly highWaterMark?: number;
  /** Bytes handed to `onChunk` per event-loop turn. Default 64 KiB. */
  readonly sliceBytes?: number;
  /** Stops reading; the promise then resolves with `kind: 'aborted'`. Default: none. */
  readonly signal?: AbortSignal;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Streams the decompressed bytes of a capture object to `onChunk`, detecting gzip by its magic
 * bytes (not the file name) and reading concatenated gzip members. Resolves once every byte that
 * arrived before the end or the damage has been handed to `onChunk`. Never rejects for bad input;
 * rejects only when `onChunk` throws.
 *
 * Why not `for await (const c of gunzip)`: when a stream errors, the async iterator throws away the
 * chunks still buffered, so lines before the damage would be lost. Chunks are moved into our own
 * queue on `'data'` instead, and zlib keeps decompressing on the thread pool while the main thread
 * handles earlier chunks, which is where most of the throughput comes from.
 *
 * @example
 * const end = await decodeStream(await source.open(key), (buf) => splitter.push(buf));
 * if (end.kind === 'gzip') quarantine('truncated_gzip', end.error.message);
 */
export function decodeStream(
  input: Readable,
  onChunk: (chunk: Buffer) => void,
  options: DecodeOptions = {},
): Promise<StreamEnd> {
  const chunkSize = options.chunkSize ?? 256 * 1024;
  const hwm = options.highWaterMark ?? 8 * 1024 * 1024;
  const slice = options.sliceBytes ?? 64 * 1024;
  const { signal } = options;

  return new Promise<StreamEnd>((resolve, reject) => {
    const queue: Buffer[] = [];
    let queueHead = 0;
    let queued = 0;
    let end: StreamEnd | null = null;
    let head: Buffer | null = null;
    let gunzip: Gunzip | null = null;
    let mode: 'unknown' | 'plain' | 'gzip' = 'unknown';
    let paused = false;
    let scheduled = false;
    let settled = false;
    /** The stream whose `'data'` feeds the queue; pausing it is our backpressure. */
    let producer: Readable = input;

    const finish = (e: StreamEnd): void => {
      if (end === null) end = e;
      schedule();
    };
    const enqueue = (buf: Buffer): void => {
      if (buf.length === 0) return;
      queue.push(buf);
      queued += buf.length;
      if (queued >= hwm && !paused) {
        paused = true;
        producer.pause();
      }
      schedule();
    };
    const schedule = (): void => {
      if (scheduled || settled) return;
      scheduled = true;
      // A macrotask, not a microtask: zlib's completion callbacks must get a turn between our
      // chunks, or the thread pool idles while we parse.
      setImmediate(drain);
    };
    const drain = (): void => {
      scheduled = false;
      if (settled) return;
      // At most one slice per turn: zlib has a single job in flight per stream and can only start
      // the next one from its completion callback on this thread, so long stretches of parsing
      // leave the thread pool idle. Slices keep that wait short.
      if (queueHead < queue.length) {
        let buf = queue[queueHead]!;
        if (buf.length > slice) {
          queue[queueHead] = buf.subarray(slice);
          buf = buf.subarray(0, slice);
        } else {
          queue[queueHead++] = EMPTY;
          if (queueHead > 1024) {
            queue.splice(0, queueHead);
            queueHead = 0;
          }
        }
        queued -= buf.length;
        try {
          onChunk(buf);
        } catch (err) {
          // The consumer's own failure (a bug or a sink error), not bad input: surface it.
          settled = true;
          cleanup();
          reject(err as Error);
          return;
        }
        if (paused && queued < hwm / 4) {
          paused = false;
          producer.resume();
        }
        if (queueHead < queue.length || end !== null) schedule();
        return;
      }
      if (end !== null) {
        settled = true;
        cleanup();
        resolve(end);
      }
    };
    const cleanup = (): void => {
      input.off('data', onInput);
      signal?.removeEventListener('abort', onAbort);
      if (!input.destroyed) input.destroy();
      if (gunzip && !gunzip.destroyed) gunzip.destroy();
    };
    const onAbort = (): void => {
      const reason: unknown = signal?.reason;
      finish({ kind: 'aborted', error: reason instanceof Error ? reason : new Error('aborted') });
      // Drop what is queued: an aborted scan reports nothing partial.
      queue.length = 0;
      queueHead = 0;
      queued = 0;
    };

    const startGzip = (): void => {
      mode = 'gzip';
      const gz = createGunzip({ chunkSize });
      gunzip = gz;
      producer = gz;
      gz.on('data', enqueue);
      gz.on('end', () => finish({ kind: 'ok' }));
      gz.on('error', (error) => finish({ kind: 'gzip', error }));
      gz.on('drain', () => input.resume());
    };
    const feed = (buf: Buffer): void => {
      if (mode === 'plain') return enqueue(buf);
      if (!gunzip!.write(buf)) input.pause();
    };
    const decide = (buf: Buffer): void => {
      if (buf.length >= 2 && buf[0] === GZIP_MAGIC_0 && buf[1] === GZIP_MAGIC_1) startGzip();
      else mode = 'plain';
      feed(buf);
    };
    const onInput = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (mode !== 'unknown') return feed(buf);
      // The magic needs two bytes; a source may hand us one.
      head = head ? Buffer.concat([head, buf]) : buf;
      if (head.length >= 2) {
        const h = head;
        head = null;
        decide(h);
      }
    };

    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    input.on('data', onInput);
    input.on('error', (error) => finish({ kind: 'read', error }));
    input.on('end', () => {
      if (mode === 'unknown') {
        // Zero or one byte: nothing to decompress; a single byte is a (tiny) plain line.
        if (head) enqueue(head);
        mode = 'plain';
      }
      if (mode === 'plain') finish({ kind: 'ok' });
      else gunzip!.end();
    });
  });
}

const EMPTY = Buffer.alloc(0);
