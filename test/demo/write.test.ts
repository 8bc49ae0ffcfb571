import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { captureRecordSchema } from '../../src/captures/record.ts';
import { scanWindow } from '../../src/captures/scan-window.ts';
import { countTraffic, trafficLines, TrafficOptionsError, writeTrafficFiles, type WriteTrafficResult } from '../../src/demo/index.ts';
import { memoryQuarantine } from '../../src/store/quarantine.ts';
import { HOUR, MONDAY } from './helpers.ts';

const START = MONDAY + 10 * HOUR;
const END = MONDAY + 14 * HOUR;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'evalwatch-demo-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

async function linesOf(dir: string, key: string): Promise<string[]> {
  const raw = await readFile(join(dir, key));
  const text = (key.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** True when a reader must accept the line. */
function acceptable(line: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return false;
  }
  return captureRecordSchema.safeParse(parsed).success;
}

describe('writeTrafficFiles', () => {
  let dir: string;
  let result: WriteTrafficResult;

  beforeAll(async () => {
    dir = join(root, 'hive');
    result = await writeTrafficFiles({ dir, seed: 5, start: START, end: END });
  });

  it('writes two gzip objects per hour under Hive partitions, and reports their keys', async () => {
    expect(result.keys).toEqual(
      [10, 11, 12, 13].flatMap((h) => [0, 1].map((p) => `dt=2026-01-05/hour=${h}/part-${p}.jsonl.gz`)),
    );
    expect(await filesUnder(dir)).toEqual([...result.keys].sort());
    expect(result.objects).toBe(8);
    let bytes = 0;
    for (const key of result.keys) bytes += (await readFile(join(dir, key))).length;
    expect(result.bytes).toBe(bytes);
  });

  it('puts each record into the object of its hour and half-hour', async () => {
    const hive = keyTemplate('hive');
    for (const key of result.keys) {
      const hour = hive.hourOf(key)!;
      const part = Number(/part-(\d)/.exec(key)![1]);
      for (const line of await linesOf(dir, key)) {
        if (!acceptable(line)) continue;
        const t = Date.parse((JSON.parse(line) as { timestamp: string }).timestamp);
        expect(t - hour).toBeGreaterThanOrEqual(part * 30 * 60_000);
        expect(t - hour).toBeLessThan((part + 1) * 30 * 60_000);
      }
    }
  });

  it('counts records and malformed lines exactly as a reader finds them', async () => {
    let good = 0;
    let bad = 0;
    for (const key of result.keys) for (const line of await linesOf(dir, key)) acceptable(line) ? good++ : bad++;
    expect(good).toBe(result.records);
    expect(bad).toBe(result.malformedLines);
    // The default sprinkle: ~0.2% of lines, replacing records, so the total stays the traffic's.
    expect(result.records + result.malformedLines).toBe(countTraffic({ seed: 5, start: START, end: END }));
    expect(result.malformedLines).toBeGreaterThan(0);
    expect(result.malformedLines / (result.records + result.malformedLines)).toBeLessThan(0.01);
  });

  it('agrees with the capture reader (fs source, scanWindow): same records, every bad line rejected', async () => {
    const quarantine = memoryQuarantine();
    const scan = await scanWindow(createFsSource({ root: dir }), { start: START, end: END }, { quarantine, runId: 'demo-test' }, () => {});
    expect(scan.counts.objects).toBe(result.objects);
    expect(scan.counts.records).toBe(result.records);
    const rejected = Object.values(scan.counts.rejected).reduce((s, n) => s + n, 0);
    expect(rejected).toBe(result.malformedLines);
    expect(scan.counts.rejected.invalid_json).toBeGreaterThan(0);
    expect(scan.counts.rejected.schema_invalid).toBeGreaterThan(0);
  });

  it('writes the same bytes for the same options (gzip header without mtime)', async () => {
    const again = join(root, 'hive-again');
    const second = await writeTrafficFiles({ dir: again, seed: 5, start: START, end: END });
    expect(second).toEqual(result);
    for (const key of result.keys) {
      const a = await readFile(join(dir, key));
      const b = await readFile(join(again, key));
      expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'));
      expect([a[0], a[1]]).toEqual([0x1f, 0x8b]);
      expect(a.readUInt32LE(4)).toBe(0); // MTIME
    }
  });

  it('supports an exact malformed-line count, Firehose keys, plain JSONL and one object per hour', async () => {
    const out = join(root, 'firehose');
    const r = await writeTrafficFiles({
      dir: out,
      seed: 5,
      start: START,
      end: END,
      textMode: 'short',
      keyTemplate: 'firehose',
      gzip: false,
      objectsPerHour: 1,
      malformedLines: 25,
    });
    expect(r.keys).toEqual([10, 11, 12, 13].map((h) => `2026/01/05/${h}/part-0.jsonl`));
    expect(r.malformedLines).toBe(25);
    let bad = 0;
    for (const key of r.keys) for (const line of await linesOf(out, key)) if (!acceptable(line)) bad++;
    expect(bad).toBe(25);
  });

  it('counts injected malformed lines and records stripped of a required field', async () => {
    const r = await writeTrafficFiles({
      dir: join(root, 'injected'),
      seed: 5,
      start: START,
      end: END,
      textMode: 'short',
      malformedLines: 0,
      injections: [
        { kind: 'malformed', from: START, share: 0.05 },
        { kind: 'missing_field', from: START, field: 'timestamp', share: 0.02 },
      ],
    });
    const total = countTraffic({ seed: 5, start: START, end: END });
    expect(r.records + r.malformedLines).toBe(total);
    expect(r.malformedLines / total).toBeGreaterThan(0.05);
    expect(r.malformedLines / total).toBeLessThan(0.1);
  });

  it('rejects unusable writer options', async () => {
    await expect(writeTrafficFiles({ dir: join(root, 'x'), start: START, end: END, objectsPerHour: 0 })).rejects.toThrow(TrafficOptionsError);
    await expect(writeTrafficFiles({ dir: join(root, 'x'), start: START, end: START + 60_000, malformedLines: 1e6 })).rejects.toThrow(
      /malformedLines/,
    );
    await expect(writeTrafficFiles({ dir: join(root, 'x'), start: START, end: END, keyTemplate: 'daily' })).rejects.toThrow(/keyTemplate/);
  });
});

describe('trafficLines', () => {
  it('corrupts the same records whatever the window (share mode is keyed by request_id)', () => {
    const whole = [...trafficLines({ seed: 9, start: START, end: END, textMode: 'short', malformedLines: { share: 0.05 } })];
    const part = [...trafficLines({ seed: 9, start: START + HOUR, end: END, textMode: 'short', malformedLines: { share: 0.05 } })];
    expect(part.length).toBeGreaterThan(0);
    expect(part.length).toBeLessThan(whole.length);
    expect(whole.slice(whole.length - part.length)).toEqual(part);
  });
});
