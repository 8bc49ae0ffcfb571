import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { S3AccessError, describeS3Error, normalizeS3Prefix, s3ErrorCode } from '../store/s3-client.ts';
import { hoursOverlapping, keyTemplate as parseKeyTemplate, type KeyTemplate } from './partitions.ts';
import type { CaptureObject, CaptureSource, TimeWindow } from './source.ts';

export interface S3SourceOptions {
  /** A client from `createS3Client`. */
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix of the captures inside the bucket, with or without slashes. Default: `''`. */
  readonly prefix?: string;
  /** Partition layout below the prefix: `hive`, `firehose`, a token pattern, or a parsed template. Default: `hive`. */
  readonly keyTemplate?: string | KeyTemplate;
  /** `MaxKeys` per ListObjectsV2 page; S3 caps it at 1,000. Default: 1000. */
  readonly pageSize?: number;
  /**
   * Partitions whose first listing page is fetched ahead while earlier ones are consumed. A
   * 30-day window is 720 hourly partitions, most of them one page, so one-at-a-time listing is
   * dominated by round trips. Default: 4.
   */
  readonly listAhead?: number;
}

const CAPTURE_KEY = /\.jsonl(\.gz)?$/;

/**
 * A capture source over an S3 bucket (or any S3-compatible store). Listing a window issues
 * ListObjectsV2 only under the partition prefixes of the hours that overlap it — never a listing
 * of the whole bucket or prefix — and follows continuation tokens past 1,000 keys. Keys are
 * yielded relative to `prefix`, in key order, and only `.jsonl` / `.jsonl.gz` objects.
 *
 * @example
 * const source = createS3Source({ client: createS3Client({}), bucket: 'acme-llm-logs', prefix: 'captures' });
 * for await (const obj of source.list({ start: Date.UTC(2026, 10, 23, 10), end: Date.UTC(2026, 10, 23, 12) })) {
 *   const body = await source.open(obj.key); // null when the object vanished since listing
 * }
 */
export function createS3Source(options: S3SourceOptions): CaptureSource {
  const { client, bucket } = options;
  const root = normalizeS3Prefix(options.prefix);
  const template = typeof options.keyTemplate === 'object' ? options.keyTemplate : parseKeyTemplate(options.keyTemplate ?? 'hive');
  const pageSize = options.pageSize ?? 1000;
  const listAhead = Math.max(1, options.listAhead ?? 4);
  const url = (key: string): string => `s3://${bucket}/${root}${key}`;

  async function listPage(prefix: string, token: string | undefined, signal: AbortSignal): Promise<ListObjectsV2CommandOutput> {
    try {
      return await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: pageSize, ContinuationToken: token }),
        { abortSignal: signal },
      );
    } catch (err) {
      throw new S3AccessError('S3_LIST_FAILED', `s3://${bucket}/${prefix}: ListObjectsV2 failed: ${describeS3Error(err)}`, { cause: err });
    }
  }

  async function* listPartition(
    prefix: string,
    hourStart: number,
    first: Promise<ListObjectsV2CommandOutput>,
    signal: AbortSignal,
  ): AsyncGenerator<CaptureObject> {
    let page = await first;
    for (;;) {
      for (const obj of page.Contents ?? []) {
        const key = obj.Key;
        if (!key || !key.startsWith(root) || !CAPTURE_KEY.test(key)) continue;
        const rel = key.slice(root.length);
        yield { key: rel, partitionStart: template.hourOf(rel) ?? hourStart, ...(obj.Size !== undefined ? { size: obj.Size } : {}) };
      }
      if (!page.IsTruncated) return;
      if (!page.NextContinuationToken) {
        throw new S3AccessError('S3_LIST_FAILED', `s3://${bucket}/${prefix}: ListObjectsV2 reported a truncated page without a continuation token`);
      }
      page = await listPage(prefix, page.NextContinuationToken, signal);
    }
  }

  return {
    describe: () => `s3://${bucket}/${root}`,

    async *list(window: TimeWindow) {
      // Partition prefixes have a fixed shape and never nest, so sorting them and listing each in
      // S3's key order yields the whole window in key order, whatever the template's token order.
      const partitions = hoursOverlapping(window)
        .map((hour) => ({ hour, prefix: root + template.prefixFor(hour) }))
        .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
      const controller = new AbortController();
      // Taken out when consumed, so a long window does not keep every page alive.
      const firstPages = new Map<number, Promise<ListObjectsV2CommandOutput>>();
      const prefetch = (i: number): void => {
        const p = partitions[i];
        if (!p || firstPages.has(i)) return;
        const page = listPage(p.prefix, undefined, controller.signal);
        // Handled when awaited in turn; this only keeps an early failure from being reported as
        // an unhandled rejection while earlier partitions are still being consumed.
        page.catch(() => undefined);
        firstPages.set(i, page);
      };
      try {
        for (let i = 0; i < partitions.length; i++) {
          for (let j = i; j < i + listAhead; j++) prefetch(j);
          const p = partitions[i] as { hour: number; prefix: string };
          const first = firstPages.get(i) as Promise<ListObjectsV2CommandOutput>;
          firstPages.delete(i);
          yield* listPartition(p.prefix, p.hour, first, controller.signal);
        }
      } finally {
        // The consumer stopped early (or failed): cancel listings fetched ahead.
        controller.abort();
      }
    },

    async open(key: string, signal?: AbortSignal) {
      signal?.throwIfAborted();
      let body: unknown;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: root + key }), { abortSignal: signal });
        body = out.Body;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        // Only a missing key is an accounted `object_missing`; a missing bucket is an error.
        if (s3ErrorCode(err) === 'NoSuchKey') return null;
        throw new S3AccessError('S3_GET_FAILED', `${url(key)}: GetObject failed: ${describeS3Error(err)}`, { cause: err });
      }
      const stream = toReadable(body, url(key));
      if (signal) {
        const onAbort = (): void => {
          stream.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
        stream.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      return stream;
    },

    async check() {
      try {
        await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: root, MaxKeys: 1 }));
      } catch (err) {
        throw new S3AccessError('S3_UNREACHABLE', `s3://${bucket}/${root}: cannot list captures: ${describeS3Error(err)}`, { cause: err });
      }
    },
  };
}

/** The SDK's Node body is an `http.IncomingMessage` (a Readable); other runtimes give a web stream. */
function toReadable(body: unknown, where: string): Readable {
  if (body instanceof Readable) return body;
  if (body && typeof (body as { transformToWebStream?: unknown }).transformToWebStream === 'function') {
    const web = (body as { transformToWebStream(): ReadableStream<Uint8Array> }).transformToWebStream();
    return Readable.fromWeb(web as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  throw new S3AccessError('S3_GET_FAILED', `${where}: GetObject returned no readable body`);
}
