import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { gzipSync, gunzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Source } from '../../src/captures/s3-source.ts';
import { createS3Client, resolveS3Region } from '../../src/store/s3-client.ts';
import { startS3TestSetup, type S3TestServer, type S3TestSetup } from '../helpers/s3-server.ts';

const BUCKET = 'captures-bucket';
const H = (d: number, h: number): number => Date.UTC(2026, 10, d, h);

let setup: S3TestSetup;
let s3: S3TestServer;
let client: S3Client;

async function putAll(keys: readonly string[], body: string | Uint8Array = '{}\n', concurrency = 64): Promise<void> {
  for (let i = 0; i < keys.length; i += concurrency) {
    await Promise.all(keys.slice(i, i + concurrency).map((Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: body }))));
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listKeys(source: ReturnType<typeof createS3Source>, start: number, end: number): Promise<string[]> {
  const out: string[] = [];
  for await (const o of source.list({ start, end })) out.push(o.key);
  return out;
}

beforeAll(async () => {
  setup = await startS3TestSetup({ buckets: [BUCKET], region: 'us-east-1' });
  ({ s3, client } = setup);
  await putAll([
    // hive, under a prefix, four hours plus noise
    'captures/prod/dt=2026-11-23/hour=09/a.jsonl',
    'captures/prod/dt=2026-11-23/hour=10/b.jsonl.gz',
    'captures/prod/dt=2026-11-23/hour=10/a.jsonl',
    'captures/prod/dt=2026-11-23/hour=10/_SUCCESS',
    'captures/prod/dt=2026-11-23/hour=10/notes.json',
    'captures/prod/dt=2026-11-23/hour=11/sub/c.jsonl',
    'captures/prod/dt=2026-11-23/hour=12/d.jsonl',
    'captures/staging/dt=2026-11-23/hour=10/x.jsonl',
    // firehose, at the bucket root, across midnight
    '2026/11/23/22/e.jsonl',
    '2026/11/23/23/f.jsonl.gz',
    '2026/11/24/00/g.jsonl',
    '2026/11/24/01/h.jsonl',
  ]);
});

afterAll(() => setup.stop());

afterEach(() => setup.reset());

