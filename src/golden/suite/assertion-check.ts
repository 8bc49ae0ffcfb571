import { ASSERTIONS, parseType } from '../assertions/catalog.ts';
import { compileSchema } from '../assertions/json.ts';
import type { GoldenAssertion } from '../types.ts';
import type { KeyPath } from './positions.ts';
import type { Problems } from './problems.ts';
import type { RawAssertion } from './schema.ts';
import { hasTemplate, renderTemplate, TemplateError } from './template.ts';

/** Which suite dialect a file is written in: promptfoo's defaults differ in one place (levenshtein). */
export type Dialect = 'evalwatch' | 'promptfoo';

const NORMALIZING = Object.entries(ASSERTIONS)
  .filter(([, s]) => s.normalizes)
  .map(([t]) => t);

/**
 * Whether an assertion's value uses `{{ vars }}` (then it is rendered per case).
 *
 * @example
 * isTemplated({ type: 'equals', value: '{{ expected }}' }); // true
 */
export function isTemplated(a: RawAssertion): boolean {
  const v = a.value;
  if (typeof v === 'string') return hasTemplate(v);
  return Array.isArray(v) && v.some((x) => typeof x === 'string' && hasTemplate(x));
}

/**
 * Validates one assertion and renders its value with the case's vars. Every problem is recorded
 * at its key with its line; `undefined` when the assertion cannot be used.
 *
 * @param hasExpected whether the case has `expected` (the default value of reference types);
 *   `undefined` when not known yet (suite-level `defaultTest`), which skips that check.
 * @example
 * const a = checkAssertion(raw, ['cases', 0, 'assert', 1], { vars: {}, hasExpected: true, dialect: 'evalwatch', problems });
 */
export function checkAssertion(
  raw: RawAssertion,
  path: KeyPath,
  opts: { vars: Record<string, unknown>; hasExpected: boolean | undefined; dialect: Dialect; problems: Problems; caseLabel?: string },
): GoldenAssertion | undefined {
  const { problems } = opts;
  const at = (key: string): KeyPath => [...path, key];
  const label = opts.caseLabel ? ` (case "${opts.caseLabel}")` : '';
  const before = problems.errorCount;
  const t = parseType(raw.type);
  if (typeof t === 'string') {
    problems.error(at('type'), t);
    return undefined;
  }
  if (raw.transform !== undefined) {
    problems.error(at('transform'), 'not supported: evalwatch scores the output as the target returns it (an http target can pick the answer with answerPath)');
  }
  for (const key of ['provider', 'rubricPrompt', 'config'] as const) {
    if (raw[key] !== undefined) problems.warn(at(key), `ignored: ${key === 'config' ? 'assertion config is not read' : 'the judge of config.judge grades every model-graded assertion'}`);
  }

  let value = raw.value;
  try {
    if (typeof value === 'string') value = renderTemplate(value, opts.vars);
    else if (Array.isArray(value)) value = value.map((v: unknown) => (typeof v === 'string' ? renderTemplate(v, opts.vars) : v));
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    problems.error(at('value'), `${err.message}${label}`);
    return undefined;
  }

  const spec = t.spec;
  const isText = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  const needsRef = () => {
    if (opts.hasExpected === false) problems.error(at('value'), `${t.base} needs a value, or an "expected" on the case${label}`);
  };
  switch (spec.value) {
    case 'text':
      if (!isText(value) || value === '') problems.error(at('value'), `${t.base} needs a non-empty string value`);
      break;
    case 'list':
      if (!(Array.isArray(value) ? value.length > 0 && value.every(isText) : typeof value === 'string' && value.trim() !== '')) {
        problems.error(at('value'), `${t.base} needs a list of strings (or one comma-separated string)`);
      }
      break;
    case 'reference':
      if (value === undefined) needsRef();
      else if (!(isText(value) || (Array.isArray(value) && value.length > 0 && value.every(isText)))) {
        problems.error(at('value'), `${t.base} needs a string (or a list of strings) to compare with`);
      }
      break;
    case 'equals':
      if (value === undefined) needsRef();
      break;
    case 'regex':
      if (typeof value !== 'string' || value === '') problems.error(at('value'), 'regex needs a pattern string');
      else {
        try {
          new RegExp(value);
        } catch (err) {
          problems.error(at('value'), `invalid regular expression: ${(err as Error).message}`);
        }
      }
      break;
    case 'schema':
      if (value !== undefined && value !== null && value !== '') {
        const v = compileSchema(value);
        if (typeof v === 'string') problems.error(at('value'), v);
      }
      break;
    case 'rubric':
      if (typeof value !== 'string' || !value.trim()) problems.error(at('value'), 'llm-rubric needs the rubric text as its value');
      break;
    case 'none':
      break;
  }

  let threshold = raw.threshold;
  if (spec.thresholdRequired) {
    if (threshold === undefined && typeof value === 'number') threshold = value;
    if (threshold === undefined) problems.error(at('threshold'), `${t.base} needs a threshold (the limit: ${t.base === 'cost' ? 'USD' : t.base === 'max-tokens' ? 'tokens' : 'milliseconds'})`);
    value = undefined;
  } else if (threshold !== undefined && spec.graded && t.base !== 'levenshtein' && threshold > 1) {
    problems.error(at('threshold'), `expected a value from 0 to 1 (a ${t.base} score), got ${threshold}`);
  } else if (threshold !== undefined && !spec.graded && t.base !== 'levenshtein') {
    problems.warn(at('threshold'), `ignored: ${t.base} passes or fails, it has no threshold`);
    threshold = undefined;
  }
  // promptfoo reads a levenshtein threshold as a maximum edit distance, default 5.
  if (t.base === 'levenshtein' && threshold === undefined && opts.dialect === 'promptfoo') threshold = 5;

  if (raw.normalize?.length && !NORMALIZING.includes(t.base)) {
    problems.error(at('normalize'), `normalize applies to ${NORMALIZING.join(', ')}; not to ${t.base}`);
  }
  if (problems.errorCount > before) return undefined;
  return {
    type: raw.type,
    ...(value !== undefined ? { value } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(raw.weight !== undefined ? { weight: raw.weight } : {}),
    ...(raw.normalize?.length ? { normalize: raw.normalize } : {}),
    ...(raw.metric !== undefined ? { metric: raw.metric } : {}),
  };
}
