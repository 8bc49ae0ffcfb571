import { describe, expect, it } from 'vitest';
import { createFastValidator } from '../../src/captures/fast-validate.ts';
import { captureRecordSchema } from '../../src/captures/record.ts';
import { mulberry32 } from '../../src/stats/index.ts';

const MISSING = Symbol('missing');

/** Values chosen to sit on every rule's edge. */
const interesting: unknown[] = [
  MISSING, null, true, false, 0, -0, 1, -1, 0.5, 1.5, 1e-9, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), Infinity, -Infinity,
  '', 'x', '200', '2026-11-23T14:00:00Z', '2026-11-23T14:00:00.123+02:00', '2026-11-23T14:00:00', '2026-02-29T00:00:00Z',
  '2028-02-29T23:59:59Z', '2026-11-23T24:00:00Z', '2026-11-23t14:00:00z', 'random_sample', 'explicit_flag', 'anomaly_detected',
  'other_reason', [], ['a'], ['a', 1], [null], {}, { role: 'user' }, [{ role: 'user', content: 'hi' }], [{ role: 'user' }],
  [{ role: 'user', content: null }], [{ role: 'user', content: [{ type: 'text' }] }], [{ role: 1, content: 'x' }],
  [{ content: 'x' }], [{ role: 'user', content: 5 }], [['role']], ['just a string'], [{ role: 'user', content: {} }],
];

const fields = Object.keys(captureRecordSchema.shape);

function base(): Record<string, unknown> {
  return { request_id: 'r', timestamp: '2026-11-23T14:00:00Z', route: 'chat' };
}

function randomRecord(r: () => number): Record<string, unknown> {
  const rec = base();
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const f = fields[Math.floor(r() * fields.length)]!;
    const v = interesting[Math.floor(r() * interesting.length)];
    if (v === MISSING) delete rec[f];
    else rec[f] = structuredClone(v);
  }
  if (r() < 0.5) {
    // A realistic valid record with optional fields filled.
    Object.assign(rec, {
      input_tokens: Math.floor(r() * 1000),
      latency_total_ms: r() * 1000,
      cached: r() < 0.5,
      downstream_status: r() < 0.5 ? 200 : '429',
      sample_rate: r() < 0.5 ? 0.1 : 1,
      prompt: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi', name: 'u' }],
      extra_unknown: { nested: [1, 2] },
    });
  }
  return rec;
}

describe('createFastValidator', () => {
  const fast = createFastValidator();

  it('agrees with zod on 10,000 random records near every rule edge', () => {
    const r = mulberry32(7);
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const input = randomRecord(r);
      const z = captureRecordSchema.safeParse(structuredClone(input));
      const f = fast(structuredClone(input));
      if (f !== null) {
        // The contract: fast acceptance implies zod acceptance with the same output.
        expect(z.success, JSON.stringify(input)).toBe(true);
        expect(f).toEqual(z.data);
        accepted++;
      } else {
        // And it is not needlessly conservative: zod rejects whatever the fast path rejects.
        expect(z.success, `fast path refused a valid record: ${JSON.stringify(input)}`).toBe(false);
      }
    }
    expect(accepted).toBeGreaterThan(2_500);
  });

  it('leaves a rejected record untouched for zod to explain', () => {
    const input = { ...base(), downstream_status: 200, input_tokens: '12' };
    expect(fast(input)).toBeNull();
    expect(input.downstream_status).toBe(200);
    expect('sample_rate' in input).toBe(false);
  });

  it('fills the sample_rate default and stringifies an integer status, like zod', () => {
    const out = fast({ ...base(), downstream_status: 503 });
    expect(out).toEqual({ ...base(), downstream_status: '503', sample_rate: 1 });
  });

  it('knows every field of the schema (a new field must be taught to it)', () => {
    // If record.ts gains a field, createFastValidator silently defers to zod; this test makes
    // the slowdown visible so the validator gets updated.
    expect(fast(base())).not.toBeNull();
  });
});
