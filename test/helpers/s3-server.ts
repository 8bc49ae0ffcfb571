/**
 * A small S3-protocol server for tests: real HTTP, real S3 XML, driven by the real
 * `@aws-sdk/client-s3` client. It speaks exactly the subset evalwatch uses.
 *
 * Why not `s3rver` (installed, v3.7.1)? It was tried first against @aws-sdk/client-s3 3.1173 on
 * Node 20 and has three incompatibilities that cannot be configured around from the client:
 * - ListObjectsV2 continuation tokens are encrypted with DES, which OpenSSL 3 (Node ≥ 17) only
 *   offers behind `--openssl-legacy-provider`; every truncated listing (> 1,000 keys) answers
 *   500 InternalError, so pagination cannot be tested at all.
 * - PutObject ignores `If-None-Match: *`, so conditional writes silently overwrite.
 * - With the SDK's default checksum mode, streamed uploads are sent `aws-chunked` with a CRC32
 *   trailer, and s3rver stores the chunk framing as the object's bytes.
 * It also lists in directory-walk order rather than S3's UTF-8 byte order.
 *
 * What this server does: path-style addressing; HeadBucket, CreateBucket, ListObjectsV2 (prefix,
 * delimiter, max-keys ≤ 1000, start-after, opaque continuation tokens, real XML), GetObject,
 * HeadObject, PutObject (`If-None-Match: *` → 412, `If-Match`, `aws-chunked` bodies, CRC32 and
 * Content-MD5 verification, SSE headers stored and echoed), DeleteObject. Objects live in memory
 * (test objects are small, and it keeps a 2,500-object test fast). Anything else answers
 * 501 NotImplemented rather than pretending.
 *
 * What it does not do: SigV4 signatures are not verified (a well-formed `AWS4-HMAC-SHA256`
 * Authorization header, or a presigned URL's query, unexpired, is required, and the access key id
 * is checked when `accessKeyId` is set);
 * Range reads, multipart uploads, versioning and ListObjects v1 answer 501.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/store/s3-client.ts';

/** A request as the server saw it, for tests that prove what the client sent. */
export interface RecordedRequest {
  /** The S3 operation the server routed the request to, e.g. `ListObjectsV2`, `PutObject`. */
  readonly op: string;
  readonly method: string;
  readonly bucket: string;
  /** Object key, decoded; `''` for bucket operations. */
  readonly key: string;
  /** Query parameters, decoded (last value wins). */
  readonly query: Readonly<Record<string, string>>;
  /** Request headers, lower-cased names as Node gives them. */
  readonly headers: IncomingHttpHeaders;
}

/** An error reply a test asks the server to give instead of serving a request. */
export interface S3Fault {
  readonly status: number;
  /** S3 error code, e.g. `AccessDenied`, `SlowDown`. */
  readonly code: string;
  /** Default: the code. */
  readonly message?: string;
}

