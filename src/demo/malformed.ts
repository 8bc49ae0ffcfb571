/**
 * Malformed capture lines, the kinds a real producer writes now and then: log noise in the file, a
 * line cut short by a crash, a field of the wrong type, a missing required field, a timestamp
 * without a zone. The reader must count and quarantine each one without losing the others.
 */

export const malformedKinds = ['not_json', 'truncated_json', 'wrong_type', 'missing_request_id', 'naive_timestamp'] as const;

export type MalformedKind = (typeof malformedKinds)[number];

/** A line that must be written as-is (it is not a record). */
export interface MalformedLine {
  readonly line: string;
  readonly kind: MalformedKind;
  /** Timestamp (epoch ms) of the record the line replaced: decides which object it goes to. */
  readonly ts: number;
}

/**
 * The key under which `generateTraffic` yields a malformed line instead of a record. A symbol, so
 * that a consumer that treats the item as a record sees no `request_id` and rejects it.
 */
export const MALFORMED: unique symbol = Symbol.for('evalwatch.demo.malformed');

/**
 * The malformed line an item stands for, or `undefined` when the item is a record.
 *
 * @example
 * for (const item of generateTraffic(opts)) {
 *   const bad = malformedLineOf(item);
 *   write(bad ? bad.line : JSON.stringify(item));
 * }
 */
export function malformedLineOf(item: Record<string, unknown>): MalformedLine | undefined {
  return (item as { [MALFORMED]?: MalformedLine })[MALFORMED];
}

const NOISE = [
  'WARN capture-writer: upstream closed connection before flush',
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  '---- rotated log segment ----',
  'Traceback (most recent call last): File "writer.py", line 88, in flush',
];

/**
 * Turns a record into a malformed line. `u` in [0, 1) picks the kind (uniformly), `v` in [0, 1)
 * its details, so the same inputs give the same line.
 *
 * @example
 * corruptRecord({ request_id: 'r1', timestamp: '2026-01-05T14:00:00.000Z', route: 'chat' }, 0.3, 0.5, ts);
 * // { kind: 'wrong_type', line: '{"request_id":"r1",…,"input_tokens":"many"}', ts }
 */
export function corruptRecord(record: Record<string, unknown>, u: number, v: number, ts: number): MalformedLine {
  const kind = malformedKinds[Math.min(malformedKinds.length - 1, Math.floor(u * malformedKinds.length))] as MalformedKind;
  switch (kind) {
    case 'not_json':
      return { kind, ts, line: NOISE[Math.floor(v * NOISE.length)] ?? NOISE[0]! };
    case 'truncated_json': {
      const json = JSON.stringify(record);
      // Cut before the closing brace, anywhere past the opening: never valid JSON.
      const at = 2 + Math.floor(v * Math.max(1, json.length - 3));
      return { kind, ts, line: json.slice(0, at) };
    }
    case 'wrong_type':
      return { kind, ts, line: JSON.stringify({ ...record, input_tokens: 'many' }) };
    case 'missing_request_id': {
      const { request_id: _drop, ...rest } = record;
      return { kind, ts, line: JSON.stringify(rest) };
    }
    case 'naive_timestamp': {
      const naive = typeof record.timestamp === 'string' ? record.timestamp.replace('T', ' ').replace(/Z$/, '') : '2026-01-01 00:00:00';
      return { kind, ts, line: JSON.stringify({ ...record, timestamp: naive }) };
    }
  }
}
