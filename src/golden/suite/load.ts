import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GoldenCase, GoldenSuite } from '../types.ts';
import type { Dialect } from './assertion-check.ts';
import { buildCase, checkOptions, splitDefaults, suiteContentHash, type SuiteDefaults } from './build.ts';
import { YamlSource, type KeyPath } from './positions.ts';
import { Problems, type SuiteProblem } from './problems.ts';
import { KNOWN_KEYS, suiteHeaderSchema, withoutBadKeys, type RawSuiteHeader } from './schema.ts';

/** What loading suites found: the valid suites, and every problem with its file and line. */
export interface LoadResult {
  /** Suites without errors, sorted by name. A suite with any error is left out whole. */
  readonly suites: GoldenSuite[];
  readonly errors: SuiteProblem[];
  readonly warnings: SuiteProblem[];
}

export interface LoadOptions {
  /** Only these suites (by name); an unknown name is an error. Default: every suite. */
  readonly only?: readonly string[];
  /** Target names of the config: a suite that pins another target is an error. Default: not checked. */
  readonly targets?: readonly string[];
}

const YAML = /\.ya?ml$/i;
/** The suite-level file of a folder suite (`golden/<suite>/_suite.yaml`). */
export const FOLDER_HEADER = /^_suite\.ya?ml$/i;

/**
 * Loads every suite of a folder: each `*.yaml` file is a suite (evalwatch `cases:` or a promptfoo
 * test file: `tests:` or a bare list), each sub-folder holding YAML files a case-per-file suite
 * with an optional `_suite.yaml` for suite-level keys (a sub-folder without YAML, e.g. of files
 * that `file://` vars read, is skipped). Never throws for a suite problem: they are all returned.
 *
 * @example
 * const { suites, errors } = await loadSuites('golden');
 * for (const e of errors) console.error(formatProblem(e)); // golden/qa.yaml:12: cases[3].id: required…
 */
export async function loadSuites(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const errors: SuiteProblem[] = [];
  const warnings: SuiteProblem[] = [];
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((e) => !e.startsWith('.')).sort();
  } catch (err) {
    errors.push({ file: dir, line: 1, message: `cannot read the suites folder: ${(err as Error).message}` });
    return { suites: [], errors, warnings };
  }
  const suites: GoldenSuite[] = [];
  for (const e of entries) {
    const p = path.join(dir, e);
    const isDir = (await stat(p)).isDirectory();
    if (!isDir && !YAML.test(e)) continue;
    const s = isDir ? await loadFolder(p, errors, warnings) : await loadFile(p, errors, warnings);
    if (s) suites.push(s);
  }
  return finish(suites, errors, warnings, opts);
}

/**
 * Loads one suite: a suite file or a case-per-file folder.
 *
 * @example
 * const { suites: [suite], errors } = await loadSuite('golden/support.yaml');
 */
export async function loadSuite(file: string, opts: Omit<LoadOptions, 'only'> = {}): Promise<LoadResult> {
  const errors: SuiteProblem[] = [];
  const warnings: SuiteProblem[] = [];
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch (err) {
    errors.push({ file, line: 1, message: `cannot read the suite: ${(err as Error).message}` });
    return { suites: [], errors, warnings };
  }
  const s = isDir ? await loadFolder(file, errors, warnings) : await loadFile(file, errors, warnings);
  return finish(s ? [s] : [], errors, warnings, opts);
}

/**
 * `golden validate`: loads every suite and returns the same result; `errors` empty means every
 * suite is usable.
 *
 * @example
 * const r = await validateSuites('golden');
 * process.exitCode = r.errors.length ? 3 : 0;
 */
export async function validateSuites(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return loadSuites(dir, opts);
}

function finish(suites: GoldenSuite[], errors: SuiteProblem[], warnings: SuiteProblem[], opts: LoadOptions): LoadResult {
  const seen = new Map<string, GoldenSuite>();
  const out: GoldenSuite[] = [];
  for (const s of suites) {
    const first = seen.get(s.name);
    if (first) {
      errors.push({ file: s.file, line: 1, message: `duplicate suite name "${s.name}" (also ${first.file})` });
      continue;
    }
    seen.set(s.name, s);
    if (opts.targets && s.target !== undefined && !opts.targets.includes(s.target)) {
      errors.push({ file: s.file, line: 1, message: `target: unknown target "${s.target}" (config golden.targets: ${opts.targets.join(', ') || 'none'})` });
      continue;
    }
    out.push(s);
  }
  let selected = out;
  if (opts.only) {
    for (const n of opts.only) if (!seen.has(n)) errors.push({ file: '(command line)', line: 0, message: `no suite named "${n}" (suites: ${[...seen.keys()].join(', ') || 'none'})` });
    selected = out.filter((s) => opts.only!.includes(s.name));
  }
  // A suite with an error is left out whole: half a suite would re-baseline as a different suite.
  const bad = new Set(errors.map((e) => e.file));
  selected = selected.filter((s) => !bad.has(s.file) && ![...bad].some((f) => f.startsWith(`${s.file}${path.sep}`)));
  selected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { suites: selected, errors: dedupe(errors), warnings: dedupe(warnings) };
}