export interface S3ServerOptions {
  /** Buckets that exist at start. Default: `['evalwatch-test']`. */
  readonly buckets?: readonly string[];
  /**
   * When set, only requests signed with this access key id are served; others get 403
   * `InvalidAccessKeyId`. Default: any well-formed SigV4 Authorization header is accepted.
   */
  readonly accessKeyId?: string;
  /**
   * How PutObject treats `If-None-Match: *` / `If-Match`: `enforce` as S3 does (412
   * PreconditionFailed), `ignore` as some S3-compatible stores do (silently overwrite), or
   * `reject` with 501 NotImplemented as others do. Default: `enforce`.
   */
  readonly conditionalWrites?: 'enforce' | 'ignore' | 'reject';
}

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint` (use `forcePathStyle: true`). */
  readonly endpoint: string;
  /** Every request served so far, in arrival order. Tests may clear it with `length = 0`. */
  readonly requests: RecordedRequest[];
  /** When it returns a fault for a request, the server answers with that error instead. */
  fault: ((req: RecordedRequest) => S3Fault | undefined) | undefined;
  /** Creates a bucket directly (no request recorded). */
  createBucket(name: string): void;
  /** Keys currently stored in a bucket, in S3 order (no request recorded). */
  keys(bucket: string): string[];
  stop(): Promise<void>;
}

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  /** Response headers to echo: content-type, SSE, user metadata. */
  readonly headers: Readonly<Record<string, string>>;
}

class ReplyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'cache-control',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
];

/**
 * Starts the server on a free 127.0.0.1 port.
 *
 * @example
 * const s3 = await startS3Server({ buckets: ['captures'] });
 * const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' });
 * // … test …
 * await s3.stop();
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  for (const b of options.buckets ?? ['evalwatch-test']) buckets.set(b, new Map());
  const requests: RecordedRequest[] = [];
  const conditional = options.conditionalWrites ?? 'enforce';

  const api: S3TestServer = {
    endpoint: '',
    requests,
    fault: undefined,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    keys(bucket) {
      return sortedKeys(buckets.get(bucket) ?? new Map());
    },
    stop: async () => undefined,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.slice(1);
    const slash = path.indexOf('/');
    const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const method = req.method ?? 'GET';
    const op = operationOf(method, bucket, key, query);
    const recorded: RecordedRequest = { op, method, bucket, key, query, headers: req.headers };
    requests.push(recorded);
    // Read the body before any reply, so keep-alive connections stay in sync.
    const raw = await readBody(req);
    try {
      authenticate(req.headers, options.accessKeyId, query);
      const fault = api.fault?.(recorded);
      if (fault) throw new ReplyError(fault.status, fault.code, fault.message ?? fault.code);
      if (op === 'Unsupported') {
        throw new ReplyError(501, 'NotImplemented', `${method} ${url.pathname}${url.search} is not implemented by the test server`);
      }
      if (op === 'CreateBucket') {
        api.createBucket(bucket);
        return send(res, 200, {}, '');
      }
      const objects = buckets.get(bucket);
      if (!objects) throw new ReplyError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
      switch (op) {
        case 'HeadBucket':
          return send(res, 200, {}, '');
        case 'ListObjectsV2':
          return send(res, 200, { 'content-type': 'application/xml' }, listXml(bucket, objects, query));
        case 'GetObject':
        case 'HeadObject': {
          const obj = objects.get(key);
          if (!obj) throw new ReplyError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
          if (req.headers.range) throw new ReplyError(501, 'NotImplemented', 'Range reads are not implemented by the test server');
          const headers = {
            ...obj.headers,
            etag: obj.etag,
            'last-modified': obj.lastModified.toUTCString(),
            'content-length': String(obj.body.length),
          };
          return send(res, 200, headers, op === 'HeadObject' ? undefined : obj.body);
        }
        case 'PutObject': {
          const body = decodeBody(req.headers, raw);
          verifyChecksums(req.headers, body.data, body.trailers);
          verifySse(req.headers);
          const existing = objects.get(key);
          checkPreconditions(req.headers, existing, conditional);
          // The check above and this write run in one synchronous step: concurrent conditional
          // writes to one key are decided atomically, as on S3.
          const etag = `"${createHash('md5').update(body.data).digest('hex')}"`;
          const headers: Record<string, string> = { 'content-type': 'binary/octet-stream' };
          for (const [name, value] of Object.entries(req.headers)) {
            if (typeof value !== 'string') continue;
            if (STORED_HEADERS.includes(name) || name.startsWith('x-amz-meta-')) headers[name] = value;
          }
          // aws-chunked is a transfer framing, not the object's stored encoding.
          const enc = headers['content-encoding']?.split(',').map((s) => s.trim()).filter((s) => s !== 'aws-chunked');
          if (enc && enc.length > 0) headers['content-encoding'] = enc.join(',');
          else delete headers['content-encoding'];
          objects.set(key, { body: body.data, etag, lastModified: new Date(), headers });
          const echo: Record<string, string> = { etag };
          for (const h of ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id']) {
            if (headers[h]) echo[h] = headers[h];
          }
          return send(res, 200, echo, '');
        }
        case 'DeleteObject':
          objects.delete(key);
          return send(res, 204, {}, undefined);
        default:
          throw new ReplyError(501, 'NotImplemented', `${op} is not implemented by the test server`);
      }
    } catch (err) {
      if (!(err instanceof ReplyError)) throw err;
      const fields = Object.entries({ Code: err.code, Message: err.message, ...err.extra, RequestId: randomUUID() })
        .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
        .join('');
      // HEAD replies carry no body; the SDK then falls back to the status (e.g. `NotFound`).
      const body = method === 'HEAD' ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>`;
      send(res, err.status, { 'content-type': 'application/xml' }, body);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(`<Error><Code>InternalError</Code><Message>${escapeXml(String(err))}</Message></Error>`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  Object.assign(api, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return api;
}

/** A running test server with our own client pointed at it. */
export interface S3TestSetup {
  readonly s3: S3TestServer;
  /** From `createS3Client`: path-style, the project's checksum and timeout defaults. */
  readonly client: S3Client;
  /** Forgets recorded requests and clears the fault; call between tests. */
  reset(): void;
  /** Destroys the client, stops the server and restores the AWS variables it set. */
  stop(): Promise<void>;
}

/** Variables the setup replaces: fake credentials for the SDK's default chain, no profile. */
const FAKE_AWS_ENV: Readonly<Record<string, string | undefined>> = {
  AWS_ACCESS_KEY_ID: 'evalwatch-test',
  AWS_SECRET_ACCESS_KEY: 'evalwatch-test-secret',
  AWS_PROFILE: undefined,
};

/**
 * Starts a test server and a client for it, with fake credentials in the environment (the code
 * under test never takes credentials; the SDK's default chain finds these). `stop()` undoes it all.
 *
 * @example
 * let setup: S3TestSetup;
 * beforeAll(async () => (setup = await startS3TestSetup({ buckets: ['captures'] })));
 * afterEach(() => setup.reset());
 * afterAll(() => setup.stop());
 */
export async function startS3TestSetup(options: S3ServerOptions & { readonly region?: string } = {}): Promise<S3TestSetup> {
  const saved = Object.entries(FAKE_AWS_ENV).map(([name]) => [name, process.env[name]] as const);
  const setEnv = (vars: Iterable<readonly [string, string | undefined]>): void => {
    for (const [name, value] of vars) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  setEnv(Object.entries(FAKE_AWS_ENV));
  let s3: S3TestServer;
  try {
    s3 = await startS3Server(options);
  } catch (err) {
    setEnv(saved);
    throw err;
  }
  const client = createS3Client({ endpoint: s3.endpoint, forcePathStyle: true, ...(options.region ? { region: options.region } : {}) });
  return {
    s3,
    client,
    reset() {
      s3.fault = undefined;
      s3.requests.length = 0;
    },
    async stop() {
      client.destroy();
      await s3.stop();
      setEnv(saved);
    },
  };
}

function operationOf(method: string, bucket: string, key: string, query: Record<string, string>): string {
  if (!bucket) return 'Unsupported';
  const subresources = ['uploads', 'uploadId', 'versionId', 'versions', 'acl', 'tagging', 'delete', 'policy', 'cors'];
  if (subresources.some((s) => s in query)) return 'Unsupported';
  if (!key) {
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'GET' && query['list-type'] === '2') return 'ListObjectsV2';
    return 'Unsupported';
  }
  switch (method) {
    case 'GET':
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      return 'PutObject';
    case 'DELETE':
      return 'DeleteObject';
    default:
      return 'Unsupported';
  }
}

function authenticate(headers: IncomingHttpHeaders, accessKeyId: string | undefined, query: Record<string, string> = {}): void {
  // A presigned URL carries the same credential scope in its query string, with its own expiry.
  const presigned = query['X-Amz-Algorithm'] === 'AWS4-HMAC-SHA256' && query['X-Amz-Signature'] ? /^([^/]+)\//.exec(query['X-Amz-Credential'] ?? '') : null;
  if (presigned) {
    const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query['X-Amz-Date'] ?? '');
    const signedAt = d ? Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!) : NaN;
    if (!(signedAt + Number(query['X-Amz-Expires']) * 1000 >= Date.now())) throw new ReplyError(403, 'AccessDenied', 'Request has expired');
  }
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(headers.authorization ?? '') ?? presigned;
  if (!m) throw new ReplyError(403, 'AccessDenied', 'Anonymous or non-SigV4 requests are not accepted');
  if (accessKeyId !== undefined && m[1] !== accessKeyId) {
    throw new ReplyError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
}

