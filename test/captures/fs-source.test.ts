import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsSource, SourceKeyError } from '../../src/captures/fs-source.ts';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { listWindow, scanWindow } from '../../src/captures/scan-window.ts';
import { memoryQuarantine } from '../../src/store/quarantine.ts';
import { line, tempDir, writeKey } from './helpers.ts';

const H = (d: number, h: number) => Date.UTC(2026, 10, d, h);

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: root, cleanup } = await tempDir()));
afterEach(() => cleanup());

/**
 * Makes a partition folder that cannot be listed: a symlink to itself. readdir() on it fails with
 * ELOOP, so a listing that so much as looked into it would reject.
 */
async function poison(prefix: string): Promise<void> {
  const parts = prefix.split('/').filter(Boolean);
  const parent = join(root, ...parts.slice(0, -1));
  await mkdir(parent, { recursive: true });
  await symlink(parts.at(-1)!, join(parent, parts.at(-1)!));
}

describe('createFsSource: listing a window', () => {
  it('hive: lists only the overlapping partitions, in key order, with partition hours and sizes', async () => {
    await writeKey(root, 'dt=2026-11-23/hour=13/a.jsonl', 'x');
    await writeKey(root, 'dt=2026-11-23/hour=14/b.jsonl.gz', 'xy');
    await writeKey(root, 'dt=2026-11-23/hour=14/a.jsonl', 'xyz');
    await writeKey(root, 'dt=2026-11-23/hour=14/nested/c.jsonl', 'x');
    await writeKey(root, 'dt=2026-11-23/hour=14/notes.txt', 'ignored');
    await writeKey(root, 'dt=2026-11-23/hour=15/d.jsonl', 'x');
    await poison('dt=2026-11-23/hour=12/');
    await poison('dt=2026-11-23/hour=16/');
    const source = createFsSource({ root });
    const objects = await listWindow(source, { start: H(23, 13) + 1, end: H(23, 15) + 1 });
    expect(objects).toEqual([
      { key: 'dt=2026-11-23/hour=13/a.jsonl', size: 1, partitionStart: H(23, 13) },
      { key: 'dt=2026-11-23/hour=14/a.jsonl', size: 3, partitionStart: H(23, 14) },
      { key: 'dt=2026-11-23/hour=14/b.jsonl.gz', size: 2, partitionStart: H(23, 14) },
      { key: 'dt=2026-11-23/hour=14/nested/c.jsonl', size: 1, partitionStart: H(23, 14) },
      { key: 'dt=2026-11-23/hour=15/d.jsonl', size: 1, partitionStart: H(23, 15) },
    ]);
    // The poison is real: a window that touches it fails loudly.
    await expect(listWindow(source, { start: H(23, 12), end: H(23, 13) })).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('firehose: YYYY/MM/DD/HH/ across a day boundary', async () => {
    await writeKey(root, '2026/11/23/23/a.jsonl.gz', 'x');
    await writeKey(root, '2026/11/24/00/b.jsonl.gz', 'x');
    await poison('2026/11/24/01/');
    await poison('2026/11/23/22/');
    const source = createFsSource({ root, keyTemplate: 'firehose' });
    const objects = await listWindow(source, { start: H(23, 23), end: H(24, 1) });
    expect(objects.map((o) => [o.key, o.partitionStart])).toEqual([
      ['2026/11/23/23/a.jsonl.gz', H(23, 23)],
      ['2026/11/24/00/b.jsonl.gz', H(24, 0)],
    ]);
  });

  it('a custom template, given as a string or a parsed template', async () => {
    await writeKey(root, 'svc/chat/2026-11-23T14/x.jsonl', 'x');
    await poison('svc/chat/2026-11-23T15/');
    for (const t of ['svc/chat/{YYYY}-{MM}-{DD}T{HH}/', keyTemplate('svc/chat/{YYYY}-{MM}-{DD}T{HH}/')]) {
      const objects = await listWindow(createFsSource({ root, keyTemplate: t }), { start: H(23, 14), end: H(23, 15) });
      expect(objects.map((o) => o.key)).toEqual(['svc/chat/2026-11-23T14/x.jsonl']);
    }
  });

  it('a window with no partitions on disk lists nothing', async () => {
    expect(await listWindow(createFsSource({ root }), { start: H(1, 0), end: H(2, 0) })).toEqual([]);
  });
});

describe('createFsSource: open and check', () => {
  it('opens raw bytes; null when the object is gone', async () => {
    await writeKey(root, 'dt=2026-11-23/hour=14/a.jsonl', 'hello');
    const source = createFsSource({ root });
    const s = await source.open('dt=2026-11-23/hour=14/a.jsonl');
    const chunks: Buffer[] = [];
    for await (const c of s!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    expect(await source.open('dt=2026-11-23/hour=14/missing.jsonl')).toBeNull();
  });

  it('refuses keys that leave the root', async () => {
    const source = createFsSource({ root });
    await expect(source.open('../etc/passwd')).rejects.toBeInstanceOf(SourceKeyError);
    await expect(source.open('/etc/passwd')).rejects.toBeInstanceOf(SourceKeyError);
    await expect(source.open('a//b.jsonl')).rejects.toBeInstanceOf(SourceKeyError);
  });

  it('check() fails when the root is missing, and describes itself as a file URL', async () => {
    await expect(createFsSource({ root: join(root, 'nope') }).check()).rejects.toThrow(/capture folder .*nope does not exist \(set captures\.source/);
    await expect(createFsSource({ root }).check()).resolves.toBeUndefined();
    expect(createFsSource({ root }).describe()).toMatch(/^file:\/\//);
  });
});

describe('scanWindow', () => {
  it('scans every object of the window, merges counts in key order, flushes quarantine per object, never opens other partitions', async () => {
    for (let i = 0; i < 6; i++) {
      const body = [line({ request_id: `h14-${i}-a`, sample_rate: 0.5 }), line({ request_id: `h14-${i}-b` }), ...(i % 2 ? ['bad line'] : [])].join('\n');
      await writeKey(root, `dt=2026-11-23/hour=14/part-${i}.jsonl${i % 3 === 0 ? '.gz' : ''}`, i % 3 === 0 ? gzipSync(body) : body);
    }
    await writeKey(root, 'dt=2026-11-23/hour=15/last.jsonl', line({ request_id: 'h15', timestamp: '2026-11-23T15:00:00Z' }));
    await poison('dt=2026-11-23/hour=13/');
    await poison('dt=2026-11-23/hour=16/');
    const q = memoryQuarantine();
    const seen: string[] = [];
    const res = await scanWindow(createFsSource({ root }), { start: H(23, 14), end: H(23, 16) }, { quarantine: q, runId: 'r', concurrency: 3 }, (r) => seen.push(r.request_id));
    expect(seen.sort()).toEqual([...Array.from({ length: 6 }, (_, i) => [`h14-${i}-a`, `h14-${i}-b`]).flat(), 'h15'].sort());
    expect(res.counts).toMatchObject({ objects: 7, objectsRead: 7, records: 13, populationRecords: 13, estimatedCalls: 19, rejected: { invalid_json: 3 }, quarantined: 3 });
    expect(res.objects.map((o) => o.key)).toEqual([...Array.from({ length: 6 }, (_, i) => `dt=2026-11-23/hour=14/part-${i}.jsonl${i % 3 === 0 ? '.gz' : ''}`), 'dt=2026-11-23/hour=15/last.jsonl']);
    // Flushed as it went: nothing left pending, three entries written.
    expect(q.pending()).toEqual([]);
    expect(q.written.map((e) => [e.key, e.line])).toEqual(
      expect.arrayContaining([['dt=2026-11-23/hour=14/part-1.jsonl', 3], ['dt=2026-11-23/hour=14/part-3.jsonl.gz', 3], ['dt=2026-11-23/hour=14/part-5.jsonl', 3]]),
    );
  });

  it('an empty window gives empty counts', async () => {
    const res = await scanWindow(createFsSource({ root }), { start: H(1, 0), end: H(1, 1) }, { quarantine: memoryQuarantine(), runId: 'r' }, () => {});
    expect(res.counts.objects).toBe(0);
    expect(res.objects).toEqual([]);
  });
});
