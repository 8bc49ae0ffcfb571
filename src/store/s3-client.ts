import { S3Client } from '@aws-sdk/client-s3';

/**
 * Connection settings shared by the S3 capture source and the S3 results store: the config's
 * `s3` block without `bucket`/`prefix`. Credentials are deliberately absent — they come from the
 * standard AWS chain (environment, shared config/SSO, web identity, container or instance role),
 * never from the config file.
 */
export interface S3ConnectionOptions {
  /** AWS region. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  readonly region?: string;
  /** Custom endpoint for S3-compatible stores (MinIO, R2, Ceph, a local test server). Default: AWS. */
  readonly endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible stores. Default: false. */
  readonly forcePathStyle?: boolean;
  /**
   * When the SDK adds CRC checksums to requests and validates them on responses.
   * `when_supported` is the SDK's default since 2025: every PutObject carries an
   * `x-amz-checksum-crc32` (streamed bodies are sent `aws-chunked` with a trailer) and GetObject
   * asks for checksum validation. Several S3-compatible stores reject those headers or, worse,
   * store the `aws-chunked` framing as the object's bytes. `when_required` sends checksums only
   * for operations whose API demands them. Default: `when_required` when `endpoint` is set (a
   * third-party store), `when_supported` on AWS itself, which supports them.
   */
  readonly checksums?: 'when_supported' | 'when_required';
  /** Attempts per request, including the first, with the SDK's standard retry backoff. Default: 3. */
  readonly maxAttempts?: number;
  /** Time to open a TCP/TLS connection before the attempt fails (and is retried). Default: 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Time from sending a request to its response headers before the attempt fails (and is
   * retried). Covers uploading the body, so it bounds the largest PutObject too. Default: 60,000 ms.
   */
  readonly responseTimeoutMs?: number;
  /**
   * Socket inactivity, also while a GetObject body is streamed, before the request is destroyed
   * with a `TimeoutError`. Without it a stalled connection hangs a job forever; keep it above the
   * longest pause a consumer may apply through backpressure. Default: 120,000 ms.
   */
  readonly idleTimeoutMs?: number;
  /** Environment used to resolve the region. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The region the client will use.
 *
 * @example
 * resolveS3Region({}, { AWS_DEFAULT_REGION: 'eu-west-1' }); // 'eu-west-1'
 * resolveS3Region({ region: 'us-west-2' }, { AWS_REGION: 'eu-west-1' }); // 'us-west-2'
 */
export function resolveS3Region(
  options: Pick<S3ConnectionOptions, 'region'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

/**
 * Builds the S3 client for a config `s3` block. Credentials are resolved lazily by the SDK's
 * default provider chain on the first request, so building a client never fails for missing
 * credentials; the first call (or `check()`) does.
 *
 * @example
 * const client = createS3Client({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
 * const source = createS3Source({ client, bucket: 'captures', prefix: 'prod', keyTemplate: 'hive' });
 */
export function createS3Client(options: S3ConnectionOptions = {}): S3Client {
  const checksums = options.checksums ?? (options.endpoint ? 'when_required' : 'when_supported');
  const mode = checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  return new S3Client({
    region: resolveS3Region(options, options.env),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
    maxAttempts: options.maxAttempts ?? 3,
    // The SDK's defaults have no timeouts at all; an S3 endpoint that stops answering would hang
    // a worker's job (and its BullMQ lock renewal keeps it from being seen as stalled).
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? 10_000,
      requestTimeout: options.responseTimeoutMs ?? 60_000,
      throwOnRequestTimeout: true,
      socketTimeout: options.idleTimeoutMs ?? 120_000,
    },
    // A bucket in another region than the configured one answers 301; follow it instead of
    // failing every request with an opaque PermanentRedirect.
    followRegionRedirects: true,
  });
}

/** Why an S3 call failed, with the URL of the bucket or object it was about. */
export class S3AccessError extends Error {
  override readonly name = 'S3AccessError';
  constructor(
    /** `S3_LIST_FAILED`, `S3_GET_FAILED`, `S3_PUT_FAILED`, `S3_DELETE_FAILED`, `S3_UNREACHABLE`, … */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Fields the SDK puts on service errors; read defensively since any error can reach us. */
interface SdkErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * The S3 error code of an SDK error (`NoSuchKey`, `PreconditionFailed`, `NotFound` for bodiless
 * HEAD replies), or `undefined` for errors that are not S3 replies.
 *
 * @example
 * s3ErrorCode(err) === 'NoSuchKey'
 */
export function s3ErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as SdkErrorShape;
  if (e.$metadata?.httpStatusCode === undefined) return undefined;
  return e.Code && e.Code !== 'UnknownError' ? e.Code : e.name;
}

/**
 * The HTTP status of an SDK error, or `undefined` when the request never got a reply.
 *
 * @example
 * s3HttpStatus(err) === 412
 */
export function s3HttpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as SdkErrorShape).$metadata?.httpStatusCode;
}

/**
 * One line describing an SDK error for a person: `AccessDenied (HTTP 403): Access Denied`.
 *
 * @example
 * throw new S3AccessError('S3_GET_FAILED', `s3://b/k: GetObject failed: ${describeS3Error(err)}`);
 */
export function describeS3Error(err: unknown): string {
  const status = s3HttpStatus(err);
  const code = s3ErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === undefined) return message;
  const detail = message && message !== code && message !== 'UnknownError' ? `: ${message}` : '';
  return `${code ?? 'Error'} (HTTP ${status})${detail}`;
}

// Kept importable from here; it lives in an SDK-free module for the lazy S3 store and source.
export { normalizeS3Prefix } from './s3-prefix.ts';