function checkPreconditions(
  headers: IncomingHttpHeaders,
  existing: StoredObject | undefined,
  mode: 'enforce' | 'ignore' | 'reject',
): void {
  const noneMatch = headers['if-none-match'];
  const match = headers['if-match'];
  if (noneMatch === undefined && match === undefined) return;
  if (mode === 'ignore') return;
  if (mode === 'reject') throw new ReplyError(501, 'NotImplemented', 'Conditional writes are not implemented');
  if (noneMatch !== undefined && noneMatch !== '*') {
    throw new ReplyError(501, 'NotImplemented', 'If-None-Match on PutObject accepts only "*"');
  }
  const failed = (noneMatch === '*' && existing) || (match !== undefined && (!existing || (match !== '*' && match !== existing.etag)));
  if (failed) {
    throw new ReplyError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: noneMatch !== undefined ? 'If-None-Match' : 'If-Match',
    });
  }
}

function verifySse(headers: IncomingHttpHeaders): void {
  const sse = headers['x-amz-server-side-encryption'];
  if (sse !== undefined && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(String(sse))) {
    throw new ReplyError(400, 'InvalidArgument', `Unsupported server-side encryption: ${String(sse)}`);
  }
  if (headers['x-amz-server-side-encryption-aws-kms-key-id'] !== undefined && !String(sse).startsWith('aws:kms')) {
    throw new ReplyError(400, 'InvalidArgument', 'A KMS key id requires x-amz-server-side-encryption aws:kms');
  }
}

