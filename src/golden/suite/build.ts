import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { contentHash } from '../../judge/rubric.ts';
import type { GoldenAssertion, GoldenCase, GoldenMessage } from '../types.ts';
import { checkAssertion, isTemplated, type Dialect } from './assertion-check.ts';
import type { KeyPath } from './positions.ts';
import type { Problems } from './problems.ts';
import { assertionSchema, caseSchema, KNOWN_KEYS, withoutBadKeys, type RawAssertion, type RawDefaultTest } from './schema.ts';
import { renderTemplate, TemplateError } from './template.ts';

/** What every case of a suite shares: its defaults, prompt template and dialect. */
export interface SuiteDefaults {
  readonly dialect: Dialect;
  readonly defaultTest: RawDefaultTest;
  /** The suite's prompt template (promptfoo `prompts`, one entry). */
  readonly prompt?: string;
  /** Default assertions with `{{ vars }}` in their value, rendered into each case. */
  readonly templatedDefaults: ReadonlyArray<{ raw: NonNullable<RawDefaultTest['assert']>[number]; index: number }>;
  /** The problems of the file holding `defaultTest`. */
  readonly headerProblems: Problems;
  /** Folder that `file://` references resolve against. */
  readonly baseDir: string;
}

const OPTION_KEYS_IGNORED = new Set(['provider', 'rubricPrompt', 'runSerially', 'disableVarExpansion', 'disableConversationVar', 'storeOutputAs']);

/**
 * Validates one raw case and builds a `GoldenCase`: vars merged over `defaultTest.vars`, the input
 * rendered (its own `input`, else the suite prompt), assertions checked and rendered, an id
 * (required in evalwatch suites; in promptfoo files derived from the content, with a warning).
 * Records every problem with its line; `undefined` when the case cannot be used.
 *
 * @example
 * const c = buildCase(raw, ['cases', 0], defaults, problems);
 */
export function buildCase(raw: unknown, at: KeyPath, d: SuiteDefaults, problems: Problems, defaultId?: string): GoldenCase | undefined {
  const before = problems.errorCount;
  let parsed = caseSchema.safeParse(raw);
  if (!parsed.success) {
    problems.zod(parsed.error.issues, at, () => KNOWN_KEYS.case, raw);
    // Check the other keys too (the case is dropped anyway: it has an error).
    const known = withoutBadKeys(raw, parsed.error.issues, KNOWN_KEYS.case, ['vars', 'input']);
    if (!known) return undefined;
    parsed = caseSchema.safeParse(known);
    if (!parsed.success) return undefined;
  }
  const c = parsed.data;
  // Assertions are parsed one by one, so a bad key in one does not hide problems in the others.
  const rawAsserts: Array<{ a: RawAssertion; j: number }> = [];
  (c.assert ?? []).forEach((a, j) => {
    const p = assertionSchema.safeParse(a);
    if (p.success) rawAsserts.push({ a: p.data, j });
    else problems.zod(p.error.issues, [...at, 'assert', j], () => KNOWN_KEYS.assertion, a);
  });
  const dt = d.defaultTest;

  const vars: Record<string, unknown> = { ...(dt.vars ?? {}) };
  for (const [k, v] of Object.entries(c.vars ?? {})) vars[k] = v;
  for (const [k, v] of Object.entries(vars)) {
    const own = c.vars !== undefined && k in c.vars;
    const where: KeyPath = own ? [...at, 'vars', k] : ['defaultTest', 'vars', k];
    const report = own ? problems : d.headerProblems;
    if (Array.isArray(v)) {
      report.error(where, 'a list var makes promptfoo run one test per item; evalwatch needs one case per value (write them out)');
    } else if (typeof v === 'string' && v.startsWith('file://')) {
      const loaded = readVarFile(d.baseDir, v.slice(7));
      if (typeof loaded === 'string' && loaded.startsWith('\u0000')) report.error(where, loaded.slice(1));
      else vars[k] = loaded;
    }
  }

  const options = { ...(dt.options ?? {}), ...(c.options ?? {}) };
  checkOptions(c.options, [...at, 'options'], problems);

  const input = renderInput(c.input, d.prompt, vars, options, at, problems);
  let expected: string | undefined;
  if (c.expected !== undefined) {
    try {
      expected = typeof c.expected === 'string' ? renderTemplate(c.expected, vars) : String(c.expected);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.error([...at, 'expected'], err.message);
    }
  }

  let id = c.id !== undefined ? String(c.id) : defaultId;
  if (id === undefined && d.dialect === 'promptfoo') {
    id = `pf-${contentHash({ description: c.description, vars: c.vars, input: c.input, assert: c.assert }, 10)}`;
    problems.warn(at, `no id; derived "${id}" from the case content (add "id: ${id}" so results stay paired when the case is edited)`);
  } else if (id === undefined) {
    problems.error([...at, 'id'], 'required: a stable id, unique in the suite (results are paired across runs by it)');
  }

  const label = id ?? `#${String(at.at(-1))}`;
  const assert: GoldenAssertion[] = [];
  const opts = { vars, hasExpected: expected !== undefined, dialect: d.dialect, problems };
  for (const { raw: a, index } of d.templatedDefaults) {
    const checked = checkAssertion(a, ['defaultTest', 'assert', index], { ...opts, problems: d.headerProblems, caseLabel: label });
    if (checked) assert.push(checked);
  }
  for (const { a, j } of rawAsserts) {
    const checked = checkAssertion(a, [...at, 'assert', j], opts);
    if (checked) assert.push(checked);
  }
  if (problems.errorCount > before || input === undefined || id === undefined) return undefined;

  return {
    id,
    input,
    vars,
    ...(expected !== undefined ? { expected } : {}),
    assert,
    threshold: c.threshold ?? dt.threshold ?? 1,
    tags: [...new Set([...(dt.tags ?? []), ...(c.tags ?? [])])],
    ...((c.route ?? dt.route) !== undefined ? { route: (c.route ?? dt.route)! } : {}),
    ...(c.output !== undefined ? { output: c.output } : {}),
    source: { file: problems.file, line: problems.src.lineOf(at) },
  };
}

