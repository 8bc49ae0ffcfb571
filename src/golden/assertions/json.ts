import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { canonicalJson } from '../../judge/rubric.ts';
import { binary, quote, type SyncScorer } from './types.ts';

/**
 * `is-json` and `contains-json`, with an optional JSON Schema (draft-07 / 2019-09 keywords that
 * ajv supports, plus the `format`s of ajv-formats). A schema may be a YAML/JSON object or a
 * string holding one. Compiled schemas are cached by content, so a suite of 1,000 cases sharing
 * a schema compiles it once.
 */

// ajv-formats is CommonJS with a default export; under ESM the function may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const compiled = new Map<string, ValidateFunction>();

/**
 * The compiled validator of a schema value, or an error message when the schema is not valid.
 *
 * @example
 * const v = compileSchema({ type: 'object', required: ['name'] });
 * if (typeof v !== 'string') v({ name: 'x' }); // true
 */
export function compileSchema(value: unknown): ValidateFunction | string {
  let schema = value;
  if (typeof schema === 'string') {
    try {
      schema = parseYaml(schema) as unknown;
    } catch (err) {
      return `the schema is not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'a JSON Schema must be an object';
  const key = canonicalJson(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  try {
    const v = ajv.compile(schema as object);
    compiled.set(key, v);
    return v;
  } catch (err) {
    return `invalid JSON Schema: ${(err as Error).message}`;
  }
}

function validateWith(value: unknown, data: unknown): true | string {
  if (value === undefined || value === null || value === '') return true;
  const v = compileSchema(value);
  if (typeof v === 'string') return v;
  if (v(data)) return true;
  return ajv.errorsText(v.errors, { dataVar: 'output' });
}

/**
 * `is-json`: the whole output parses as JSON and, with a schema value, validates against it.
 *
 * @example
 * isJson({ type: 'is-json', value: { type: 'object' } }, { output: '{"a":1}', … }); // pass
 */
export const isJson: SyncScorer = (a, ctx) => {
  let data: unknown;
  try {
    data = JSON.parse(ctx.output);
  } catch (err) {
    return binary(false, `expected JSON, got ${quote(ctx.output)} (${(err as Error).message})`);
  }
  const ok = validateWith(a.value, data);
  return binary(ok === true, ok === true ? 'valid JSON' : `JSON does not match the schema: ${ok}`);
};

/**
 * `contains-json`: some JSON object inside the output (fenced or inline) parses and, with a
 * schema value, validates. Like promptfoo, only objects (`{…}`) are looked for.
 */
export const containsJson: SyncScorer = (a, ctx) => {
  const found = extractJsonObjects(ctx.output);
  if (found.length === 0) return binary(false, `expected a JSON object in ${quote(ctx.output)}`);
  let last = '';
  for (const obj of found) {
    const ok = validateWith(a.value, obj);
    if (ok === true) return binary(true, 'contains valid JSON');
    last = ok;
  }
  return binary(false, `no JSON object in the output matches the schema: ${last}`);
};

/**
 * Every balanced `{…}` substring of a text that parses as JSON, outermost first, left to right.
 *
 * @example
 * extractJsonObjects('Sure: {"a": {"b": 1}} and {"c": 2}'); // [{ a: { b: 1 } }, { c: 2 }]
 */
export function extractJsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let i = text.indexOf('{');
  while (i !== -1) {
    const end = matchingBrace(text, i);
    if (end !== -1) {
      try {
        out.push(JSON.parse(text.slice(i, end + 1)));
        i = text.indexOf('{', end + 1);
        continue;
      } catch {
        // Not JSON (e.g. a code block): look for an object starting inside it.
      }
    }
    i = text.indexOf('{', i + 1);
  }
  return out;
}

/** Index of the `}` closing the `{` at `start`, skipping braces inside JSON strings; -1 if none. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
