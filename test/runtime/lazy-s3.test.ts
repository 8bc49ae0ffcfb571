import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { createS3Source } from '../../src/captures/s3-source.ts';
import { lazyS3Source, lazyS3Store } from '../../src/runtime/lazy-s3.ts';
import { createS3Store } from '../../src/store/s3-store.ts';
import { startS3TestSetup, type S3TestSetup } from '../helpers/s3-server.ts';

const BUCKET = 'lazy-bucket';
const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let setup: S3TestSetup;
let endpoint: string;

beforeAll(async () => {
  setup = await startS3TestSetup({ buckets: [BUCKET] });
  endpoint = setup.s3.endpoint;
});
afterAll(() => setup.stop());
afterEach(() => setup.reset());

describe('lazyS3Store / lazyS3Source', () => {
  it('describe and locate match the eager store and source for any prefix shape', () => {
    for (const prefix of [undefined, '', 'prod', '/evalwatch/prod/', '//a//b//']) {
      const opts = { bucket: BUCKET, ...(prefix !== undefined ? { prefix } : {}) };
      const lazy = lazyS3Store(opts);
      const eager = createS3Store({ client: setup.client, ...opts });
      expect(lazy.describe()).toBe(eager.describe());
      for (const key of ['runs/r1/report.json', '/runs/r1/report.json', 'a']) expect(lazy.locate(key)).toBe(eager.locate(key));
      const template = keyTemplate('hive');
      expect(lazyS3Source(opts, template).describe()).toBe(createS3Source({ client: setup.client, ...opts, keyTemplate: template }).describe());
    }
  });

  it('the store puts, gets, lists, presigns, checks and deletes through S3 once used', async () => {
    const store = lazyS3Store({ bucket: BUCKET, prefix: 'prod', endpoint, forcePathStyle: true });
    expect(setup.s3.requests).toHaveLength(0);
    await store.put('runs/r1/report.json', '{"ok":true}');
    expect(await store.putIfAbsent('runs/r1/report.json', 'other')).toBe(false);
    expect(await store.putIfAbsent('runs/r1/started', '')).toBe(true);
    expect(text(await store.get('runs/r1/report.json'))).toBe('{"ok":true}');
    expect(await store.get('runs/missing')).toBeNull();
    expect(await all(store.list('runs/'))).toEqual(['runs/r1/report.json', 'runs/r1/started']);
    expect(await store.presign!('runs/r1/report.json', 60)).toMatch(new RegExp(`^${endpoint}/${BUCKET}/prod/runs/r1/report\\.json\\?.*X-Amz-Signature=`));
    await store.check();
    await store.delete('runs/r1/started');
    expect(setup.s3.keys(BUCKET)).toEqual(['prod/runs/r1/report.json']);
  });

  it('the store reports a bad encryption setting on first use, with the eager store’s error', async () => {
    const store = lazyS3Store({ bucket: BUCKET, endpoint, forcePathStyle: true, sseKmsKeyId: 'k1' });
    expect(store.describe()).toBe(`s3://${BUCKET}/`);
    await expect(store.get('x')).rejects.toMatchObject({ code: 'S3_CONFIG', message: `s3://${BUCKET}: sseKmsKeyId needs serverSideEncryption 'aws:kms' or 'aws:kms:dsse'` });
  });

  it('the source lists and opens captures once used', async () => {
    const store = lazyS3Store({ bucket: BUCKET, prefix: 'cap', endpoint, forcePathStyle: true });
    await store.put('dt=2026-11-23/hour=14/a.jsonl', '{"x":1}\n');
    const source = lazyS3Source({ bucket: BUCKET, prefix: 'cap', endpoint, forcePathStyle: true }, keyTemplate('hive'));
    const window = { start: Date.UTC(2026, 10, 23, 14), end: Date.UTC(2026, 10, 23, 15) };
    const objects = await all(source.list(window));
    expect(objects.map((o) => o.key)).toEqual(['dt=2026-11-23/hour=14/a.jsonl']);
    const body = await source.open('dt=2026-11-23/hour=14/a.jsonl');
    expect(Buffer.concat(await all<Buffer>(body!)).toString('utf8')).toBe('{"x":1}\n');
    await source.check();
  });
});
