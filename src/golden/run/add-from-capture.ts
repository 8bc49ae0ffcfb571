import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import type { ReadRecord } from '../../captures/record.ts';
import { scanWindow } from '../../captures/scan-window.ts';
import type { CaptureSource } from '../../captures/source.ts';
import type { QuarantineSink } from '../../store/quarantine.ts';

const HOUR = 3_600_000;

/** `golden add` cannot do what was asked (no such capture, no prompt text, id taken). */
export class AddCaseError extends Error {
  readonly code = 'GOLDEN_ADD';
  override readonly name = 'AddCaseError';
}

// A lookup writes nothing: a bad line met on the way is the scheduled runs' business.
const noQuarantine: QuarantineSink = { add: () => true, flush: async () => 0 };

/**
 * Finds one capture by `request_id`, reading the window's hours newest first and stopping at
 * the hour that holds it, so a recent capture costs one or two partitions, not the whole window.
 *
 * @example
 * const rec = await findCapture(source, 'req-123', { start: now - 7 * DAY, end: now });
 */
export async function findCapture(
  source: CaptureSource,
  requestId: string,
  window: { start: number; end: number },
  options: { fieldMap?: Readonly<Record<string, string>>; signal?: AbortSignal } = {},
): Promise<ReadRecord | null> {
  for (let end = Math.ceil(window.end / HOUR) * HOUR; end > window.start; end -= HOUR) {
    const hour = { start: Math.max(window.start, end - HOUR), end: Math.min(window.end, end) };
    if (hour.end <= hour.start) continue;
    let found: ReadRecord | null = null;
    await scanWindow(source, hour, { quarantine: noQuarantine, runId: 'golden-add', flushQuarantine: false, ...(options.fieldMap ? { fieldMap: options.fieldMap } : {}), ...(options.signal ? { signal: options.signal } : {}) }, (r) => {
      if (r.request_id === requestId) found = r;
    });
    if (found) return found;
  }
  return null;
}

/** The case `golden add` appends, as plain data. */
export interface CapturedCase {
  id: string;
  route: string;
  tags: string[];
  input: string | { role: string; content: string }[];
  expected?: string;
  assert: { type: string; threshold?: number }[];
  metadata: Record<string, string>;
}

/**
 * The golden case for a capture: its prompt as `input` (chat messages kept as messages), its
 * recorded response as a *candidate* `expected` (to be reviewed: production answers are not
 * known-good by default), its route, the tag `from-capture`, a ROUGE-L check against the
 * reference to start from, and where it came from in `metadata`.
 *
 * @throws {AddCaseError} when the capture holds no prompt text (only the sampled tier keeps it).
 * @example
 * captureToCase(record); // { id: 'cap-req-123', input: '…', expected: '…', route: 'answer', tags: ['from-capture'], … }
 */
export function captureToCase(r: ReadRecord): CapturedCase {
  let input: CapturedCase['input'];
  if (typeof r.prompt === 'string' && r.prompt.trim()) input = r.prompt;
  else if (Array.isArray(r.prompt) && r.prompt.length) {
    input = r.prompt.map((m) => ({ role: ['system', 'user', 'assistant'].includes(m.role) ? m.role : 'user', content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '') }));
  } else {
    throw new AddCaseError(`capture ${r.request_id} has no prompt text (only captures of the sampled tier keep prompt and response)`);
  }
  const id = `cap-${r.request_id.replace(/[^\w.-]+/g, '-').slice(0, 80)}`;
  return {
    id,
    route: r.route,
    tags: ['from-capture'],
    input,
    ...(typeof r.response === 'string' ? { expected: r.response } : {}),
    assert: [{ type: 'rouge-l', threshold: 0.5 }],
    metadata: { request_id: r.request_id, captured_at: r.timestamp, ...(r.model ? { model: r.model } : {}) },
  };
}

/**
 * Appends a case to a suite file with the `yaml` Document API, so the file's comments, key
 * order and style stay as they were; a comment above the new case says where it came from and
 * that `expected` needs review. A missing file is created as a new suite. The case goes into
 * `cases:` (or promptfoo's `tests:` when the file uses that).
 *
 * @throws {AddCaseError} when the suite already has a case with that id, or the file is not a suite.
 * @example
 * await appendCase('golden/support.yaml', 'support', captureToCase(record), Date.now());
 */