/** Unique problems in reading order: by file, then line (stable within a line). */
function dedupe(ps: SuiteProblem[]): SuiteProblem[] {
  const seen = new Set<string>();
  const order = [...ps].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return order.filter((p) => {
    const k = `${p.file}\u0000${p.line}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function parse(file: string, errors: SuiteProblem[], warnings: SuiteProblem[]): Promise<{ src: YamlSource; data: unknown; problems: Problems } | undefined> {
  const text = await readFile(file, 'utf8');
  const src = new YamlSource(text);
  const problems = new Problems(file, src, errors, warnings);
  const syntax = src.syntaxError();
  if (syntax) {
    problems.error([], `not valid YAML: ${syntax.message}`, syntax.line);
    return undefined;
  }
  return { src, data: src.toJS(), problems };
}

function header(data: unknown, problems: Problems): RawSuiteHeader | undefined {
  const parsed = suiteHeaderSchema.safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  problems.zod(parsed.error.issues, [], (rel) => (rel.length === 0 ? KNOWN_KEYS.suite : rel[0] === 'defaultTest' && rel.length === 1 ? KNOWN_KEYS.defaultTest : KNOWN_KEYS.assertion), data);
  // A typo'd or wrong top-level key is reported above; the cases are still checked, so one
  // `golden validate` shows every problem (the suite stays out of runs: it has an error).
  const known = withoutBadKeys(data, parsed.error.issues, KNOWN_KEYS.suite, ['defaultTest', 'prompts']);
  const again = known && suiteHeaderSchema.safeParse(known);
  return again && again.success ? again.data : undefined;
}

function defaultsOf(h: RawSuiteHeader, dialect: Dialect, problems: Problems, baseDir: string): { d: SuiteDefaults; defaultAssert: GoldenSuite['defaultAssert'] } | undefined {
  if (h.providers !== undefined) problems.warn(['providers'], 'ignored: the target comes from config.golden.targets (pin one with "target:")');
  let prompt: string | undefined;
  if (h.prompts?.length) {
    if (h.prompts.length > 1) {
      problems.error(['prompts'], `one prompt per suite (got ${h.prompts.length}); split the prompts into suites so each gets its own verdict`);
      return undefined;
    }
    const p = h.prompts[0]!;
    prompt = typeof p === 'string' ? p : p.raw;
    if (prompt.startsWith('file://')) {
      problems.error(['prompts', 0], 'file:// prompts are not supported; write the prompt inline');
      return undefined;
    }
  }
  const dt = h.defaultTest ?? {};
  checkOptions(dt.options, ['defaultTest', 'options'], problems);
  const { defaultAssert, templated } = splitDefaults(dt, dialect, problems);
  return { d: { dialect, defaultTest: dt, ...(prompt !== undefined ? { prompt } : {}), templatedDefaults: templated, headerProblems: problems, baseDir }, defaultAssert };
}

async function loadFile(file: string, errors: SuiteProblem[], warnings: SuiteProblem[]): Promise<GoldenSuite | undefined> {
  const p = await parse(file, errors, warnings);
  if (!p) return undefined;
  const { data, problems } = p;
  const list = Array.isArray(data);
  const h = list ? {} : header(data, problems);
  if (!h) return undefined;
  if (!list && h.cases && h.tests) {
    problems.error(['tests'], 'use either "cases" (evalwatch) or "tests" (promptfoo), not both');
    return undefined;
  }
  const dialect: Dialect = list || h.tests ? 'promptfoo' : 'evalwatch';
  const key = list ? undefined : h.tests ? 'tests' : 'cases';
  const raws = (list ? data : (h.tests ?? h.cases)) as unknown[] | undefined;
  if (!raws?.length) {
    problems.error(key ? [key] : [], 'no cases: add a "cases:" list (or promptfoo "tests:")');
    return undefined;
  }
  const defaults = defaultsOf(h, dialect, problems, path.dirname(file));
  if (!defaults) return undefined;
  const cases: GoldenCase[] = [];
  const ids = new Map<string, number>();
  const reported = duplicateIds(raws, key, problems);
  raws.forEach((raw, i) => {
    const at: KeyPath = key ? [key, i] : [i];
    const c = buildCase(raw, at, defaults.d, problems);
    if (c && !reported.has(c.id)) addCase(c, at, cases, ids, problems);
  });
  return assemble(h, path.basename(file).replace(YAML, ''), file, cases, defaults.defaultAssert, problems);
}

async function loadFolder(dir: string, errors: SuiteProblem[], warnings: SuiteProblem[]): Promise<GoldenSuite | undefined> {
  const files = (await readdir(dir)).filter((f) => YAML.test(f) && !f.startsWith('.')).sort();
  // A folder without YAML (files that `file://` vars read, say) is not a suite.
  if (files.length === 0) return undefined;
  const headerFile = files.find((f) => FOLDER_HEADER.test(f));
  let h: RawSuiteHeader = {};
  let headerProblems: Problems;
  if (headerFile) {
    const p = await parse(path.join(dir, headerFile), errors, warnings);
    if (!p) return undefined;
    headerProblems = p.problems;
    const parsed = header(p.data, p.problems);
    if (!parsed) return undefined;
    if (parsed.cases || parsed.tests) p.problems.error([parsed.cases ? 'cases' : 'tests'], 'a folder suite has one case per file; list no cases in _suite.yaml');
    h = parsed;
  } else {
    headerProblems = new Problems(dir, new YamlSource(''), errors, warnings);
  }
  const defaults = defaultsOf(h, 'evalwatch', headerProblems, dir);
  if (!defaults) return undefined;
  const cases: GoldenCase[] = [];
  const ids = new Map<string, number>();
  for (const f of files) {
    if (f === headerFile) continue;
    const p = await parse(path.join(dir, f), errors, warnings);
    if (!p) continue;
    const c = buildCase(p.data ?? {}, [], defaults.d, p.problems, f.replace(YAML, ''));
    if (c) addCase(c, ['id'], cases, ids, p.problems);
  }
  if (files.length === 1 && headerFile) headerProblems.error([], 'no cases: add one YAML file per case to the folder');
  return assemble(h, path.basename(dir), dir, cases, defaults.defaultAssert, headerProblems);
}

/** Reports explicit ids used twice, whether or not the cases are otherwise valid. */
function duplicateIds(raws: unknown[], key: string | undefined, problems: Problems): Set<string> {
  const first = new Map<string, number>();
  const dup = new Set<string>();
  raws.forEach((raw, i) => {
    const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const at: KeyPath = key ? [key, i, 'id'] : [i, 'id'];
    const line = problems.src.lineOf(at);
    const seen = first.get(String(id));
    if (seen === undefined) first.set(String(id), line);
    else {
      dup.add(String(id));
      problems.error(at, `duplicate id "${String(id)}" (first used at line ${seen})`);
    }
  });
  return dup;
}

function addCase(c: GoldenCase, at: KeyPath, cases: GoldenCase[], ids: Map<string, number>, problems: Problems): void {
  const firstLine = ids.get(c.id);
  if (firstLine !== undefined) {
    const idPath = at.at(-1) === 'id' ? at : [...at, 'id'];
    const firstFile = cases.find((x) => x.id === c.id)?.source.file;
    const where = firstFile && firstFile !== problems.file ? ` of ${path.basename(firstFile)}` : '';
    problems.error(idPath, `duplicate id "${c.id}" (first used at line ${firstLine}${where})`);
    return;
  }
  ids.set(c.id, c.source.line);
  cases.push(c);
}

function assemble(h: RawSuiteHeader, stem: string, file: string, cases: GoldenCase[], defaultAssert: GoldenSuite['defaultAssert'], problems: Problems): GoldenSuite {
  const name = h.name ?? stem;
  if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) problems.error(['name'], `the suite name "${name}" must be letters, digits, ".", "_" or "-" (it names result files); set "name:"`);
  const target = h.target;
  return {
    name,
    ...(h.description !== undefined ? { description: h.description } : {}),
    file,
    cases,
    defaultAssert,
    ...(target !== undefined ? { target } : {}),
    contentHash: suiteContentHash({ ...(target !== undefined ? { target } : {}), defaultAssert, cases }),
  };
}
