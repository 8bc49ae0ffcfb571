import type { Dimension, Rubric } from './rubric-schema.ts';

/** The judge's verdict on one dimension. */
export interface DimensionScore {
  /** The raw value: an integer, a boolean or a label. */
  readonly value: number | boolean | string;
  /** Whether the value passes the dimension's threshold. */
  readonly pass: boolean;
  /** False when the judge chose an `abstain` label: kept, but left out of aggregates. */
  readonly applicable: boolean;
  readonly reasoning: string;
}

export type ParseResult =
  | { readonly ok: true; readonly scores: Record<string, DimensionScore> }
  | { readonly ok: false; readonly problem: string };

/**
 * Validates a judge reply against the rubric. Nothing is guessed: a missing dimension, a missing
 * score, a value out of range or a label not in the list is a problem to repair, never a default
 * score (promptfoo scores such replies 0, OpenAI evals as the lowest grade).
 *
 * @example
 * const r = parseJudgeReply('{"relevance":{"reasoning":"on topic","score":5}}', rubric);
 * if (r.ok) r.scores.relevance.value; // 5
 */
export function parseJudgeReply(text: string, rubric: Pick<Rubric, 'dimensions'>): ParseResult {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, problem: 'the reply is not a JSON object' };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, problem: 'the reply is not a JSON object' };
  const obj = json as Record<string, unknown>;
  const scores: Record<string, DimensionScore> = {};
  for (const d of rubric.dimensions) {
    const entry = obj[d.name];
    if (entry === undefined) return { ok: false, problem: `dimension "${d.name}" is missing` };
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      return { ok: false, problem: `"${d.name}" must be an object with "reasoning" and "score"` };
    }
    const { score, reasoning } = entry as Record<string, unknown>;
    if (score === undefined || score === null) return { ok: false, problem: `"${d.name}.score" is missing` };
    const checked = checkValue(d, score);
    if (typeof checked === 'string') return { ok: false, problem: checked };
    scores[d.name] = {
      value: checked.value,
      pass: checked.pass,
      applicable: d.type !== 'categorical' || !d.abstain.includes(checked.value as string),
      reasoning: typeof reasoning === 'string' ? reasoning : '' };
  }
  return { ok: true, scores };
}

function checkValue(d: Dimension, v: unknown): { value: number | boolean | string; pass: boolean } | string {
  switch (d.type) {
    case 'boolean':
      if (typeof v !== 'boolean') return `"${d.name}.score" must be true or false, got ${JSON.stringify(v)}`;
      return { value: v, pass: v === d.pass };
    case 'integer': {
      const [lo, hi] = d.range;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
        return `"${d.name}.score" must be an integer from ${lo} to ${hi}, got ${JSON.stringify(v)}`;
      }
      return { value: v, pass: v >= d.pass };
    }
    case 'categorical':
      if (typeof v !== 'string' || !d.labels.includes(v)) {
        return `"${d.name}.score" must be one of ${d.labels.map((l) => JSON.stringify(l)).join(', ')}, got ${JSON.stringify(v)}`;
      }
      return { value: v, pass: d.pass.includes(v) };
  }
}

/** Parses JSON, tolerating a code fence or prose around one object. `undefined` when none parses. */
function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(trimmed);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(trimmed.slice(first, last + 1));
  for (const c of candidates) {
    try {
      return JSON.parse(c) as unknown;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/**
 * The number an aggregate averages for a dimension: the integer itself, 1/0 for a boolean that
 * passes/fails; categorical dimensions average their pass indicator only (`undefined` here).
 *
 * @example
 * numericValue({ type: 'integer', … }, { value: 4, pass: true, reasoning: '' }); // 4
 */
export function numericValue(d: Dimension, s: Pick<DimensionScore, 'value' | 'pass'>): number | undefined {
  if (d.type === 'integer') return s.value as number;
  if (d.type === 'boolean') return s.pass ? 1 : 0;
  return undefined;
}
