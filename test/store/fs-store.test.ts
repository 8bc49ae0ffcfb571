import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFsStore, StoreKeyError } from '../../src/store/fs-store.ts';
import type { ResultsStore } from '../../src/store/types.ts';

let root: string;
let store: ResultsStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'evalwatch-store-'));
  store = createFsStore({ root });
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

const text = (u: Uint8Array | null) => (u === null ? null : Buffer.from(u).toString());

describe('createFsStore', () => {
  it('put / get / overwrite / delete', async () => {
    await store.put('runs/2026-11-23/r1/report.json', '{"a":1}');
    expect(text(await store.get('runs/2026-11-23/r1/report.json'))).toBe('{"a":1}');
    await store.put('runs/2026-11-23/r1/report.json', new Uint8Array([104, 105]));
    expect(text(await store.get('runs/2026-11-23/r1/report.json'))).toBe('hi');
    await store.delete('runs/2026-11-23/r1/report.json');
    expect(await store.get('runs/2026-11-23/r1/report.json')).toBeNull();
    await expect(store.delete('runs/2026-11-23/r1/report.json')).resolves.toBeUndefined();
  });

  it('get of a missing key or a folder is null', async () => {
    expect(await store.get('nope/x.json')).toBeNull();
    await store.put('a/b/c.json', '1');
    expect(await store.get('a/b')).toBeNull();
  });

  it('lists recursively in lexicographic key order, with prefixes that cut inside a name', async () => {
    for (const k of ['runs/2026-11-23/r2/report.json', 'runs/2026-11-23/r1/report.html', 'runs/2026-11-24/r3/report.json', 'runs/2026-11-23/r1/report.json', 'a.txt', 'a/b.txt', 'quarantine/x.jsonl']) {
      await store.put(k, k);
    }
    expect(await all(store.list('runs/'))).toEqual([
      'runs/2026-11-23/r1/report.html',
      'runs/2026-11-23/r1/report.json',
      'runs/2026-11-23/r2/report.json',
      'runs/2026-11-24/r3/report.json',
    ]);
    expect(await all(store.list('runs/2026-11-2'))).toHaveLength(4);
    expect(await all(store.list('runs/2026-11-24'))).toEqual(['runs/2026-11-24/r3/report.json']);
    // '.' (0x2E) sorts before '/' (0x2F): whole-key order, not folder-by-folder.
    expect(await all(store.list(''))).toEqual([
      'a.txt',
      'a/b.txt',
      'quarantine/x.jsonl',
      'runs/2026-11-23/r1/report.html',
      'runs/2026-11-23/r1/report.json',
      'runs/2026-11-23/r2/report.json',
      'runs/2026-11-24/r3/report.json',
    ]);
    expect(await all(store.list('missing/'))).toEqual([]);
  });

  it('rejects keys that escape the root or are malformed, with a clear error', async () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b', '', 'a\\b', 'x/']) {
      await expect(store.put(bad, 'x'), bad).rejects.toBeInstanceOf(StoreKeyError);
      await expect(store.get(bad), bad).rejects.toBeInstanceOf(StoreKeyError);
    }
    await expect(store.put('../x', 'x')).rejects.toThrow(/relative "\/"-separated path/);
    await expect(all(store.list('../'))).rejects.toBeInstanceOf(StoreKeyError);
  });

  it('locate gives the absolute path; describe a file URL; check writes and removes a probe', async () => {
    expect(store.locate('runs/x/report.html')).toBe(join(root, 'runs', 'x', 'report.html'));
    expect(store.describe()).toMatch(/^file:\/\//);
    await store.check();
    expect(await readdir(root)).toEqual([]);
  });

  it('putIfAbsent writes once, then refuses without touching the object', async () => {
    expect(await store.putIfAbsent('m/claim', 'first')).toBe(true);
    expect(await store.putIfAbsent('m/claim', 'second')).toBe(false);
    expect(text(await store.get('m/claim'))).toBe('first');
    expect(await readdir(join(root, 'm'))).toEqual(['claim']); // no temp files left behind
  });

  it('putIfAbsent: of many concurrent callers exactly one wins, and the object is the winner\'s', async () => {
    for (let round = 0; round < 10; round++) {
      const key = `race/k${round}`;
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.putIfAbsent(key, `writer-${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(text(await store.get(key))).toBe(`writer-${results.indexOf(true)}`);
    }
    expect((await readdir(join(root, 'race'))).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
  });

  it('putIfAbsent across two processes: exactly one wins', async () => {
    const storeModule = fileURLToPath(new URL('../../src/store/fs-store.ts', import.meta.url));
    const script = `
      const { createFsStore } = await import(${JSON.stringify(storeModule)});
      const s = createFsStore({ root: ${JSON.stringify(root)} });
      const won = [];
      for (let i = 0; i < 30; i++) won.push(await s.putIfAbsent('xproc/k' + i, String(process.pid)));
      console.log(JSON.stringify(won));`;
    const run = () =>
      new Promise<boolean[]>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d));
        p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as boolean[]) : reject(new Error(`exit ${code}`))));
      });
    const [a, b] = await Promise.all([run(), run()]);
    for (let i = 0; i < 30; i++) expect(Number(a[i]) + Number(b[i]), `key ${i}`).toBe(1);
  });

  it('a reader never sees a partial object while it is rewritten concurrently', async () => {
    // Atomicity comes from rename, not from fsync; skipping fsync keeps the test fast.
    const store = createFsStore({ root, fsync: false });
    const size = 1024 * 1024;
    const versions = ['a', 'b', 'c', 'd'].map((ch) => Buffer.alloc(size, ch));
    await store.put('big/obj.bin', versions[0]!);
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i < 24; i++) await store.put('big/obj.bin', versions[i % 4]!);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const got = await store.get('big/obj.bin');
      expect(got).not.toBeNull();
      expect(got!.length).toBe(size);
      const first = got![0]!;
      // Every byte equals the first: a whole version, never a mix or a prefix.
      expect(Buffer.from(got!).equals(Buffer.alloc(size, first))).toBe(true);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect(await readdir(join(root, 'big'))).toEqual(['obj.bin']);
  });

  it('keys may not name our temporary files, so listings never show a write in progress', async () => {
    await expect(store.put('a/.~evalwatch-tmp.123', 'x')).rejects.toBeInstanceOf(StoreKeyError);
  });

  it('fsyncs durable writes (file and folder) and skips fsync for scratch writes (durable: false)', async () => {
    // FileHandle is not exported: its prototype comes from a handle.
    const probe = await open(join(root, 'probe'), 'w');
    const sync = vi.spyOn(Object.getPrototypeOf(probe) as { sync(): Promise<void> }, 'sync');
    await probe.close();
    try {
      await store.put('runs/r1/report.json', '{"a":1}');
      expect(sync).toHaveBeenCalledTimes(2);
      sync.mockClear();
      await store.put('runs/r1/partials/u1.json', '{"b":2}', { durable: false });
      expect(await store.putIfAbsent('runs/r1/partials/u2.json', '{"c":3}', { durable: false })).toBe(true);
      expect(sync).not.toHaveBeenCalled();
      expect(text(await store.get('runs/r1/partials/u1.json'))).toBe('{"b":2}');
      expect(text(await store.get('runs/r1/partials/u2.json'))).toBe('{"c":3}');
    } finally {
      sync.mockRestore();
    }
  });
});
