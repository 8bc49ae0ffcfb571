import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, createS3Store } from '../../src/store/s3-store.ts';
import { startS3TestSetup, type S3TestServer, type S3TestSetup } from '../helpers/s3-server.ts';

const BUCKET = 'results-bucket';
const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));

let setup: S3TestSetup;
let s3: S3TestServer;
let client: S3Client;

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

beforeAll(async () => {
  setup = await startS3TestSetup({ buckets: [BUCKET] });
  ({ s3, client } = setup);
});

afterAll(() => setup.stop());

afterEach(() => setup.reset());

describe('createS3Store', () => {
  it('puts and gets strings and bytes under the prefix, with a content type from the extension', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: '/evalwatch/prod/' });
    await store.put('runs/2026-11-23/r1/report.json', '{"ok":true}');
    await store.put('runs/2026-11-23/r1/blob.bin', new Uint8Array([0, 1, 2, 255]));
    await store.put('runs/2026-11-23/r1/custom.txt', 'hi', { contentType: 'text/x-custom' });

    expect(text(await store.get('runs/2026-11-23/r1/report.json'))).toBe('{"ok":true}');
    expect([...((await store.get('runs/2026-11-23/r1/blob.bin')) ?? [])]).toEqual([0, 1, 2, 255]);
    const puts = s3.requests.filter((r) => r.op === 'PutObject');
    expect(puts.map((r) => [r.key, r.headers['content-type']])).toEqual([
      ['evalwatch/prod/runs/2026-11-23/r1/report.json', 'application/json'],
      ['evalwatch/prod/runs/2026-11-23/r1/blob.bin', 'application/octet-stream'],
      ['evalwatch/prod/runs/2026-11-23/r1/custom.txt', 'text/x-custom'],
    ]);
    // One PutObject per write: S3 makes it visible atomically. No SSE unless configured.
    expect(puts.every((r) => r.headers['x-amz-server-side-encryption'] === undefined)).toBe(true);
    expect(store.describe()).toBe(`s3://${BUCKET}/evalwatch/prod/`);
    expect(store.locate('runs/2026-11-23/r1/report.json')).toBe(`s3://${BUCKET}/evalwatch/prod/runs/2026-11-23/r1/report.json`);
  });

  it('overwrites with put, returns null for a missing key, and deletes idempotently', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'del' });
    await store.put('a.json', '1');
    await store.put('a.json', '2');
    expect(text(await store.get('a.json'))).toBe('2');
    await store.delete('a.json');
    expect(await store.get('a.json')).toBeNull();
    await store.delete('a.json');
    await store.delete('never-existed.json');
  });

  it('lists every key under a prefix in lexicographic order, across pages', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'ls', pageSize: 2 });
    const keys = ['scores/dt=2026-11-23/b.jsonl', 'scores/dt=2026-11-22/z.jsonl', 'scores/dt=2026-11-23/a.jsonl', 'scores2/x', 'scores/dt=2026-11-23/c/d.jsonl', 'other/q'];
    await Promise.all(keys.map((k) => store.put(k, 'x')));
    s3.requests.length = 0;
    expect(await all(store.list('scores/'))).toEqual([
      'scores/dt=2026-11-22/z.jsonl',
      'scores/dt=2026-11-23/a.jsonl',
      'scores/dt=2026-11-23/b.jsonl',
      'scores/dt=2026-11-23/c/d.jsonl',
    ]);
    expect(s3.requests.filter((r) => r.op === 'ListObjectsV2')).toHaveLength(2);
    expect(await all(store.list(''))).toEqual([...keys].sort());
    expect(await all(store.list('nothing/'))).toEqual([]);
  });

  it('round-trips keys that need URL and XML escaping', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'esc' });
    const keys = ['golden/a&b <c> "d" \'e\'.json', 'golden/ünïcødé/€ 100%.json', 'golden/plus+eq=semi;.json'];
    for (const k of keys) await store.put(k, k);
    expect(await all(store.list('golden/'))).toEqual([...keys].sort());
    for (const k of keys) expect(text(await store.get(k))).toBe(k);
  });

  it('putIfAbsent writes once, then reports false and leaves the object alone', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'once' });
    expect(await store.putIfAbsent('runs/r1/started', 'first')).toBe(true);
    expect(await store.putIfAbsent('runs/r1/started', 'second')).toBe(false);
    expect(text(await store.get('runs/r1/started'))).toBe('first');
    const puts = s3.requests.filter((r) => r.op === 'PutObject');
    expect(puts.map((r) => r.headers['if-none-match'])).toEqual(['*', '*']);
    expect(s3.requests.some((r) => r.op === 'HeadObject')).toBe(false);
  });

  it('concurrent putIfAbsent: exactly one writer wins', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'race' });
    for (const n of [2, 16]) {
      const key = `marker-${n}`;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => store.putIfAbsent(key, `writer-${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(text(await store.get(key))).toBe(`writer-${winner}`);
    }
  });

  it('retries putIfAbsent when S3 reports a conflicting conditional write in flight', async () => {
    let conflicts = 2;
    s3.fault = (r) => (r.op === 'PutObject' && conflicts-- > 0 ? { status: 409, code: 'ConditionalRequestConflict' } : undefined);
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'conflict' });
    expect(await store.putIfAbsent('m', 'x')).toBe(true);
    expect(s3.requests.filter((r) => r.op === 'PutObject')).toHaveLength(3);
    expect(await store.putIfAbsent('m', 'y')).toBe(false);
  });

  it('sends the configured server-side encryption with every write', async () => {
    const kms = createS3Store({ client, bucket: BUCKET, prefix: 'enc', serverSideEncryption: 'aws:kms', sseKmsKeyId: 'alias/evalwatch' });
    await kms.put('a.json', '{}');
    await kms.putIfAbsent('b.json', '{}');
    const aes = createS3Store({ client, bucket: BUCKET, prefix: 'enc', serverSideEncryption: 'AES256' });
    await aes.put('c.json', '{}');
    const puts = s3.requests.filter((r) => r.op === 'PutObject');
    expect(puts.map((r) => [r.headers['x-amz-server-side-encryption'], r.headers['x-amz-server-side-encryption-aws-kms-key-id']])).toEqual([
      ['aws:kms', 'alias/evalwatch'],
      ['aws:kms', 'alias/evalwatch'],
      ['AES256', undefined],
    ]);
    expect(() => createS3Store({ client, bucket: BUCKET, serverSideEncryption: 'AES256', sseKmsKeyId: 'k' })).toThrow(/sseKmsKeyId needs/);
  });

  it('names the object when a write or read fails', async () => {
    s3.fault = (r) => (r.op === 'PutObject' || r.op === 'GetObject' ? { status: 403, code: 'AccessDenied', message: 'Access Denied' } : undefined);
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'deny' });
    await expect(store.put('runs/x.json', '{}')).rejects.toMatchObject({
      code: 'S3_PUT_FAILED',
      message: `s3://${BUCKET}/deny/runs/x.json: PutObject failed: AccessDenied (HTTP 403): Access Denied`,
    });
    await expect(store.putIfAbsent('runs/x.json', '{}')).rejects.toMatchObject({ code: 'S3_PUT_FAILED' });
    await expect(store.get('runs/x.json')).rejects.toThrow(`s3://${BUCKET}/deny/runs/x.json: GetObject failed`);
    await expect(store.put('/abs.json', '{}')).rejects.toMatchObject({ code: 'S3_BAD_KEY' });
  });

  it('check() writes and removes a probe, and names the bucket when it fails', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'probe' });
    await store.check();
    expect(s3.keys(BUCKET).filter((k) => k.startsWith('probe/'))).toEqual([]);
    expect(s3.requests.map((r) => r.op)).toEqual(['PutObject', 'PutObject', 'DeleteObject']);

    await expect(createS3Store({ client, bucket: 'missing-bucket', prefix: 'p' }).check()).rejects.toMatchObject({
      code: 'S3_UNREACHABLE',
      message: expect.stringMatching(/^s3:\/\/missing-bucket\/p\/: store is not writable: NoSuchBucket \(HTTP 404\)/),
    });
  });
});

