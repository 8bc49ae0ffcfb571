/**
 * The assertion types a golden case may use, what value each takes and its default threshold.
 * The suite loader validates against this table (so a typo is a `file:line` error at load time,
 * not a surprise during a run) and `src/golden/README.md` documents the same table.
 */

/** What the `value` of an assertion must be. */
export type ValueKind =
  /** No value. */
  | 'none'
  /** A string or number (required). */
  | 'text'
  /** A list of strings/numbers, or one comma-separated string (required). */
  | 'list'
  /** A string, or a list of strings: compared with the output; defaults to the case's `expected`. */
  | 'reference'
  /** Anything `equals` accepts: text, or a JSON value compared structurally; defaults to `expected`. */
  | 'equals'
  /** A regular expression source (required). */
  | 'regex'
  /** Optional JSON Schema (object, or a JSON/YAML string). */
  | 'schema'
  /** A rubric in words for the judge (required). */
  | 'rubric';

export interface AssertionSpec {
  readonly value: ValueKind;
  /** Graded types score in [0, 1] and pass at `threshold`; others score 0 or 1. */
  readonly graded: boolean;
  /** Default `threshold` (graded types) — `undefined` when none applies. */
  readonly defaultThreshold?: number;
  /** `threshold` is required (latency, tokens, cost): it is the limit. */
  readonly thresholdRequired?: boolean;
  /** Needs a dependency at run time; when it fails the assertion is `unmeasured`. */
  readonly needs?: 'judge' | 'embeddings';
  /** Whether `normalize` applies. */
  readonly normalizes?: boolean;
}

/** Every supported type (without the `not-` prefix). */
export const ASSERTIONS: Readonly<Record<string, AssertionSpec>> = {
  equals: { value: 'equals', graded: false, normalizes: true },
  contains: { value: 'text', graded: false, normalizes: true },
  icontains: { value: 'text', graded: false, normalizes: true },
  'contains-any': { value: 'list', graded: false, normalizes: true },
  'contains-all': { value: 'list', graded: false, normalizes: true },
  'icontains-any': { value: 'list', graded: false, normalizes: true },
  'icontains-all': { value: 'list', graded: false, normalizes: true },
  'starts-with': { value: 'text', graded: false, normalizes: true },
  regex: { value: 'regex', graded: false },
  'is-json': { value: 'schema', graded: false },
  'contains-json': { value: 'schema', graded: false },
  levenshtein: { value: 'reference', graded: true, defaultThreshold: 0.8, normalizes: true },
  f1: { value: 'reference', graded: true, defaultThreshold: 0.5 },
  'rouge-l': { value: 'reference', graded: true, defaultThreshold: 0.75 },
  'rouge-n': { value: 'reference', graded: true, defaultThreshold: 0.75 },
  similar: { value: 'reference', graded: true, defaultThreshold: 0.75, needs: 'embeddings' },
  'llm-rubric': { value: 'rubric', graded: true, defaultThreshold: 0.5, needs: 'judge' },
  factuality: { value: 'reference', graded: false, needs: 'judge' },
  latency: { value: 'none', graded: false, thresholdRequired: true },
  'max-latency': { value: 'none', graded: false, thresholdRequired: true },
  'max-tokens': { value: 'none', graded: false, thresholdRequired: true },
  cost: { value: 'none', graded: false, thresholdRequired: true },
};

/** promptfoo types we know but do not run: a clear error instead of "unknown". */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  javascript: 'code assertions are not run by evalwatch; express the check with regex, is-json or llm-rubric',
  python: 'code assertions are not run by evalwatch; express the check with regex, is-json or llm-rubric',
  webhook: 'webhook assertions are not supported',
  'assert-set': 'assert-set is not supported; list the assertions on the case and use its threshold',
  'model-graded-closedqa': 'use llm-rubric',
  'model-graded-factuality': 'use factuality',
  'answer-relevance': 'use llm-rubric',
  'context-faithfulness': 'use llm-rubric (the judge rubric "faithfulness" covers production captures)',
  'context-recall': 'use llm-rubric',
  'context-relevance': 'use llm-rubric',
  bleu: 'use rouge-l or f1',
  gleu: 'use rouge-l or f1',
  meteor: 'use rouge-l or f1',
  'is-xml': 'not supported',
  'contains-xml': 'not supported',
  'is-sql': 'not supported',
  'contains-sql': 'not supported',
  perplexity: 'not supported',
  'perplexity-score': 'not supported',
  moderation: 'not supported',
  classifier: 'not supported',
  'is-refusal': 'use a regex or llm-rubric',
  'g-eval': 'use llm-rubric',
  'select-best': 'not supported (compares outputs across prompts)',
};

/** A parsed assertion type: the base type and whether it is negated with `not-`. */
export interface ParsedType {
  readonly base: string;
  readonly negated: boolean;
  readonly spec: AssertionSpec;
}

/**
 * Splits `not-` off a type and looks the base up. Returns an error message (with a "did you
 * mean" suggestion for a near miss) when the type is unknown or unsupported.
 *
 * @example
 * parseType('not-icontains'); // { base: 'icontains', negated: true, spec: … }
 * parseType('contain');       // 'unknown assertion "contain" (did you mean "contains"?)'
 */
export function parseType(type: string): ParsedType | string {
  const negated = type.startsWith('not-');
  const base = negated ? type.slice(4) : type;
  const spec = ASSERTIONS[base];
  if (spec) return { base, negated, spec };
  const why = UNSUPPORTED[base];
  if (why) return `assertion "${type}" is not supported: ${why}`;
  const guess = closestName(base, Object.keys(ASSERTIONS));
  return `unknown assertion "${type}"${guess ? ` (did you mean "${negated ? 'not-' : ''}${guess}"?)` : ''}`;
}

/**
 * The nearest of `names` to a misspelt `name`, within a third of its length in edit distance (at
 * least 2); `undefined` when nothing is that close.
 *
 * @example
 * closestName('contain', ['contains', 'equals']); // 'contains'
 */
export function closestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.ceil(name.length / 3)) + 1;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

/** Plain Levenshtein distance for short names (the scorer uses fastest-levenshtein). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
