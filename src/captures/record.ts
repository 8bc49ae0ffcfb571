import { z } from 'zod';

/**
 * The capture record contract (DESIGN §3): one LLM call per JSON line. Unknown fields are kept
 * (`passthrough`) and ignored by the pipelines.
 */

const nonNegInt = z.number().int().min(0);
const nonNeg = z.number().min(0);
/** RFC 3339 with a zone designator: a timestamp without one is ambiguous and rejected. */
const rfc3339 = z.iso.datetime({ offset: true, local: false });

const chatMessage = z
  .object({
    role: z.string(),
    content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
  })
  .passthrough();

export const capturedReasons = ['random_sample', 'explicit_flag', 'anomaly_detected'] as const;
export type CapturedReason = (typeof capturedReasons)[number];

export const captureRecordSchema = z
  .object({
    request_id: z.string().min(1),
    timestamp: rfc3339,
    route: z.string().min(1),
    service: z.string().optional(),
    model: z.string().optional(),
    tenant_id: z.string().optional(),
    user_id_hash: z.string().optional(),
    prompt_template_version: z.string().optional(),
    input_tokens: nonNegInt.optional(),
    output_tokens: nonNegInt.optional(),
    latency_total_ms: nonNeg.optional(),
    latency_to_first_token_ms: nonNeg.optional(),
    cached: z.boolean().optional(),
    cache_similarity_score: z.number().nullable().optional(),
    downstream_status: z.union([z.string(), z.number().int().transform(String)]).optional(),
    schema_validated: z.boolean().nullable().optional(),
    schema_validation_errors: z.unknown().optional(),
    cost_usd: nonNeg.optional(),
    sample_rate: z.number().gt(0).max(1).default(1),
    captured_reason: z.enum(capturedReasons).optional(),
    prompt: z.union([z.string(), z.array(chatMessage)]).optional(),
    response: z.string().nullable().optional(),
    context: z.array(z.string()).optional(),
  })
  .passthrough();

/** A validated capture record, as the producer wrote it (after the field map). */
export type CaptureRecord = z.output<typeof captureRecordSchema>;

/** A record with the derived values every pipeline needs, computed once at read time. */
export interface ReadRecord extends CaptureRecord {
  /** Epoch milliseconds of `timestamp`. */
  readonly ts: number;
  /** Horvitz-Thompson weight, 1 / `sample_rate`. */
  readonly weight: number;
  /**
   * True when the record estimates the population: `captured_reason` is `random_sample` or absent.
   * Flagged rows (`explicit_flag`, `anomaly_detected`) are judged and shown, never counted.
   */
  readonly population: boolean;
}

/**
 * Adds the derived fields to a validated record.
 *
 * @example
 * const r = deriveRecord(captureRecordSchema.parse(raw));
 * r.weight; // 10 when sample_rate is 0.1
 */
export function deriveRecord(record: CaptureRecord): ReadRecord {
  const reason = record.captured_reason;
  return Object.assign(record, {
    ts: Date.parse(record.timestamp),
    weight: 1 / record.sample_rate,
    population: reason === undefined || reason === 'random_sample',
  });
}