interface DecodedBody {
  readonly data: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

/** Removes `aws-chunked` framing (`<hex-size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n`). */
function decodeBody(headers: IncomingHttpHeaders, raw: Buffer): DecodedBody {
  const chunked =
    String(headers['content-encoding'] ?? '').includes('aws-chunked') ||
    String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  if (!chunked) return { data: raw, trailers: {} };
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  const line = (): string => {
    const end = raw.indexOf('\r\n', at);
    if (end < 0) throw new ReplyError(400, 'IncompleteBody', 'aws-chunked body ends inside a chunk header');
    const text = raw.subarray(at, end).toString('latin1');
    at = end + 2;
    return text;
  };
  for (;;) {
    const size = Number.parseInt(line().split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new ReplyError(400, 'InvalidRequest', 'malformed aws-chunked chunk size');
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  while (at < raw.length) {
    const t = line();
    if (t === '') break;
    const colon = t.indexOf(':');
    if (colon > 0) trailers[t.slice(0, colon).trim().toLowerCase()] = t.slice(colon + 1).trim();
  }
  const data = Buffer.concat(parts);
  const declared = headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== data.length) {
    throw new ReplyError(400, 'IncompleteBody', `decoded length ${data.length} ≠ x-amz-decoded-content-length ${declared}`);
  }
  return { data, trailers };
}

/** Verifies CRC32 and Content-MD5 when sent; other algorithms are accepted unverified. */
function verifyChecksums(headers: IncomingHttpHeaders, data: Buffer, trailers: Record<string, string>): void {
  const crc = trailers['x-amz-checksum-crc32'] ?? headers['x-amz-checksum-crc32'];
  if (typeof crc === 'string') {
    const actual = Buffer.alloc(4);
    actual.writeUInt32BE(crc32(data) >>> 0);
    if (actual.toString('base64') !== crc) {
      throw new ReplyError(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    }
  }
  const md5 = headers['content-md5'];
  if (typeof md5 === 'string' && createHash('md5').update(data).digest('base64') !== md5) {
    throw new ReplyError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
}

function sortedKeys(objects: Map<string, StoredObject>): string[] {
  // S3 lists in UTF-8 byte order, which differs from JS string (UTF-16) order above U+FFFF.
  return [...objects.keys()].sort(compareUtf8);
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function listXml(bucket: string, objects: Map<string, StoredObject>, query: Record<string, string>): string {
  const prefix = query.prefix ?? '';
  const delimiter = query.delimiter ?? '';
  const maxKeys = query['max-keys'] === undefined ? 1000 : Number(query['max-keys']);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new ReplyError(400, 'InvalidArgument', 'max-keys must be a non-negative integer', { ArgumentName: 'max-keys' });
  }
  const limit = Math.min(maxKeys, 1000);
  const token = query['continuation-token'];
  let after = query['start-after'] ?? '';
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith('ct:')) {
      throw new ReplyError(400, 'InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    }
    after = decoded.slice(3);
  }
  const contents: string[] = [];
  const common: string[] = [];
  let last = '';
  let truncated = false;
  for (const key of sortedKeys(objects)) {
    if (!key.startsWith(prefix)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const entry = cut >= 0 ? key.slice(0, cut + delimiter.length) : key;
    if (after && compareUtf8(entry, after) <= 0) continue;
    if (entry === last) continue; // further keys under the same common prefix
    if (contents.length + common.length >= limit) {
      truncated = true;
      break;
    }
    last = entry;
    if (cut >= 0) {
      common.push(`<CommonPrefixes><Prefix>${escapeXml(entry)}</Prefix></CommonPrefixes>`);
    } else {
      const o = objects.get(key) as StoredObject;
      contents.push(
        `<Contents><Key>${escapeXml(key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
          `<ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
    }
  }
  const fields = [
    `<Name>${escapeXml(bucket)}</Name>`,
    `<Prefix>${escapeXml(prefix)}</Prefix>`,
    delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : '',
    `<MaxKeys>${maxKeys}</MaxKeys>`,
    `<KeyCount>${contents.length + common.length}</KeyCount>`,
    `<IsTruncated>${truncated}</IsTruncated>`,
    token !== undefined ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '',
    truncated ? `<NextContinuationToken>${Buffer.from(`ct:${last}`).toString('base64url')}</NextContinuationToken>` : '',
    query['start-after'] !== undefined ? `<StartAfter>${escapeXml(query['start-after'])}</StartAfter>` : '',
  ];
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${fields.join('')}${contents.join('')}${common.join('')}</ListBucketResult>`
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer | undefined): void {
  res.statusCode = status;
  res.setHeader('x-amz-request-id', randomUUID());
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.end();
    return;
  }
  if (!('content-length' in headers)) res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
