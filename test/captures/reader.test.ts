import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsSource } from '../../src/captures/fs-source.ts';
import type { ReadRecord } from '../../src/captures/record.ts';
import { scanObject, type ScanOptions } from '../../src/captures/reader.ts';
import type { CaptureObject, CaptureSource } from '../../src/captures/source.ts';
import { memoryQuarantine, type MemoryQuarantine } from '../../src/store/quarantine.ts';
import { HOUR14, line, tempDir, writeKey } from './helpers.ts';

const P = 'dt=2026-11-23/hour=14/';

let root: string;
let cleanup: () => Promise<void>;
let q: MemoryQuarantine;

beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
  q = memoryQuarantine();
});
afterEach(() => cleanup());

async function scan(key: string, body: string | Uint8Array | null, opts: Partial<ScanOptions> = {}, source?: CaptureSource) {
  if (body !== null) await writeKey(root, P + key, body);
  const src = source ?? createFsSource({ root, highWaterMark: 7 });
  const records: ReadRecord[] = [];
  const res = await scanObject(src, { key: P + key, partitionStart: HOUR14 }, { quarantine: q, runId: 'run-1', ...opts }, (r) => records.push(r));
  return { res, records, entries: q.pending() };
}

describe('scanObject: well-formed input', () => {
  const body = [line({ request_id: 'a' }), line({ request_id: 'b' }), line({ request_id: 'c' })].join('\n') + '\n';

  it('reads plain JSONL', async () => {
    const { res, records } = await scan('a.jsonl', body);
    expect(records.map((r) => r.request_id)).toEqual(['a', 'b', 'c']);
    expect(res.counts).toEqual({
      objects: 1, objectsRead: 1, records: 3, populationRecords: 3, estimatedCalls: 3, rejected: {}, quarantined: 0, bytes: Buffer.byteLength(body),
    });
  });

  it('reads gzip by magic bytes, whatever the extension', async () => {
    const a = await scan('a.jsonl', gzipSync(body));
    expect(a.records).toHaveLength(3);
    const b = await scan('b.jsonl.gz', body);
    expect(b.records).toHaveLength(3);
  });

  it('reads concatenated gzip members', async () => {
    const gz = Buffer.concat([gzipSync(line({ request_id: 'a' }) + '\n' + line({ request_id: 'b' }).slice(0, 10)), gzipSync(line({ request_id: 'b' }).slice(10) + '\n'), gzipSync(line({ request_id: 'c' }))]);
    const { res, records } = await scan('m.jsonl.gz', gz);
    expect(records.map((r) => r.request_id)).toEqual(['a', 'b', 'c']);
    expect(res.counts.rejected).toEqual({});
  });

  it('handles CRLF, a last line without newline, and blank lines', async () => {
    const { res, records } = await scan('crlf.jsonl', `${line({ request_id: 'a' })}\r\n\r\n   \n${line({ request_id: 'b' })}\r\n${line({ request_id: 'c' })}`);
    expect(records.map((r) => r.request_id)).toEqual(['a', 'b', 'c']);
    expect(res.counts.rejected).toEqual({});
    expect(res.counts.objectsRead).toBe(1);
  });

  it('weights by 1/sample_rate and counts only random-sample rows as population', async () => {
    const lines = [
      line({ request_id: 'a', sample_rate: 0.1 }),
      line({ request_id: 'b', sample_rate: 0.25, captured_reason: 'random_sample' }),
      line({ request_id: 'c', sample_rate: 0.5, captured_reason: 'explicit_flag' }),
      line({ request_id: 'd', captured_reason: 'anomaly_detected' }),
      line({ request_id: 'e' }),
    ];
    const { res, records } = await scan('w.jsonl', lines.join('\n'));
    expect(records.map((r) => [r.request_id, r.weight, r.population])).toEqual([
      ['a', 10, true], ['b', 4, true], ['c', 2, false], ['d', 1, false], ['e', 1, true],
    ]);
    expect(res.counts).toMatchObject({ records: 5, populationRecords: 3, estimatedCalls: 15 });
  });

  it('applies the field map (OpenTelemetry names, flat and nested) before validation', async () => {
    const flat = JSON.stringify({ request_id: 'a', timestamp: '2026-11-23T14:00:00Z', endpoint: 'chat', 'gen_ai.usage.input_tokens': 7, 'http.response.status_code': 429 });
    const nested = JSON.stringify({ request_id: 'b', timestamp: '2026-11-23T14:00:00Z', endpoint: 'chat', gen_ai: { usage: { output_tokens: 9 }, request: { model: 'm' } } });
    const { records, res } = await scan('f.jsonl', `${flat}\n${nested}\n`, { fieldMap: { endpoint: 'route' } });
    expect(res.counts.rejected).toEqual({});
    expect(records[0]).toMatchObject({ route: 'chat', input_tokens: 7, downstream_status: '429' });
    expect(records[1]).toMatchObject({ route: 'chat', output_tokens: 9, model: 'm' });
  });

  it('accepts records outside their partition hour but counts them', async () => {
    const lines = [
      line({ timestamp: '2026-11-23T14:59:59Z' }),
      line({ timestamp: '2026-11-23T13:30:00Z' }), // within the 1h slack
      line({ timestamp: '2026-11-23T11:00:00Z' }), // 3h early
      line({ timestamp: '2026-11-23T16:00:00Z' }), // exactly 1h after the hour's end: beyond
    ];
    const { res, records } = await scan('skew.jsonl', lines.join('\n'));
    expect(records).toHaveLength(4);
    expect(res.outOfPartition).toBe(2);
  });

  it('keeps only the window\'s records, clamping skewed timestamps into their partition hour', async () => {
    const lines = [
      line({ request_id: 'early', timestamp: '2026-11-23T14:10:00Z' }),
      line({ request_id: 'in', timestamp: '2026-11-23T14:40:00Z' }),
      line({ request_id: 'skewed-late', timestamp: '2026-11-23T18:00:00Z' }),
      line({ request_id: 'skewed-early', timestamp: '2026-11-23T09:00:00Z' }),
    ];
    const window = { start: HOUR14 + 30 * 60_000, end: HOUR14 + 3_600_000 };
    const { res, records } = await scan('win.jsonl', lines.join('\n'), { window });
    expect(records.map((r) => r.request_id)).toEqual(['in', 'skewed-late']);
    expect(res.outsideWindow).toBe(2);
    expect(res.counts.records).toBe(2);
  });
});