describe('createS3Store on stores without conditional writes', () => {
  it('check() detects a store that ignores If-None-Match; head-then-put then works (racily)', async () => {
    const laxSetup = await startS3TestSetup({ buckets: [BUCKET], conditionalWrites: 'ignore' });
    const { s3: lax, client: c } = laxSetup;
    try {
      await expect(createS3Store({ client: c, bucket: BUCKET }).check()).rejects.toMatchObject({ code: 'S3_CONDITIONAL_WRITES_IGNORED' });
      expect(lax.keys(BUCKET)).toEqual([]);

      const store = createS3Store({ client: c, bucket: BUCKET, conditionalWrites: 'head-then-put' });
      await store.check();
      expect(await store.putIfAbsent('m', 'first')).toBe(true);
      expect(await store.putIfAbsent('m', 'second')).toBe(false);
      expect(text(await store.get('m'))).toBe('first');
    } finally {
      await laxSetup.stop();
    }
  });

  it('falls back to head-then-put when the store answers 501 to If-None-Match', async () => {
    const oldSetup = await startS3TestSetup({ buckets: [BUCKET], conditionalWrites: 'reject' });
    const { s3: old, client: c } = oldSetup;
    try {
      const store = createS3Store({ client: c, bucket: BUCKET });
      expect(await store.putIfAbsent('m', 'first')).toBe(true);
      expect(await store.putIfAbsent('m', 'second')).toBe(false);
      expect(text(await store.get('m'))).toBe('first');
      await store.check();
      const ops = old.requests.map((r) => r.op);
      // One rejected conditional put, then HeadObject + plain PutObject from then on.
      expect(ops.slice(0, 4)).toEqual(['PutObject', 'HeadObject', 'PutObject', 'HeadObject']);
    } finally {
      await oldSetup.stop();
    }
  });
});

