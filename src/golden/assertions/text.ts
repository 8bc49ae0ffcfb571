import { isDeepStrictEqual } from 'node:util';
import type { GoldenAssertion } from '../types.ts';
import { normalizeText } from './normalize.ts';
import { binary, quote, type SyncScorer, type Verdict } from './types.ts';

/**
 * The exact-match family: `equals`, `contains`, `icontains`, `contains-any`/`-all`,
 * `icontains-any`/`-all`, `starts-with`, `regex`. Semantics follow promptfoo's; `normalize`
 * applies the named normalizers to both sides first (see `normalize.ts`).
 */

const norm = (a: GoldenAssertion, s: string, extra?: 'case'): string =>
  normalizeText(s, extra ? [...(a.normalize ?? []), extra] : a.normalize);

/**
 * `equals`: the output equals the value (default: the case's `expected`). A JSON value (object or
 * list) is compared structurally with the output parsed as JSON.
 *
 * @example
 * equals({ type: 'equals', value: 'Paris', normalize: ['case'] }, ctx); // pass for "paris"
 */
export const equals: SyncScorer = (a, ctx) => {
  const v = a.value ?? ctx.expected;
  if (v !== null && typeof v === 'object') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(ctx.output);
    } catch {
      return binary(false, `expected JSON equal to ${quote(v)}, got text that is not JSON: ${quote(ctx.output)}`);
    }
    return binary(isDeepStrictEqual(v, parsed), `expected JSON ${quote(v)}, got ${quote(parsed)}`);
  }
  const want = norm(a, String(v ?? ''));
  const got = norm(a, ctx.output);
  return binary(want === got, `expected ${quote(want)}, got ${quote(got)}`);
};

function containsWith(ci: boolean): SyncScorer {
  return (a, ctx) => {
    const want = norm(a, String(a.value ?? ''), ci ? 'case' : undefined);
    const got = norm(a, ctx.output, ci ? 'case' : undefined);
    return binary(got.includes(want), `expected the output to contain ${quote(want)}, got ${quote(got)}`);
  };
}

/** `contains`: the output contains the value. */
export const contains = containsWith(false);
/** `icontains`: `contains`, ignoring case. */
export const icontains = containsWith(true);

/**
 * The items of a list value: a YAML list, or one comma-separated string (promptfoo's reading:
 * `contains-any` honours `"quoted, items"`; the others split on every comma).
 *
 * @example
 * listItems('a, "b, c"', true); // ['a', 'b, c']
 */
export function listItems(value: unknown, quoted: boolean): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value !== 'string') return value === undefined || value === null ? [] : [String(value)];
  if (quoted) return value.match(/(".*?"|[^,]+)(?=\s*,|\s*$)/g)?.map((v) => v.trim().replace(/^"|"$/g, '')) ?? [];
  return value.split(',').map((v) => v.trim());
}

function listWith(mode: 'any' | 'all', ci: boolean): SyncScorer {
  return (a, ctx) => {
    const items = listItems(a.value, mode === 'any' && !ci);
    const got = norm(a, ctx.output, ci ? 'case' : undefined);
    const missing = items.filter((v) => !got.includes(norm(a, v, ci ? 'case' : undefined)));
    if (mode === 'any') {
      return binary(missing.length < items.length, `expected one of [${items.map((v) => quote(v, 30)).join(', ')}], got ${quote(got)}`);
    }
    return binary(missing.length === 0, `missing [${missing.map((v) => quote(v, 30)).join(', ')}] in ${quote(got)}`);
  };
}

export const containsAny = listWith('any', false);
export const containsAll = listWith('all', false);
export const icontainsAny = listWith('any', true);
export const icontainsAll = listWith('all', true);

/** `starts-with`: the output starts with the value. */
export const startsWith: SyncScorer = (a, ctx) => {
  const want = norm(a, String(a.value ?? ''));
  const got = norm(a, ctx.output);
  return binary(got.startsWith(want), `expected the output to start with ${quote(want)}, got ${quote(got)}`);
};

const regexCache = new Map<string, RegExp>();

/**
 * `regex`: the output matches the regular expression (JavaScript syntax, no flags, as promptfoo;
 * write `(?i)`-free patterns such as `[Pp]aris`). The suite loader rejects an invalid pattern.
 */
export const regex: SyncScorer = (a, ctx): Verdict => {
  const src = String(a.value ?? '');
  let re = regexCache.get(src);
  if (!re) {
    re = new RegExp(src);
    regexCache.set(src, re);
  }
  return binary(re.test(ctx.output), `expected the output to match /${src}/, got ${quote(ctx.output)}`);
};

