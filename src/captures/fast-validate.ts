import { captureRecordSchema, capturedReasons, type CaptureRecord } from './record.ts';

/**
 * A hand-written check of `captureRecordSchema` for the common case of a valid record. zod builds
 * a new object and walks a generic check pipeline per field; on ~3 KB captures that costs as much
 * as `JSON.parse` itself. This checks the same rules in place.
 *
 * Contract (enforced by the fuzz test in `test/captures/fast-validate.test.ts`): when it returns a
 * record, zod accepts the same input and produces a deep-equal output. When it returns `null`, the
 * caller asks zod, which either accepts (a case this path does not handle) or explains why not.
 * So the fast path may be conservative, never more lenient.
 */

/** Fields this validator knows; anything else in the schema disables the fast path. */
const KNOWN_FIELDS = [
  'request_id', 'timestamp', 'route', 'service', 'model', 'tenant_id', 'user_id_hash',
  'prompt_template_version', 'input_tokens', 'output_tokens', 'latency_total_ms',
  'latency_to_first_token_ms', 'cached', 'cache_similarity_score', 'downstream_status',
  'schema_validated', 'schema_validation_errors', 'cost_usd', 'sample_rate', 'captured_reason',
  'prompt', 'response', 'context',
] as const;

/** A validator: the record (mutated: defaults filled, transforms applied) or `null` to ask zod. */
export type FastValidator = (input: Record<string, unknown>) => CaptureRecord | null;

/**
 * Builds the fast validator. When `record.ts` has gained or lost a field the validator does not
 * know, it returns one that always defers to zod: slower, never wrong.
 *
 * @example
 * const fast = createFastValidator();
 * const rec = fast(JSON.parse(line)) ?? captureRecordSchema.parse(JSON.parse(line));
 */
export function createFastValidator(): FastValidator {
  const shapeKeys = Object.keys(captureRecordSchema.shape).sort();
  const known = [...KNOWN_FIELDS].sort();
  if (shapeKeys.length !== known.length || shapeKeys.some((k, i) => k !== known[i])) return () => null;
  // Reuse zod's own RFC 3339 pattern so the two can never disagree on timestamps.
  const pattern: unknown = (captureRecordSchema.shape.timestamp as { _zod?: { pattern?: unknown } })._zod?.pattern;
  if (!(pattern instanceof RegExp)) return () => null;
  const timestampRe = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const reasons = new Set<unknown>(capturedReasons);
  return (r) => validate(r, timestampRe, reasons);
}

function validate(r: Record<string, unknown>, timestampRe: RegExp, reasons: Set<unknown>): CaptureRecord | null {
  if (!nonEmptyString(r.request_id) || !nonEmptyString(r.route)) return null;
  const ts = r.timestamp;
  if (typeof ts !== 'string' || !timestampRe.test(ts)) return null;
  if (!optString(r.service) || !optString(r.model) || !optString(r.tenant_id)) return null;
  if (!optString(r.user_id_hash) || !optString(r.prompt_template_version)) return null;
  if (!optNonNegInt(r.input_tokens) || !optNonNegInt(r.output_tokens)) return null;
  if (!optNonNeg(r.latency_total_ms) || !optNonNeg(r.latency_to_first_token_ms) || !optNonNeg(r.cost_usd)) return null;
  if (r.cached !== undefined && typeof r.cached !== 'boolean') return null;
  const css = r.cache_similarity_score;
  if (css !== undefined && css !== null && !finite(css)) return null;
  const sv = r.schema_validated;
  if (sv !== undefined && sv !== null && typeof sv !== 'boolean') return null;
  const resp = r.response;
  if (resp !== undefined && resp !== null && typeof resp !== 'string') return null;
  if (r.captured_reason !== undefined && !reasons.has(r.captured_reason)) return null;
  const sr = r.sample_rate;
  if (sr !== undefined && !(finite(sr) && sr > 0 && sr <= 1)) return null;
  const ds = r.downstream_status;
  if (ds !== undefined && typeof ds !== 'string' && !(typeof ds === 'number' && Number.isSafeInteger(ds))) return null;
  if (!optPrompt(r.prompt) || !optStringArray(r.context)) return null;
  // Only now mutate: a rejected record must reach zod exactly as it was parsed.
  if (sr === undefined) r.sample_rate = 1;
  if (typeof ds === 'number') r.downstream_status = String(ds);
  return r as CaptureRecord;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function nonEmptyString(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0;
}
function optString(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}
function optNonNegInt(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
}
function optNonNeg(v: unknown): boolean {
  return v === undefined || (finite(v) && v >= 0);
}
function optStringArray(v: unknown): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}
function optPrompt(v: unknown): boolean {
  if (v === undefined || typeof v === 'string') return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const m: unknown = v[i];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
    const msg = m as Record<string, unknown>;
    if (typeof msg.role !== 'string') return false;
    const c = msg.content;
    if (c !== undefined && c !== null && typeof c !== 'string' && !Array.isArray(c)) return false;
  }
  return true;
}