describe('client checksum modes against the test server', () => {
  it('stores the bytes, not the aws-chunked framing, when the SDK default streams a CRC32 trailer', async () => {
    const sdkDefault = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' });
    try {
      const body = Readable.from([Buffer.from('{"a":1}\n'), Buffer.from('{"a":2}\n')]);
      await sdkDefault.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'chunked/x.jsonl', Body: body, ContentLength: 16 }));
      const put = s3.requests.find((r) => r.op === 'PutObject');
      expect(put?.headers['content-encoding']).toContain('aws-chunked');
      const got = await sdkDefault.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'chunked/x.jsonl' }));
      expect(await got.Body?.transformToString()).toBe('{"a":1}\n{"a":2}\n');
      expect(got.ContentEncoding).toBeUndefined();
    } finally {
      sdkDefault.destroy();
    }
  });

  it('our client (WHEN_REQUIRED for custom endpoints) sends no checksum headers on PutObject', async () => {
    const store = createS3Store({ client, bucket: BUCKET, prefix: 'sum' });
    await store.put('a.json', '{}');
    const put = s3.requests.find((r) => r.op === 'PutObject');
    expect(Object.keys(put?.headers ?? {}).filter((h) => h.startsWith('x-amz-checksum') || h === 'x-amz-sdk-checksum-algorithm')).toEqual([]);
  });
});

describe('contentTypeFor', () => {
  it('maps the store file kinds', () => {
    expect(contentTypeFor('runs/d/r/report.json')).toBe('application/json');
    expect(contentTypeFor('runs/d/r/report.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('scores/dt=2026-11-23/a.jsonl')).toBe('application/x-ndjson');
    expect(contentTypeFor('quarantine/x.jsonl.gz')).toBe('application/gzip');
    expect(contentTypeFor('noext')).toBe('application/octet-stream');
  });
});
