import { z } from 'zod';
import { NORMALIZERS } from '../assertions/normalize.ts';

/**
 * The shapes of suite files before the semantic checks of `build.ts`: promptfoo's test-case
 * subset (`description`, `vars`, `assert`, `options`, `threshold`, `metadata`, `defaultTest`,
 * `tests`, `prompts`) plus evalwatch's keys (`id`, `input`, `expected`, `tags`, `route`,
 * `output`, `cases`, `name`, `target`).
 */

const message = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
  })
  .strict();

/** A prompt string, or chat messages. */
export const inputSchema = z.union([z.string().min(1, 'an empty input'), z.array(message).min(1, 'at least one message')]);

export const assertionSchema = z
  .object({
    type: z.string().min(1),
    value: z.unknown().optional(),
    threshold: z.number().min(0).optional(),
    weight: z.number().min(0).optional(),
    normalize: z.array(z.enum(NORMALIZERS)).optional(),
    metric: z.string().optional(),
    // promptfoo keys accepted and reported: a grader override is ignored (config.judge grades).
    provider: z.unknown().optional(),
    rubricPrompt: z.unknown().optional(),
    config: z.unknown().optional(),
    transform: z.unknown().optional(),
  })
  .strict();

const options = z.record(z.string(), z.unknown());
const vars = z.record(z.string(), z.unknown());
const tags = z.array(z.string().min(1));

/** A test case in either dialect. */
export const caseSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).optional(),
    description: z.string().optional(),
    input: inputSchema.optional(),
    vars: vars.optional(),
    expected: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Checked item by item with `assertionSchema`. */
    assert: z.array(z.unknown()).optional(),
    threshold: z.number().min(0).max(1).optional(),
    options: options.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    tags: tags.optional(),
    route: z.string().min(1).optional(),
    output: z.string().optional(),
  })
  .strict();

export const defaultTestSchema = z
  .object({
    vars: vars.optional(),
    assert: z.array(assertionSchema).optional(),
    threshold: z.number().min(0).max(1).optional(),
    options: options.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    tags: tags.optional(),
    route: z.string().min(1).optional(),
  })
  .strict();

const prompt = z.union([z.string().min(1), z.object({ raw: z.string().min(1), id: z.string().optional(), label: z.string().optional() }).strict()]);

/** Suite-level keys (a suite file, or `_suite.yaml` of a folder suite). */
export const suiteHeaderSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, ".", "_" or "-"').optional(),
    description: z.string().optional(),
    target: z.string().min(1).optional(),
    prompts: z.array(prompt).optional(),
    providers: z.unknown().optional(),
    defaultTest: defaultTestSchema.optional(),
    cases: z.array(z.unknown()).optional(),
    tests: z.array(z.unknown()).optional(),
  })
  .strict();

export type RawAssertion = z.output<typeof assertionSchema>;
export type RawCase = z.output<typeof caseSchema>;
export type RawDefaultTest = z.output<typeof defaultTestSchema>;
export type RawSuiteHeader = z.output<typeof suiteHeaderSchema>;

/**
 * `raw` without its unknown keys and without the keys the strict parse found wrong (`issues`),
 * so the rest of the object is still checked: one typo does not hide the problems behind it.
 * `undefined` when `raw` is not a mapping or a wrong key is one of `needed` — keys the rest
 * depends on (vars, defaults, prompts), whose absence would only raise follow-on errors. The
 * caller has reported `issues` already.
 *
 * @example
 * withoutBadKeys({ id: 'a', asert: [], threshold: 2 }, parsed.error.issues, KNOWN_KEYS.case, ['vars']); // { id: 'a' }
 */
export function withoutBadKeys(
  raw: unknown,
  issues: ReadonlyArray<{ path: readonly PropertyKey[] }>,
  known: readonly string[],
  needed: readonly string[] = [],
): Record<string, unknown> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  if (issues.some((i) => i.path.length === 0 && !('keys' in i))) return undefined;
  const bad = new Set(issues.map((i) => i.path[0]).filter((k) => k !== undefined));
  if (needed.some((k) => bad.has(k))) return undefined;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => known.includes(k) && !bad.has(k)));
}

/** Keys each object may have, for "did you mean" on an unknown key. */
export const KNOWN_KEYS = {
  case: Object.keys(caseSchema.shape),
  assertion: Object.keys(assertionSchema.shape),
  defaultTest: Object.keys(defaultTestSchema.shape),
  suite: Object.keys(suiteHeaderSchema.shape),
};