describe('createS3Source().list', () => {
  it('lists only the hive partitions that overlap the window, relative to the prefix, in key order', async () => {
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod', keyTemplate: 'hive' });
    s3.requests.length = 0;
    const objects = [];
    for await (const o of source.list({ start: H(23, 10) + 30 * 60_000, end: H(23, 12) })) objects.push(o);

    expect(objects.map((o) => o.key)).toEqual([
      'dt=2026-11-23/hour=10/a.jsonl',
      'dt=2026-11-23/hour=10/b.jsonl.gz',
      'dt=2026-11-23/hour=11/sub/c.jsonl',
    ]);
    expect(objects.map((o) => o.partitionStart)).toEqual([H(23, 10), H(23, 10), H(23, 11)]);
    expect(objects[0]?.size).toBe(3);
    // Proof on the server side: one ListObjectsV2 per overlapping partition, nothing broader.
    const lists = s3.requests.filter((r) => r.op === 'ListObjectsV2');
    expect(lists.map((r) => r.query.prefix).sort()).toEqual([
      'captures/prod/dt=2026-11-23/hour=10/',
      'captures/prod/dt=2026-11-23/hour=11/',
    ]);
    expect(s3.requests.every((r) => r.op === 'ListObjectsV2')).toBe(true);
  });

  it('lists firehose partitions across midnight at the bucket root', async () => {
    const source = createS3Source({ client, bucket: BUCKET, keyTemplate: 'firehose' });
    const objects = [];
    for await (const o of source.list({ start: H(23, 23), end: H(24, 1) })) objects.push(o);
    expect(objects.map((o) => o.key)).toEqual(['2026/11/23/23/f.jsonl.gz', '2026/11/24/00/g.jsonl']);
    expect(objects.map((o) => o.partitionStart)).toEqual([H(23, 23), H(24, 0)]);
    expect(s3.requests.filter((r) => r.op === 'ListObjectsV2').map((r) => r.query.prefix)).toEqual(['2026/11/23/23/', '2026/11/24/00/']);
  });

  it('accepts a prefix with slashes and an empty window', async () => {
    const source = createS3Source({ client, bucket: BUCKET, prefix: '/captures/prod/' });
    expect(await listKeys(source, H(23, 12), H(23, 13))).toEqual(['dt=2026-11-23/hour=12/d.jsonl']);
    expect(await listKeys(source, H(23, 12), H(23, 12))).toEqual([]);
    expect(source.describe()).toBe(`s3://${BUCKET}/captures/prod/`);
  });

  it('yields keys in key order even for a template whose tokens are not in time order', async () => {
    await putAll(['odd/14/2026-11-23/k.jsonl', 'odd/09/2026-11-24/k.jsonl']);
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'odd', keyTemplate: '{HH}/{YYYY}-{MM}-{DD}/' });
    const objects = [];
    for await (const o of source.list({ start: H(23, 0), end: H(25, 0) })) objects.push(o);
    expect(objects.map((o) => o.key)).toEqual(['09/2026-11-24/k.jsonl', '14/2026-11-23/k.jsonl']);
    expect(objects.map((o) => o.partitionStart)).toEqual([H(24, 9), H(23, 14)]);
  });

  it('follows continuation tokens past 1,000 keys in one partition', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `big/dt=2026-11-23/hour=05/part-${String(i).padStart(5, '0')}.jsonl`);
    await putAll(keys, '{}\n', 100);
    s3.requests.length = 0;
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'big' });
    const listed = await listKeys(source, H(23, 5), H(23, 6));
    expect(listed).toHaveLength(2500);
    expect(listed).toEqual(keys.map((k) => k.slice('big/'.length)));
    const lists = s3.requests.filter((r) => r.op === 'ListObjectsV2');
    expect(lists).toHaveLength(3);
    expect(lists[0]?.query['continuation-token']).toBeUndefined();
    expect(lists[1]?.query['continuation-token']).toBeTruthy();
    expect(lists.every((r) => r.query.prefix === 'big/dt=2026-11-23/hour=05/')).toBe(true);
  });

  it('fetches partitions ahead but stops listing when the consumer stops', async () => {
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod', listAhead: 2 });
    s3.requests.length = 0;
    let first: string | undefined;
    for await (const o of source.list({ start: H(23, 0), end: H(24, 0) })) {
      first = o.key;
      break;
    }
    expect(first).toBe('dt=2026-11-23/hour=09/a.jsonl');
    // Hours 00..09 were listed to find the first key, plus at most `listAhead` more.
    expect(s3.requests.filter((r) => r.op === 'ListObjectsV2').length).toBeLessThanOrEqual(12);
  });

  it('names the bucket and partition when a listing fails', async () => {
    s3.fault = (r) => (r.op === 'ListObjectsV2' && r.query.prefix?.includes('hour=11') ? { status: 403, code: 'AccessDenied' } : undefined);
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod' });
    await expect(listKeys(source, H(23, 10), H(23, 12))).rejects.toMatchObject({
      code: 'S3_LIST_FAILED',
      message: expect.stringContaining(`s3://${BUCKET}/captures/prod/dt=2026-11-23/hour=11/: ListObjectsV2 failed: AccessDenied (HTTP 403)`),
    });
  });
});