/**
 * promptfoo `options`: `prefix` and `suffix` apply to the prompt; a grader override is ignored
 * (with a warning); an output transform is an error, since ignoring it would score a different text.
 */
export function checkOptions(options: Record<string, unknown> | undefined, at: KeyPath, problems: Problems): void {
  for (const k of Object.keys(options ?? {})) {
    if (k === 'transform' || k === 'postprocess') problems.error([...at, k], 'not supported: evalwatch scores the output as the target returns it');
    else if (k !== 'prefix' && k !== 'suffix') problems.warn([...at, k], OPTION_KEYS_IGNORED.has(k) ? 'ignored' : 'unknown option, ignored');
  }
}

function renderInput(
  input: string | GoldenMessage[] | undefined,
  prompt: string | undefined,
  vars: Record<string, unknown>,
  options: Record<string, unknown>,
  at: KeyPath,
  problems: Problems,
): string | GoldenMessage[] | undefined {
  const where: KeyPath = input !== undefined ? [...at, 'input'] : at;
  const template = input ?? prompt;
  if (template === undefined) {
    problems.error([...at, 'input'], 'required: the prompt (a string or chat messages), or a suite-level "prompts" template rendered with vars');
    return undefined;
  }
  try {
    if (typeof template !== 'string') return template.map((m) => ({ role: m.role, content: renderTemplate(m.content, vars) }));
    const text = `${typeof options.prefix === 'string' ? options.prefix : ''}${renderTemplate(template, vars)}${typeof options.suffix === 'string' ? options.suffix : ''}`;
    return asChat(text) ?? text;
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    problems.error(where, input === undefined ? `prompts[0]: ${err.message}` : err.message);
    return undefined;
  }
}

/** promptfoo's chat prompts: a JSON list of `{role, content}` messages written as a string. */
function asChat(text: string): GoldenMessage[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    const ok =
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((m) => m && typeof m === 'object' && ['system', 'user', 'assistant'].includes((m as GoldenMessage).role) && typeof (m as GoldenMessage).content === 'string');
    return ok ? (v as GoldenMessage[]).map((m) => ({ role: m.role, content: m.content })) : undefined;
  } catch {
    return undefined;
  }
}

/** A `file://` var: JSON/YAML files parsed, anything else as text. An error starts with NUL. */
function readVarFile(baseDir: string, rel: string): unknown {
  const file = path.resolve(baseDir, rel);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return `\u0000cannot read ${rel} (resolved to ${file})`;
  }
  try {
    if (/\.json$/i.test(file)) return JSON.parse(text) as unknown;
    if (/\.ya?ml$/i.test(file)) return parseYaml(text) as unknown;
  } catch (err) {
    return `\u0000${rel} does not parse: ${(err as Error).message.split('\n')[0]}`;
  }
  return text;
}

/**
 * The default assertions of a suite: `defaultTest.assert` entries without `{{ vars }}` are
 * checked once and applied to every case (`GoldenSuite.defaultAssert`); templated ones are
 * rendered into each case.
 */
export function splitDefaults(dt: RawDefaultTest, dialect: Dialect, problems: Problems): { defaultAssert: GoldenAssertion[]; templated: SuiteDefaults['templatedDefaults'] } {
  const defaultAssert: GoldenAssertion[] = [];
  const templated: Array<SuiteDefaults['templatedDefaults'][number]> = [];
  (dt.assert ?? []).forEach((raw, index) => {
    if (isTemplated(raw)) {
      templated.push({ raw, index });
      return;
    }
    const a = checkAssertion(raw, ['defaultTest', 'assert', index], { vars: {}, hasExpected: undefined, dialect, problems });
    if (a) defaultAssert.push(a);
  });
  return { defaultAssert, templated };
}

/**
 * sha256 of what a suite measures: its cases (id, input, vars, expected, assertions, threshold;
 * sorted by id, so reordering does not re-baseline), default assertions and pinned target.
 * Descriptions, tags, routes, line numbers and recorded outputs do not count: editing them does
 * not change what is measured.
 *
 * @example
 * suiteContentHash({ target: undefined, defaultAssert: [], cases }); // '9f2c…' (64 hex digits)
 */
export function suiteContentHash(s: { target?: string; defaultAssert: readonly GoldenAssertion[]; cases: readonly GoldenCase[] }): string {
  const cases = [...s.cases]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => ({ id: c.id, input: c.input, vars: c.vars, expected: c.expected ?? null, assert: c.assert, threshold: c.threshold }));
  return contentHash({ v: 1, target: s.target ?? null, defaultAssert: s.defaultAssert, cases }, 64);
}
