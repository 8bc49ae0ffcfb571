import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { RubricError } from './errors.ts';
import { rubricSchema, type Rubric } from './rubric-schema.ts';

export type { Rubric, Dimension, Canary } from './rubric-schema.ts';

/**
 * Parses and validates one rubric's YAML text.
 *
 * @throws {RubricError} naming the file, the key path and the line.
 * @example
 * const r = parseRubric(await readFile('evals/relevance.yaml', 'utf8'), 'evals/relevance.yaml');
 * r.version; // 'a3f9…' — changes when the content does
 */
export function parseRubric(text: string, file: string): Rubric {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? (e.pos?.[0] !== undefined ? lineCounter.linePos(e.pos[0]).line : undefined);
    throw new RubricError(file, '', `not valid YAML: ${e.message.split('\n')[0]}`, line);
  }
  const raw: unknown = doc.toJS();
  const result = rubricSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const keyPath = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const node = doc.getIn(issue.path as (string | number)[], true);
    const offset = isNode(node) && node.range ? node.range[0] : undefined;
    const line = offset !== undefined ? lineCounter.linePos(offset).line : undefined;
    throw new RubricError(file, keyPath, issue.message, line);
  }
  const spec = result.data;
  return { ...spec, version: contentHash(spec), file };
}

/**
 * Reads every `*.yaml` / `*.yml` rubric of a folder, sorted by file name.
 *
 * @param names only these rubrics (by `name`); an unknown name is an error.
 * @throws {RubricError} for the first invalid file, a duplicate name or an unknown name.
 * @example
 * const rubrics = await loadRubrics('evals');
 */
export async function loadRubrics(dir: string, names?: readonly string[]): Promise<Rubric[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    throw new RubricError(dir, '', `cannot read the rubrics folder (${(err as Error).message})`);
  }
  const rubrics: Rubric[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const file = path.join(dir, f);
    const rubric = parseRubric(await readFile(file, 'utf8'), file);
    const other = seen.get(rubric.name);
    if (other) throw new RubricError(file, 'name', `"${rubric.name}" is also the name of ${other}`);
    seen.set(rubric.name, file);
    rubrics.push(rubric);
  }
  if (!names) return rubrics;
  for (const n of names) {
    if (!seen.has(n)) throw new RubricError(dir, 'judge.rubrics', `no rubric named "${n}" (found: ${[...seen.keys()].join(', ') || 'none'})`);
  }
  return rubrics.filter((r) => names.includes(r.name));
}

/**
 * Whether a rubric applies to a route (`*` in a pattern matches any characters).
 *
 * @example
 * appliesTo({ routes: ['search/*'] }, 'search/answer'); // true
 */
export function appliesTo(rubric: Pick<Rubric, 'routes'>, route: string): boolean {
  return rubric.routes.some((p) => globRegExp(p).test(route));
}

const globCache = new Map<string, RegExp>();
function globRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    globCache.set(pattern, re);
  }
  return re;
}

/**
 * A short stable hash of any JSON value, with object keys sorted.
 *
 * @example
 * contentHash({ b: 1, a: 2 }) === contentHash({ a: 2, b: 1 }); // true
 */
export function contentHash(value: unknown, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/**
 * JSON with object keys sorted at every level, so equal values hash equally.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 1, c: 0 }] }); // '{"a":[2,{"c":0,"d":1}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