describe('scanObject: bad input', () => {
  it('counts and quarantines every bad line with its reason, line number and detail', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const long = line({ request_id: 'x'.repeat(300) });
    const body = Buffer.concat([
      Buffer.from(
        [
          line({ request_id: 'ok1' }), // 1
          'not json', // 2
          '[1,2]', // 3
          line({ input_tokens: '12' }), // 4
          JSON.stringify({ timestamp: '2026-11-23T14:00:00Z' }), // 5
          '', // 6 (blank)
          long, // 7
          'null', // 8
        ].join('\n') + '\n',
      ),
      bad, // 9
      Buffer.from('\n' + line({ request_id: 'ok2', timestamp: 'yesterday' }) + '\n' + line({ request_id: 'ok3' })), // 10, 11
    ]);
    const { res, records, entries } = await scan('bad.jsonl', body, { maxLineBytes: 200, maxRawBytes: 100 });
    expect(records.map((r) => r.request_id)).toEqual(['ok1', 'ok3']);
    expect(res.counts).toMatchObject({
      objects: 1,
      objectsRead: 1,
      records: 2,
      rejected: { invalid_json: 3, schema_invalid: 3, line_too_long: 1, invalid_utf8: 1 },
      quarantined: 8,
      bytes: body.length,
    });
    const base = { key: P + 'bad.jsonl', runId: 'run-1' };
    expect(entries.map(({ detail: _d, ...e }) => e)).toEqual([
      { ...base, line: 2, reason: 'invalid_json', raw: 'not json' },
      { ...base, line: 3, reason: 'invalid_json', raw: '[1,2]' },
      { ...base, line: 4, reason: 'schema_invalid', raw: line({ input_tokens: '12' }) },
      { ...base, line: 5, reason: 'schema_invalid', raw: JSON.stringify({ timestamp: '2026-11-23T14:00:00Z' }) },
      { ...base, line: 7, reason: 'line_too_long', raw: long.slice(0, 100), rawBytes: long.length },
      { ...base, line: 8, reason: 'invalid_json', raw: 'null' },
      { ...base, line: 9, reason: 'invalid_utf8', raw: '{"a":"\ufffd\ufffd"}', rawBase64: bad.toString('base64') },
      { ...base, line: 10, reason: 'schema_invalid', raw: line({ request_id: 'ok2', timestamp: 'yesterday' }) },
    ]);
    const details = entries.map((e) => e.detail);
    expect(details[0]).toMatch(/JSON/);
    expect(details[1]).toBe('expected a JSON object, got an array');
    expect(details[2]).toBe('input_tokens: expected number, received string');
    expect(details[3]).toBe('request_id: required, missing (expected string); route: required, missing (expected string)');
    expect(details[4]).toBe(`the line has ${long.length} bytes, more than maxLineBytes (200)`);
    expect(details[5]).toBe('expected a JSON object, got null');
    expect(details[6]).toBe('the line is not valid UTF-8');
    expect(details[7]).toBe('timestamp: Invalid ISO datetime');
  });

  it('3 valid + 1 bad + a truncated gzip tail: exact counts, the damage is one entry', async () => {
    const first = [line({ request_id: 'a' }), line({ request_id: 'b' }), '{oops', line({ request_id: 'c' })].join('\n') + '\n';
    const second = gzipSync(line({ request_id: 'd' }) + '\n');
    // The second member is cut inside its 10-byte header: nothing of it can be decompressed.
    const gz = Buffer.concat([gzipSync(first), second.subarray(0, 6)]);
    const { res, records, entries } = await scan('t.jsonl.gz', gz);
    expect(records.map((r) => r.request_id)).toEqual(['a', 'b', 'c']);
    expect(res.counts).toEqual({
      objects: 1,
      objectsRead: 0,
      records: 3,
      populationRecords: 3,
      estimatedCalls: 3,
      rejected: { invalid_json: 1, truncated_gzip: 1 },
      quarantined: 2,
      bytes: Buffer.byteLength(first),
    });
    expect(entries.map(({ detail: _d, ...e }) => e)).toEqual([
      { key: P + 't.jsonl.gz', line: 3, reason: 'invalid_json', raw: '{oops', runId: 'run-1' },
      { key: P + 't.jsonl.gz', line: 5, reason: 'truncated_gzip', raw: '', runId: 'run-1' },
    ]);
    expect(entries[1]!.detail).toBe(
      `the gzip data ends early or is corrupt after ${Buffer.byteLength(first)} decompressed bytes (Z_BUF_ERROR: unexpected end of file); lines before line 5 were read`,
    );
  });

  it('a gzip member cut in the middle of a line keeps the partial line as the damage entry\'s raw', async () => {
    const tail = gzipSync(line({ request_id: 'd' }) + '\n' + line({ request_id: 'e' }) + '\n');
    const gz = Buffer.concat([gzipSync(line({ request_id: 'a' }) + '\n'), tail.subarray(0, tail.length - 12)]);
    const { res, records, entries } = await scan('t2.jsonl.gz', gz);
    // How much of the cut member zlib releases before noticing is its business; what is certain:
    const ids = records.map((r) => r.request_id);
    expect(ids[0]).toBe('a');
    expect(res.counts.records).toBe(ids.length);
    expect(res.counts.rejected).toEqual({ truncated_gzip: 1 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ reason: 'truncated_gzip', line: ids.length + 1 });
    const cutLine = line({ request_id: ['d', 'e'][ids.length - 1] ?? 'd' });
    expect(cutLine.startsWith(entries[0]!.raw)).toBe(true);
  });

  it('a large truncated single-member gzip yields exactly the complete lines before the cut, in order', async () => {
    const all = Array.from({ length: 3000 }, (_, i) => line({ request_id: `r${i}`, response: 'lorem ipsum '.repeat(i % 7) + i }));
    const gz = gzipSync(all.join('\n') + '\n');
    const { res, records, entries } = await scan('big.jsonl.gz', gz.subarray(0, Math.floor(gz.length * 0.6)), { chunkSize: 1024 });
    const n = records.length;
    expect(n).toBeGreaterThan(1000);
    expect(records.map((r) => r.request_id)).toEqual(all.slice(0, n).map((_, i) => `r${i}`));
    expect(res.counts.rejected).toEqual({ truncated_gzip: 1 });
    expect(entries[0]).toMatchObject({ line: n + 1, reason: 'truncated_gzip' });
    expect(all[n]!.startsWith(entries[0]!.raw)).toBe(true);
  });

  it('corrupt gzip (bad header after a valid member) is one truncated_gzip entry after the good lines', async () => {
    const gz = Buffer.concat([gzipSync(line({ request_id: 'a' }) + '\n'), Buffer.from([0x1f, 0x8b, 0x00, 0x00, 0x01])]);
    const { res, records } = await scan('c.jsonl.gz', gz);
    expect(records.map((r) => r.request_id)).toEqual(['a']);
    expect(res.counts.rejected).toEqual({ truncated_gzip: 1 });
  });

  it('object deleted between list and get → object_missing', async () => {
    const { res, records, entries } = await scan('gone.jsonl', null);
    expect(records).toEqual([]);
    expect(res.counts).toMatchObject({ objects: 1, objectsRead: 0, records: 0, rejected: { object_missing: 1 }, quarantined: 1 });
    expect(entries).toEqual([{ key: P + 'gone.jsonl', line: 0, reason: 'object_missing', detail: 'the object was listed but no longer exists', raw: '', runId: 'run-1' }]);
  });

  it('empty object and blank-only object → empty_object', async () => {
    const a = await scan('e1.jsonl', '');
    expect(a.res.counts).toMatchObject({ objectsRead: 1, records: 0, rejected: { empty_object: 1 } });
    expect(a.entries[0]).toMatchObject({ line: 0, reason: 'empty_object', detail: 'the object has no bytes' });
    q = memoryQuarantine();
    const b = await scan('e2.jsonl.gz', gzipSync('\n\r\n  \n'));
    expect(b.res.counts.rejected).toEqual({ empty_object: 1 });
    expect(b.entries[0]).toMatchObject({ detail: 'the object has only blank lines' });
  });

  it('a source error mid-stream → read_error after the lines already read', async () => {
    const failing: CaptureSource = {
      describe: () => 'failing',
      list: async function* () {},
      check: async () => {},
      open: async () =>
        Readable.from(
          (async function* () {
            yield Buffer.from(line({ request_id: 'a' }) + '\n' + line({ request_id: 'b' }).slice(0, 5));
            throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
          })(),
        ),
    };
    const { res, records, entries } = await scan('x.jsonl', null, {}, failing);
    expect(records.map((r) => r.request_id)).toEqual(['a']);
    expect(res.counts).toMatchObject({ objectsRead: 0, records: 1, rejected: { read_error: 1 } });
    expect(entries[0]).toMatchObject({ line: 2, reason: 'read_error', raw: line({ request_id: 'b' }).slice(0, 5) });
    expect(entries[0]!.detail).toContain('ECONNRESET: connection reset');
  });

  it('a source whose open() throws → read_error for the object', async () => {
    const throwing: CaptureSource = {
      describe: () => 'throwing',
      list: async function* () {},
      check: async () => {},
      open: async () => {
        throw new Error('AccessDenied');
      },
    };
    const { res, entries } = await scan('x.jsonl', null, {}, throwing);
    expect(res.counts.rejected).toEqual({ read_error: 1 });
    expect(entries[0]).toMatchObject({ line: 0, reason: 'read_error', detail: 'AccessDenied' });
  });

  it('bounds the quarantine per object but keeps counting', async () => {
    q = memoryQuarantine({ maxEntriesPerObject: 3 });
    const { res } = await scan('many.jsonl', Array.from({ length: 10 }, () => 'bad').join('\n'));
    expect(res.counts.rejected).toEqual({ invalid_json: 10 });
    expect(res.counts.quarantined).toBe(3);
    expect(q.dropped()).toEqual({ [P + 'many.jsonl']: 7 });
  });

  it('stops with the abort reason when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await writeKey(root, P + 'a.jsonl', line());
    const src = createFsSource({ root });
    await expect(scanObject(src, { key: P + 'a.jsonl', partitionStart: HOUR14 } satisfies CaptureObject, { quarantine: q, runId: 'r', signal: ac.signal }, () => {})).rejects.toThrow('stop');
  });

  it('surfaces an exception thrown by onRecord instead of swallowing it', async () => {
    await writeKey(root, P + 'a.jsonl', line());
    const src = createFsSource({ root });
    await expect(
      scanObject(src, { key: P + 'a.jsonl', partitionStart: HOUR14 }, { quarantine: q, runId: 'r' }, () => {
        throw new Error('consumer bug');
      }),
    ).rejects.toThrow('consumer bug');
  });
});
