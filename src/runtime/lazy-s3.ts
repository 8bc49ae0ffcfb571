import type { KeyTemplate } from '../captures/partitions.ts';
import type { CaptureSource } from '../captures/source.ts';
import type { S3ConnectionOptions } from '../store/s3-client.ts';
import { normalizeS3Prefix } from '../store/s3-prefix.ts';
import type { ResultsStore } from '../store/types.ts';

/** Where an S3 store or source lives: the config's `s3` block (connection, bucket, prefix). */
export interface LazyS3Location extends S3ConnectionOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket. Default: none. */
  readonly prefix?: string;
}

/** Options of {@link lazyS3Store}: the location plus the store's encryption settings. */
export interface LazyS3StoreOptions extends LazyS3Location {
  /** Server-side encryption for every object written. Default: the bucket's own setting. */
  readonly serverSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  /** KMS key id when `serverSideEncryption` is a KMS mode. Default: the bucket's key. */
  readonly sseKmsKeyId?: string;
}

/** Calls `load` once, on first use, and shares its promise. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/**
 * The S3 results store, with the AWS SDK imported on the first call that talks to S3 rather than
 * when the store is built: `describe` and `locate` answer without it, so commands that only build
 * a context (and `--help`) stay fast. Behaves exactly as `createS3Store` otherwise — except that a
 * configuration problem it reports when built (`sseKmsKeyId` without a KMS mode) is thrown by the
 * first call instead.
 *
 * @example
 * const store = lazyS3Store({ bucket: 'acme-evalwatch', prefix: 'prod', region: 'eu-west-1' });
 * store.describe(); // 's3://acme-evalwatch/prod/' (no SDK loaded yet)
 * await store.put('runs/r1/report.json', json); // loads the SDK, then PutObject
 */
export function lazyS3Store(options: LazyS3StoreOptions): ResultsStore {
  const { bucket, serverSideEncryption, sseKmsKeyId } = options;
  const store = once(async () => {
    const [{ createS3Client }, { createS3Store }] = await Promise.all([import('../store/s3-client.ts'), import('../store/s3-store.ts')]);
    return createS3Store({
      client: createS3Client(options),
      bucket,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      ...(serverSideEncryption ? { serverSideEncryption } : {}),
      ...(sseKmsKeyId ? { sseKmsKeyId } : {}),
    });
  });
  const root = normalizeS3Prefix(options.prefix);
  return {
    describe: () => `s3://${bucket}/${root}`,
    put: async (key, body, opts) => (await store()).put(key, body, opts),
    putIfAbsent: async (key, body, opts) => (await store()).putIfAbsent(key, body, opts),
    get: async (key) => (await store()).get(key),
    async *list(prefix) {
      yield* (await store()).list(prefix);
    },
    delete: async (key) => (await store()).delete(key),
    locate: (key) => `s3://${bucket}/${root}${key.replace(/^\/+/, '')}`,
    // The S3 store always signs locally; see createS3Store.
    presign: async (key, expiresInSeconds) => (await store()).presign!(key, expiresInSeconds),
    check: async () => (await store()).check(),
  };
}

/**
 * The S3 capture source, with the AWS SDK imported on the first listing, read or check rather than
 * when the source is built (`describe` answers without it). Otherwise exactly `createS3Source`.
 *
 * @example
 * const source = lazyS3Source({ bucket: 'acme-captures', prefix: 'prod' }, keyTemplate('hive'));
 * for await (const obj of source.list(window)) console.log(obj.key); // loads the SDK first
 */
export function lazyS3Source(options: LazyS3Location, template: KeyTemplate): CaptureSource {
  const { bucket } = options;
  const source = once(async () => {
    const [{ createS3Client }, { createS3Source }] = await Promise.all([import('../store/s3-client.ts'), import('../captures/s3-source.ts')]);
    return createS3Source({ client: createS3Client(options), bucket, ...(options.prefix !== undefined ? { prefix: options.prefix } : {}), keyTemplate: template });
  });
  const root = normalizeS3Prefix(options.prefix);
  return {
    describe: () => `s3://${bucket}/${root}`,
    async *list(window) {
      yield* (await source()).list(window);
    },
    open: async (key, signal) => (await source()).open(key, signal),
    check: async () => (await source()).check(),
  };
}