describe('createS3Source().open', () => {
  it('streams a gzip object back byte-identical (still compressed)', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ request_id: `r${i}`, noise: randomBytes(24).toString('hex') }));
    const gz = gzipSync(`${lines.join('\n')}\n`);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'captures/prod/dt=2026-11-23/hour=13/z.jsonl.gz', Body: gz }));
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod' });
    const stream = await source.open('dt=2026-11-23/hour=13/z.jsonl.gz');
    expect(stream).not.toBeNull();
    const bytes = await collect(stream as Readable);
    expect(bytes.equals(gz)).toBe(true);
    expect(gunzipSync(bytes).toString().split('\n')[1]).toBe(lines[1]);
  });

  it('returns null for a key that vanished between list and get', async () => {
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod' });
    expect(await source.open('dt=2026-11-23/hour=10/deleted.jsonl')).toBeNull();
  });

  it('throws, naming the object, for other errors — a missing bucket is not a missing object', async () => {
    const gone = createS3Source({ client, bucket: 'no-such-bucket', prefix: 'captures' });
    await expect(gone.open('dt=2026-11-23/hour=10/a.jsonl')).rejects.toMatchObject({
      code: 'S3_GET_FAILED',
      message: expect.stringContaining('s3://no-such-bucket/captures/dt=2026-11-23/hour=10/a.jsonl: GetObject failed: NoSuchBucket (HTTP 404)'),
    });
    s3.fault = (r) => (r.op === 'GetObject' ? { status: 403, code: 'AccessDenied', message: 'Access Denied' } : undefined);
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod' });
    await expect(source.open('dt=2026-11-23/hour=10/a.jsonl')).rejects.toThrow(
      `s3://${BUCKET}/captures/prod/dt=2026-11-23/hour=10/a.jsonl: GetObject failed: AccessDenied (HTTP 403): Access Denied`,
    );
  });

  it('honours an AbortSignal before the request and while streaming', async () => {
    const source = createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod' });
    const aborted = AbortSignal.abort();
    await expect(source.open('dt=2026-11-23/hour=10/a.jsonl', aborted)).rejects.toMatchObject({ name: 'AbortError' });
    expect(s3.requests.filter((r) => r.op === 'GetObject')).toHaveLength(0);

    const controller = new AbortController();
    const stream = await source.open('dt=2026-11-23/hour=13/z.jsonl.gz', controller.signal);
    controller.abort();
    await expect(collect(stream as Readable)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('createS3Source().check', () => {
  it('passes with one cheap listing, and names the bucket when it fails', async () => {
    await createS3Source({ client, bucket: BUCKET, prefix: 'captures/prod' }).check();
    expect(s3.requests.map((r) => [r.op, r.query['max-keys']])).toEqual([['ListObjectsV2', '1']]);
    await expect(createS3Source({ client, bucket: 'missing-bucket', prefix: 'p' }).check()).rejects.toMatchObject({
      code: 'S3_UNREACHABLE',
      message: expect.stringMatching(/^s3:\/\/missing-bucket\/p\/: cannot list captures: NoSuchBucket \(HTTP 404\)/),
    });
  });

  it('names the bucket when the credentials are refused', async () => {
    const strict = await startS3TestSetup({ buckets: [BUCKET], accessKeyId: 'someone-else' });
    try {
      await expect(createS3Source({ client: strict.client, bucket: BUCKET }).check()).rejects.toThrow(
        `s3://${BUCKET}/: cannot list captures: InvalidAccessKeyId (HTTP 403)`,
      );
    } finally {
      await strict.stop();
    }
  });
});

describe('createS3Client', () => {
  it('gives up on an endpoint that accepts connections but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const c = createS3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, responseTimeoutMs: 300, maxAttempts: 1 });
    try {
      await expect(createS3Source({ client: c, bucket: BUCKET }).check()).rejects.toThrow(/^s3:\/\/captures-bucket\/: cannot list captures: .*requestTimeout/);
    } finally {
      c.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('resolves the region from options, then AWS_REGION, AWS_DEFAULT_REGION, us-east-1', () => {
    expect(resolveS3Region({ region: 'us-west-2' }, { AWS_REGION: 'eu-west-1' })).toBe('us-west-2');
    expect(resolveS3Region({}, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-west-1');
    expect(resolveS3Region({}, { AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-central-1');
    expect(resolveS3Region({}, {})).toBe('us-east-1');
  });

  it('sends checksums only when required for custom endpoints, the SDK default on AWS', async () => {
    const custom = createS3Client({ endpoint: 'http://127.0.0.1:1', env: {} });
    const aws = createS3Client({ env: { AWS_REGION: 'eu-west-1' } });
    try {
      expect(await custom.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
      expect(await custom.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
      expect(await aws.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
      expect(await aws.config.region()).toBe('eu-west-1');
      expect(await custom.config.region()).toBe('us-east-1');
    } finally {
      custom.destroy();
      aws.destroy();
    }
  });
});
