import { captureRecordSchema, deriveRecord, type ReadRecord } from '../../src/captures/record.ts';
import { mulberry32 } from '../../src/stats/index.ts';

/** A valid ReadRecord with sensible defaults. */
export function rec(fields: Record<string, unknown> = {}): ReadRecord {
  return deriveRecord(
    captureRecordSchema.parse({
      request_id: 'r-1',
      timestamp: '2026-03-02T14:10:00Z',
      route: 'answer',
      ...fields,
    }),
  );
}

/** Seeded standard normal generator. */
export function normals(seed: number): () => number {
  const u = mulberry32(seed);
  return () => {
    const a = Math.max(u(), 1e-12);
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
  };
}

export interface HourTraffic {
  /** Rows in the hour. */
  rows: number;
  /** Log-scale shift of output tokens. */
  outputShift?: number;
  refusalRate?: number;
  route?: string;
  sampleRate?: number;
  cyrillicShare?: number;
}

/** Records of one hour of simple synthetic traffic. */
export function hourRecords(start: number, seed: number, t: HourTraffic): ReadRecord[] {
  const z = normals(seed);
  const u = mulberry32(seed ^ 0x5bd1e995);
  const out: ReadRecord[] = [];
  for (let i = 0; i < t.rows; i++) {
    const refusal = u() < (t.refusalRate ?? 0.02);
    const cyr = u() < (t.cyrillicShare ?? 0.02);
    const outTok = Math.round(Math.exp(Math.log(200) + 0.4 * z() + (t.outputShift ?? 0)));
    out.push(
      rec({
        request_id: `${t.route ?? 'answer'}-${start}-${seed}-${i}`,
        timestamp: new Date(start + Math.floor(u() * 3_600_000)).toISOString(),
        route: t.route ?? 'answer',
        model: 'gpt-4o',
        prompt_template_version: 'answer@v7',
        prompt: cyr ? 'Как мне оплатить счёт?' : 'How do I pay my invoice?',
        response: refusal ? "I'm sorry, but I can't help with that." : 'You can pay it from the billing page.',
        input_tokens: Math.round(Math.exp(Math.log(600) + 0.3 * z())),
        output_tokens: outTok,
        latency_total_ms: Math.round(400 + outTok * 14 + 50 * Math.abs(z())),
        latency_to_first_token_ms: Math.round(Math.exp(Math.log(400) + 0.3 * z())),
        cost_usd: outTok * 1e-5 + 0.002,
        cached: u() < 0.05,
        downstream_status: '200',
        sample_rate: t.sampleRate ?? 1,
      }),
    );
  }
  return out;
}

/** A seeded Fisher–Yates shuffle (a copy; the input is not modified). */
export function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const u = mulberry32(seed);
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
