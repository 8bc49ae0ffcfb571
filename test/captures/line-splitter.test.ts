import { describe, expect, it } from 'vitest';
import { ASCII, INVALID_UTF8, LineSplitter, UTF8, type LineEncoding } from '../../src/captures/line-splitter.ts';

interface Out {
  kind: 'line' | 'long';
  lineNo: number;
  text: string;
  enc?: LineEncoding;
  bytes?: number;
}

function run(input: Buffer, cuts: number[], maxLineBytes = 1000, headBytes = 8): { out: Out[]; tail: Out | null } {
  const out: Out[] = [];
  const s = new LineSplitter({
    maxLineBytes,
    headBytes,
    onLine: (buf, start, end, lineNo, enc) => out.push({ kind: 'line', lineNo, text: buf.toString('latin1', start, end), enc }),
    onTooLong: (head, bytes, lineNo) => out.push({ kind: 'long', lineNo, text: head.toString('latin1'), bytes }),
  });
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    s.push(input.subarray(prev, c));
    prev = c;
  }
  const p = s.finish();
  const tail = p ? { kind: (p.tooLong ? 'long' : 'line') as Out['kind'], lineNo: p.lineNo, text: p.head.toString('latin1'), bytes: p.bytes } : null;
  return { out, tail };
}

describe('LineSplitter', () => {
  const input = Buffer.concat([
    Buffer.from('{"a":1}\r\n\n  \nplain é line\n'),
    Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), // invalid UTF-8
    Buffer.from('x'.repeat(30) + '\r\n'), // too long (max 20)
    Buffer.from('last\r'),
  ]);

  it('gives the same lines whatever the chunk boundaries (every single cut and pairs of cuts)', () => {
    const reference = run(input, [], 20);
    expect(reference.out.map((o) => [o.kind, o.lineNo, o.text, o.enc ?? o.bytes])).toEqual([
      ['line', 1, '{"a":1}', ASCII],
      ['line', 2, '', ASCII],
      ['line', 3, '  ', ASCII],
      ['line', 4, Buffer.from('plain é line').toString('latin1'), UTF8],
      ['line', 5, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'), INVALID_UTF8],
      ['long', 6, 'xxxxxxxx', 30],
    ]);
    expect(reference.tail).toEqual({ kind: 'line', lineNo: 7, text: 'last', bytes: 4 });
    for (let i = 1; i < input.length; i++) {
      expect(run(input, [i], 20)).toEqual(reference);
      for (let j = i + 1; j < input.length; j += 3) expect(run(input, [i, j], 20)).toEqual(reference);
    }
  });

  it('never holds a too-long line in memory: keeps its head and counts its bytes', () => {
    const big = Buffer.alloc(1_000_000, 'y');
    const chunks = [Buffer.from('ok\n'), ...Array.from({ length: 100 }, (_, i) => big.subarray(i * 10_000, (i + 1) * 10_000)), Buffer.from('\nafter\n')];
    const out: Out[] = [];
    const s = new LineSplitter({
      maxLineBytes: 50_000,
      headBytes: 16,
      onLine: (buf, a, b, lineNo) => out.push({ kind: 'line', lineNo, text: buf.toString('latin1', a, b) }),
      onTooLong: (head, bytes, lineNo) => out.push({ kind: 'long', lineNo, text: head.toString('latin1'), bytes }),
    });
    let carriedMax = 0;
    for (const c of chunks) {
      s.push(c);
      // The carry is private; its size is observable through the pending tail only at the end,
      // so check it never exceeds the limit by inspecting the instance's state.
      carriedMax = Math.max(carriedMax, (s as unknown as { carryBytes: number }).carryBytes);
    }
    expect(s.finish()).toBeNull();
    expect(carriedMax).toBeLessThanOrEqual(50_001);
    expect(out).toEqual([
      { kind: 'line', lineNo: 1, text: 'ok' },
      { kind: 'long', lineNo: 2, text: 'y'.repeat(16), bytes: 1_000_000 },
      { kind: 'line', lineNo: 3, text: 'after' },
    ]);
  });

  it('reports a too-long unterminated tail as such', () => {
    const { out, tail } = run(Buffer.from('a\n' + 'z'.repeat(50)), [3, 10, 30], 20, 4);
    expect(out).toEqual([{ kind: 'line', lineNo: 1, text: 'a', enc: ASCII }]);
    expect(tail).toEqual({ kind: 'long', lineNo: 2, text: 'zzzz', bytes: 50 });
  });

  it('splits a multi-byte character across chunks without damage', () => {
    const text = Buffer.from('{"t":"日本語 😀"}\n');
    for (let i = 1; i < text.length; i++) {
      const { out } = run(text, [i]);
      expect(out[0]).toMatchObject({ lineNo: 1, enc: UTF8 });
      expect(Buffer.from(out[0]!.text, 'latin1').toString('utf8')).toBe('{"t":"日本語 😀"}');
    }
  });
});
