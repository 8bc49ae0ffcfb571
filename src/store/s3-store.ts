import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3AccessError, describeS3Error, normalizeS3Prefix, s3ErrorCode, s3HttpStatus } from './s3-client.ts';
import type { PutOptions, ResultsStore } from './types.ts';

export interface S3StoreOptions {
  /** A client from `createS3Client`. */
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix of the store inside the bucket, with or without slashes. Default: `''`. */
  readonly prefix?: string;
  /** Server-side encryption sent with every write. Default: none sent, the bucket's default applies. */
  readonly serverSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  /** KMS key id for the `aws:kms*` modes. Default: the account's AWS-managed key. */
  readonly sseKmsKeyId?: string;
  /**
   * How `putIfAbsent` is made conditional. `native`: one PutObject with `If-None-Match: *`, atomic
   * on S3 (since 2024-08), MinIO, R2 and Ceph RGW. If the store answers 501 NotImplemented, the
   * store switches to `head-then-put` by itself. `head-then-put`: HeadObject, then PutObject
   * when absent — for stores that silently ignore the header (`check()` detects those). It is
   * racy: two writers can both see "absent" and both write, the later one winning.
   * Default: `native`.
   */
  readonly conditionalWrites?: 'native' | 'head-then-put';
  /** `MaxKeys` per ListObjectsV2 page in `list()`; S3 caps it at 1,000. Default: 1000. */
  readonly pageSize?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.gz': 'application/gzip',
};

/**
 * The MIME type for a key, from its extension; `application/octet-stream` when unknown.
 *
 * @example
 * contentTypeFor('runs/2026-11-23/r1/report.html'); // 'text/html; charset=utf-8'
 * contentTypeFor('scores/dt=2026-11-23/a.jsonl'); // 'application/x-ndjson'
 */
export function contentTypeFor(key: string): string {
  const m = /\.[A-Za-z0-9]+$/.exec(key);
  return (m && CONTENT_TYPES[m[0].toLowerCase()]) ?? 'application/octet-stream';
}

/**
 * The results store on an S3 bucket/prefix (DESIGN §4). Every write is one PutObject, which S3
 * makes visible atomically; `putIfAbsent` is a conditional PutObject (`If-None-Match: *`).
 *
 * @example
 * const store = createS3Store({ client: createS3Client({}), bucket: 'acme-evalwatch', prefix: 'prod', serverSideEncryption: 'aws:kms' });
 * await store.put('runs/2026-11-23/r1/report.json', JSON.stringify(report));
 * const created = await store.putIfAbsent('runs/2026-11-23/r1/started', ''); // false if another worker won
 */