export async function appendCase(file: string, suiteName: string, c: CapturedCase, nowMs: number): Promise<void> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const doc: Document = text !== null ? parseDocument(text) : parseDocument(`# Golden suite ${suiteName}.\nname: ${suiteName}\ncases: []\n`);
  if (doc.errors.length) throw new AddCaseError(`${file}: not valid YAML (${doc.errors[0]!.message}); fix it with "evalwatch golden validate" first`);
  if (!isMap(doc.contents)) throw new AddCaseError(`${file}: not a suite (expected a mapping with cases:)`);
  const key = doc.has('tests') && !doc.has('cases') ? 'tests' : 'cases';
  let seq = doc.get(key, true);
  if (seq === undefined || seq === null) {
    doc.set(key, doc.createNode([]));
    seq = doc.get(key, true);
  }
  if (!isSeq(seq)) throw new AddCaseError(`${file}: ${key} is not a list`);
  for (const item of seq.items) {
    if (isMap(item) && String(item.get('id')) === c.id) throw new AddCaseError(`${file}: suite already has a case "${c.id}"`);
  }
  const node = doc.createNode(c);
  node.commentBefore = reviewComment(c, nowMs);
  // The usual file ends with its block list of cases: append the case as text, so the rest of
  // the file stays byte for byte as the team wrote it (a re-serialised document would re-pad
  // `{ a: b }` / `[a, b]` and re-quote strings).
  const last = doc.contents.items.at(-1);
  const first = seq.items[0] as { range?: [number, number, number] } | undefined;
  if (text !== null && !seq.flow && first?.range && last && doc.contents.items.length && (last.value as unknown) === seq) {
    const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
    const dash = /^( *)- /.exec(text.slice(lineStart, first.range[0]))?.[1];
    if (dash !== undefined) {
      const list = new YAMLSeq();
      list.items.push(node);
      const block = new Document(list);
      const body = block.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/^(?=.)/gm, dash);
      await writeFile(file, `${text.replace(/\n*$/, '\n')}${body}`);
      return;
    }
  }
  // A flow-style empty list (`cases: []`) would put the whole case on one line.
  seq.flow = false;
  seq.items.push(node);
  await writeFile(file, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
}

function reviewComment(c: CapturedCase, nowMs: number): string {
  return ` Added by "evalwatch golden add" from capture ${c.metadata.request_id} on ${new Date(nowMs).toISOString().slice(0, 10)}.\n Review: \`expected\` is the recorded production answer, a candidate, not a known-good one.`;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The file of suite `name` in `suitesDir`: an existing `<name>.yaml` / `.yml`, else `<name>.yaml`.
 *
 * @example
 * await suiteFile('golden', 'support'); // 'golden/support.yaml'
 */
export async function suiteFile(suitesDir: string, name: string): Promise<string> {
  if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) throw new AddCaseError(`--suite ${name}: use letters, digits, ".", "_" or "-"`);
  for (const ext of ['.yaml', '.yml']) {
    const p = path.join(suitesDir, `${name}${ext}`);
    try {
      await readFile(p);
      return p;
    } catch {
      // next
    }
  }
  return path.join(suitesDir, `${name}.yaml`);
}

/**
 * Appends the case of a capture to a suite: `suite`, else a suite named after the capture's
 * route when it is a valid name, else `captured`. A folder suite (`golden/<name>/`) gets a new
 * case file `<case-id>.yaml`; a file suite gets the case appended (comments kept).
 *
 * @example
 * await addCaseFromRecord('golden', record, undefined, Date.now()); // { file: 'golden/answer.yaml', … }
 */
export async function addCaseFromRecord(suitesDir: string, record: ReadRecord, suite: string | undefined, nowMs: number): Promise<{ file: string; caseId: string; suite: string }> {
  const name = suite ?? (/^[A-Za-z0-9][\w.-]*$/.test(record.route) ? record.route : 'captured');
  const c = captureToCase(record);
  const folder = path.join(suitesDir, name);
  if (await isDirectory(folder)) {
    // A case-per-file suite: the case gets its own file, named by its id.
    const file = path.join(folder, `${c.id}.yaml`);
    const doc = new Document(c);
    doc.commentBefore = reviewComment(c, nowMs);
    try {
      await writeFile(file, doc.toString({ lineWidth: 0, flowCollectionPadding: false }), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AddCaseError(`${file}: suite already has a case "${c.id}"`);
      throw err;
    }
    return { file, caseId: c.id, suite: name };
  }
  const file = await suiteFile(suitesDir, name);
  await appendCase(file, name, c, nowMs);
  return { file, caseId: c.id, suite: name };
}
