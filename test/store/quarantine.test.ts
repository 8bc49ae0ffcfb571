import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { scanWindow } from '../../src/captures/scan-window.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import { aggregateKey, aggregatePrefix, goldenKey, KeyError, quarantineKey, reportKey, scoresKey, shortHash, utcDay } from '../../src/store/keys.ts';
import { memoryQuarantine, storeQuarantine, type QuarantineEntry } from '../../src/store/quarantine.ts';
import type { ResultsStore } from '../../src/store/types.ts';
import { line, writeKey } from '../captures/helpers.ts';

const DAY = Date.UTC(2026, 10, 23, 15, 30);

describe('keys', () => {
  it('builds the DESIGN §4 layout deterministically', () => {
    expect(reportKey('drift-20261123T1400Z-1h', DAY, 'json')).toBe('runs/2026-11-23/drift-20261123T1400Z-1h/report.json');
    expect(reportKey('r', DAY, 'html')).toBe('runs/2026-11-23/r/report.html');
    const h = shortHash('dt=2026-11-23/hour=14/a.jsonl.gz');
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(quarantineKey(DAY, 'r1', 'dt=2026-11-23/hour=14/a.jsonl.gz')).toBe(`quarantine/dt=2026-11-23/r1-${h}.jsonl`);
    expect(quarantineKey(DAY, 'r1', 'dt=2026-11-23/hour=14/b.jsonl.gz')).not.toBe(quarantineKey(DAY, 'r1', 'dt=2026-11-23/hour=14/a.jsonl.gz'));
    expect(scoresKey(DAY, 'judge-1')).toBe('scores/dt=2026-11-23/judge-1.jsonl');
    expect(scoresKey(DAY, 'judge-1', 'u07')).toBe('scores/dt=2026-11-23/judge-1-u07.jsonl');
    expect(goldenKey('checkout', 'g-1')).toBe('golden/checkout/g-1.json');
    expect(aggregateKey('drift', Date.UTC(2026, 10, 23, 4), 'route=chat')).toBe('aggregates/drift/dt=2026-11-23/hour=04/route=chat.json');
    expect(aggregatePrefix('drift')).toBe('aggregates/drift/');
    expect(aggregatePrefix('drift', DAY)).toBe('aggregates/drift/dt=2026-11-23/');
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59))).toBe('2026-01-01');
  });

  it('refuses parts that would change the key structure', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\nb']) {
      expect(() => reportKey(bad, DAY, 'json'), JSON.stringify(bad)).toThrow(KeyError);
    }
    expect(() => goldenKey('../x', 'r')).toThrow(/suite "..\/x" cannot be used in a store key/);
    expect(() => utcDay(NaN)).toThrow(KeyError);
  });
});

describe('quarantine sinks', () => {
  let root: string;
  let store: ResultsStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'evalwatch-q-'));
    store = createFsStore({ root: join(root, 'results'), fsync: false });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const entry = (key: string, line: number): QuarantineEntry => ({ key, line, reason: 'invalid_json', detail: 'd', raw: `raw ${line}`, runId: 'r1' });

  it('writes one JSONL object per (run, capture object), overwriting on retry', async () => {
    const q = storeQuarantine({ store, runId: 'r1', dayMs: DAY });
    expect(q.add(entry('k/a.jsonl', 2))).toBe(true);
    q.add(entry('k/a.jsonl', 5));
    q.add(entry('k/b.jsonl', 1));
    expect(await q.flush()).toBe(3);
    expect(await q.flush()).toBe(0);
    const keyA = quarantineKey(DAY, 'r1', 'k/a.jsonl');
    const body = Buffer.from((await store.get(keyA))!).toString();
    expect(body.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([entry('k/a.jsonl', 2), entry('k/a.jsonl', 5)]);
    // Field order of a line is the documented one.
    expect(Object.keys(JSON.parse(body.split('\n')[0]!))).toEqual(['key', 'line', 'reason', 'detail', 'raw', 'runId']);
    // A retry of the same unit writes the same key: overwritten, not duplicated.
    const retry = storeQuarantine({ store, runId: 'r1', dayMs: DAY });
    retry.add(entry('k/a.jsonl', 2));
    retry.add(entry('k/a.jsonl', 5));
    await retry.flush('k/a.jsonl');
    const all: string[] = [];
    for await (const k of store.list('quarantine/')) all.push(k);
    expect(all).toHaveLength(2);
    expect(Buffer.from((await store.get(keyA))!).toString()).toBe(body);
  });

  it('bounds entries and bytes per object and reports what it dropped', async () => {
    const q = memoryQuarantine({ maxEntriesPerObject: 2, maxBytesPerObject: 1_000_000 });
    for (let i = 1; i <= 5; i++) q.add(entry('a', i));
    q.add(entry('b', 1));
    expect(q.dropped()).toEqual({ a: 3 });
    const big = memoryQuarantine({ maxBytesPerObject: 100 });
    expect(big.add({ ...entry('a', 1), raw: 'x'.repeat(90) })).toBe(true);
    expect(big.add({ ...entry('a', 2), raw: 'x'.repeat(90) })).toBe(false);
    await q.flush();
    expect(q.written.map((e) => [e.key, e.line])).toEqual([['a', 1], ['a', 2], ['b', 1]]);
  });

  it('end to end: a window scan writes the bad lines of each object to the fs store', async () => {
    const src = join(root, 'captures');
    await writeKey(src, 'dt=2026-11-23/hour=14/a.jsonl.gz', gzipSync(`${line()}\nnot json\n${line({ input_tokens: -1 })}\n`));
    await writeKey(src, 'dt=2026-11-23/hour=14/b.jsonl', line());
    const q = storeQuarantine({ store, runId: 'drift-1', dayMs: DAY });
    const res = await scanWindow(createFsSource({ root: src }), { start: Date.UTC(2026, 10, 23, 14), end: Date.UTC(2026, 10, 23, 15) }, { quarantine: q, runId: 'drift-1' }, () => {});
    expect(res.counts).toMatchObject({ records: 2, rejected: { invalid_json: 1, schema_invalid: 1 }, quarantined: 2 });
    const body = Buffer.from((await store.get(quarantineKey(DAY, 'drift-1', 'dt=2026-11-23/hour=14/a.jsonl.gz')))!).toString();
    const lines = body.trimEnd().split('\n').map((l) => JSON.parse(l) as QuarantineEntry);
    expect(lines.map((l) => [l.line, l.reason, l.runId, l.key])).toEqual([
      [2, 'invalid_json', 'drift-1', 'dt=2026-11-23/hour=14/a.jsonl.gz'],
      [3, 'schema_invalid', 'drift-1', 'dt=2026-11-23/hour=14/a.jsonl.gz'],
    ]);
    expect(lines[1]!.detail).toBe('input_tokens: Too small: expected number to be >=0');
    expect(await store.get(quarantineKey(DAY, 'drift-1', 'dt=2026-11-23/hour=14/b.jsonl'))).toBeNull();
  });
});