export function createS3Store(options: S3StoreOptions): ResultsStore {
  const { client, bucket, serverSideEncryption, sseKmsKeyId } = options;
  if (sseKmsKeyId !== undefined && !serverSideEncryption?.startsWith('aws:kms')) {
    throw new S3AccessError('S3_CONFIG', `s3://${bucket}: sseKmsKeyId needs serverSideEncryption 'aws:kms' or 'aws:kms:dsse'`);
  }
  const root = normalizeS3Prefix(options.prefix);
  const pageSize = options.pageSize ?? 1000;
  let conditional = options.conditionalWrites ?? 'native';
  const url = (key: string): string => `s3://${bucket}/${root}${key}`;

  const fullKey = (key: string): string => {
    if (!key || key.startsWith('/')) throw new S3AccessError('S3_BAD_KEY', `${url(key)}: store keys must be relative and non-empty`);
    return root + key;
  };

  const putInput = (key: string, body: string | Uint8Array, opts: PutOptions | undefined): PutObjectCommandInput => ({
    Bucket: bucket,
    Key: fullKey(key),
    Body: body,
    ContentType: opts?.contentType ?? contentTypeFor(key),
    ...(serverSideEncryption ? { ServerSideEncryption: serverSideEncryption } : {}),
    ...(sseKmsKeyId ? { SSEKMSKeyId: sseKmsKeyId } : {}),
  });

  async function put(key: string, body: string | Uint8Array, opts?: PutOptions): Promise<void> {
    const input = putInput(key, body, opts);
    try {
      await client.send(new PutObjectCommand(input));
    } catch (err) {
      throw new S3AccessError('S3_PUT_FAILED', `${url(key)}: PutObject failed: ${describeS3Error(err)}`, { cause: err });
    }
  }

  async function exists(key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
      return true;
    } catch (err) {
      const code = s3ErrorCode(err);
      if (code === 'NotFound' || code === 'NoSuchKey') return false;
      throw new S3AccessError('S3_GET_FAILED', `${url(key)}: HeadObject failed: ${describeS3Error(err)}`, { cause: err });
    }
  }

  async function putIfAbsent(key: string, body: string | Uint8Array, opts?: PutOptions): Promise<boolean> {
    if (conditional === 'head-then-put') {
      if (await exists(key)) return false;
      await put(key, body, opts);
      return true;
    }
    const input = { ...putInput(key, body, opts), IfNoneMatch: '*' };
    // S3 answers 409 ConditionalRequestConflict while a concurrent conditional write to the same
    // key is in flight and asks for a retry; the retry then sees the winner's object (412).
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new PutObjectCommand(input));
        return true;
      } catch (err) {
        const status = s3HttpStatus(err);
        const code = s3ErrorCode(err);
        if (status === 412 || code === 'PreconditionFailed') return false;
        if (code === 'ConditionalRequestConflict' && attempt < 5) {
          await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
          continue;
        }
        if (status === 501 || code === 'NotImplemented') {
          conditional = 'head-then-put';
          return putIfAbsent(key, body, opts);
        }
        throw new S3AccessError('S3_PUT_FAILED', `${url(key)}: conditional PutObject failed: ${describeS3Error(err)}`, { cause: err });
      }
    }
  }

  return {
    describe: () => `s3://${bucket}/${root}`,
    put,
    putIfAbsent,

    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
        if (!out.Body) return new Uint8Array();
        return await out.Body.transformToByteArray();
      } catch (err) {
        if (s3ErrorCode(err) === 'NoSuchKey') return null;
        if (err instanceof S3AccessError) throw err;
        throw new S3AccessError('S3_GET_FAILED', `${url(key)}: GetObject failed: ${describeS3Error(err)}`, { cause: err });
      }
    },

    async *list(prefix) {
      const full = root + prefix.replace(/^\/+/, '');
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: full, MaxKeys: pageSize, ContinuationToken: token }),
          );
        } catch (err) {
          throw new S3AccessError('S3_LIST_FAILED', `s3://${bucket}/${full}: ListObjectsV2 failed: ${describeS3Error(err)}`, { cause: err });
        }
        for (const obj of page.Contents ?? []) {
          if (obj.Key?.startsWith(root)) yield obj.Key.slice(root.length);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        if (page.IsTruncated && !token) {
          throw new S3AccessError('S3_LIST_FAILED', `s3://${bucket}/${full}: ListObjectsV2 reported a truncated page without a continuation token`);
        }
      } while (token);
    },

    async delete(key) {
      try {
        // S3 answers 204 whether or not the key existed.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
      } catch (err) {
        if (s3ErrorCode(err) === 'NoSuchKey') return;
        if (err instanceof S3AccessError) throw err;
        throw new S3AccessError('S3_DELETE_FAILED', `${url(key)}: DeleteObject failed: ${describeS3Error(err)}`, { cause: err });
      }
    },

    locate: (key) => url(key.replace(/^\/+/, '')),

    // Signed locally with the client's credentials (no request); S3 caps the lifetime at 7 days.
    presign: (key, expiresInSeconds) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }), { expiresIn: Math.min(604_800, Math.max(1, Math.floor(expiresInSeconds))) }),

    async check() {
      // A probe under a dot-folder no pipeline lists; removed again whatever happens.
      const probe = `.evalwatch-probe/${randomUUID()}`;
      try {
        if (conditional === 'native') {
          const first = await putIfAbsent(probe, 'probe', { contentType: 'text/plain' });
          const second = await putIfAbsent(probe, 'probe', { contentType: 'text/plain' });
          if (first && second) {
            throw new S3AccessError(
              'S3_CONDITIONAL_WRITES_IGNORED',
              `s3://${bucket}/${root}: the store ignores If-None-Match on PutObject, so putIfAbsent would overwrite; ` +
                `set conditionalWrites: 'head-then-put' (racy) or use a store with conditional writes`,
            );
          }
        } else {
          await put(probe, 'probe', { contentType: 'text/plain' });
        }
      } catch (err) {
        if (err instanceof S3AccessError && err.code === 'S3_CONDITIONAL_WRITES_IGNORED') throw err;
        const cause = err instanceof S3AccessError && err.cause !== undefined ? err.cause : err;
        throw new S3AccessError('S3_UNREACHABLE', `s3://${bucket}/${root}: store is not writable: ${describeS3Error(cause)}`, { cause });
      } finally {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: root + probe })).catch(() => undefined);
      }
    },
  };
}
