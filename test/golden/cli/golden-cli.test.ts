import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { loadSuites } from '../../../src/golden/suite/index.ts';
import { useOpenAiServer } from '../../helpers/use-openai-server.ts';
import { arithmeticSuite, caseOf } from '../run/helpers.ts';

// Every test answers case i with `A<i>` unless it scripts otherwise.
const server = useOpenAiServer({ script: undefined, completion: (req) => `A${caseOf(req)}` });
let dir: string;
let out: string;
let err: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ew-golden-cli-'));
  await mkdir(path.join(dir, 'golden'));
  await writeFile(
    path.join(dir, 'worker.config.json'),
    JSON.stringify({
      golden: { targets: { model: { kind: 'openai', baseURL: server.url, model: 'target-2025-01-01', concurrency: 16, maxAttempts: 1, timeoutMs: 2_000 } } },
    }),
  );
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  process.env.EVALWATCH_LOG_LEVEL = 'silent';
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const cfg = () => path.join(dir, 'worker.config.json');
const golden = (...args: string[]) => main(['node', 'evalwatch', 'golden', ...args, '-c', cfg()]);

describe('evalwatch golden run: exit codes and the summary', () => {
  it('0 on a first run and on the same answers again, 1 on a confirmed regression with expected vs got', async () => {
    await writeFile(path.join(dir, 'golden', 'arith.yaml'), arithmeticSuite(60));
    expect(await golden('run')).toBe(0);
    expect(out).toMatch(/arith {2}re-baselined/);
    out = '';
    expect(await golden('run')).toBe(0);
    expect(out).toMatch(/arith {2}no change {2}100% \[[\d.]+%–100%\] \(60\/60\) → 100%/);
    out = '';
    server.set({ completion: (req) => (caseOf(req) < 12 ? 'I do not know' : `A${caseOf(req)}`) });
    expect(await golden('run', '--suite', 'arith')).toBe(1);
    expect(out).toMatch(/arith {2}REGRESSION/);
    expect(out).toMatch(/12 confirmed regressions/);
    expect(out).toMatch(/✗ q000 {2}pass → fail, confirmed \(re-runs: fail, fail\)\n {8}expected "A0"\n {8}got {6}"I do not know"/);
    expect(out).toMatch(/… 4 more flips in /);
    // The report JSON is the same run's.
    out = '';
    expect(await golden('run', '--json')).toBe(1);
    const report = JSON.parse(out) as { pipeline: string; findings: { kind: string }[] };
    expect(report.pipeline).toBe('golden');
    expect(report.findings.map((f) => f.kind)).toEqual(['golden.regression']);
  });

  it('2 when the target is down (unmeasured cases, never fails)', async () => {
    await writeFile(path.join(dir, 'golden', 'arith.yaml'), arithmeticSuite(20));
    expect(await golden('run')).toBe(0);
    server.set({ script: () => ({ kind: 'status', status: 503 }) });
    out = '';
    expect(await golden('run')).toBe(2);
    expect(out).toMatch(/unmeasured: 20 \(20 server_error\) — excluded, never counted as fails/);
  });

  it('3 on a suite error (file:line), an unknown target or an unknown baseline, before any call', async () => {
    await writeFile(path.join(dir, 'golden', 'bad.yaml'), 'name: bad\ncases:\n  - id: a\n    input: hi\n    assert:\n      - type: contain\n        value: x\n');
    const before = server.requests.length;
    expect(await golden('run')).toBe(3);
    expect(err).toMatch(/bad\.yaml:6: .*unknown assertion "contain"/);
    expect(server.requests.length).toBe(before);
    await rm(path.join(dir, 'golden', 'bad.yaml'));
    await writeFile(path.join(dir, 'golden', 'arith.yaml'), arithmeticSuite(3));
    expect(await golden('run', '--target', 'nope')).toBe(3);
    expect(err).toMatch(/--target nope: no such target/);
    expect(await golden('run', '--baseline', 'golden-19990101T000000000Z')).toBe(3);
    expect(err).toMatch(/--baseline golden-19990101T000000000Z: no results of suite "arith"/);
  });
});

describe('evalwatch golden validate', () => {
  it('prints file:line: message and exits 3 on errors, 0 when clean', async () => {
    await writeFile(path.join(dir, 'golden', 'ok.yaml'), arithmeticSuite(2, 'ok'));
    expect(await golden('validate')).toBe(0);
    expect(err).toMatch(/1 suite \(2 cases\) valid, 0 errors/);
    await writeFile(path.join(dir, 'golden', 'dup.yaml'), 'name: dup\ncases:\n  - id: a\n    input: x\n    assert: [{ type: equals, value: x }]\n  - id: a\n    input: y\n    assert: [{ type: equals, value: y }]\n');
    out = '';
    expect(await golden('validate')).toBe(3);
    expect(out).toMatch(/dup\.yaml:\d+: .*a/);
  });
});

describe('evalwatch golden add --from-capture', () => {
  const capture = (id: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ request_id: id, timestamp: '2026-11-23T14:05:00Z', route: 'answer', model: 'gpt-x', prompt: 'How long is the warranty?', response: 'Two years.', ...extra });

  beforeEach(async () => {
    const part = path.join(dir, 'captures', 'dt=2026-11-23', 'hour=14');
    await mkdir(part, { recursive: true });
    await writeFile(path.join(part, 'a.jsonl'), `${capture('req-1')}\n${capture('req-2', { prompt: [{ role: 'user', content: 'Hi' }], route: 'chat' })}\n${capture('req-3', { prompt: undefined })}\n`);
  });

  it('appends the capture to the suite and keeps the file\'s comments; a second add of the same capture is refused', async () => {
    const file = path.join(dir, 'golden', 'answer.yaml');
    // Flow collections with and without padding, a quoted string: kept exactly as written.
    const original = `# The answer route's known cases.\nname: answer\ncases:\n  # a hand-written case\n  - id: first\n    input: 'hello' # inline note\n    tags: [a, b]\n    vars: { x: 1 }\n    assert:\n      - type: contains\n        value: hello\n`;
    await writeFile(file, original);
    expect(await golden('add', '--from-capture', 'req-1', '--end', '2026-11-24T00:00:00Z')).toBe(0);
    expect(out).toMatch(/added case cap-req-1 to suite answer/);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(original)).toBe(true);
    expect(text).toContain('# a hand-written case');
    expect(text).toMatch(/# Added by "evalwatch golden add" from capture req-1 on \d{4}-\d{2}-\d{2}\.\n\s+# Review: `expected` is the recorded production answer/);
    const { suites, errors } = await loadSuites(path.join(dir, 'golden'));
    expect(errors).toEqual([]);
    const added = suites[0]!.cases.find((c) => c.id === 'cap-req-1');
    expect(added).toMatchObject({ input: 'How long is the warranty?', expected: 'Two years.', route: 'answer', tags: ['from-capture'] });
    expect(await golden('add', '--from-capture', 'req-1', '--end', '2026-11-24T00:00:00Z')).toBe(3);
    expect(err).toMatch(/already has a case "cap-req-1"/);
  });

  it('writes a case file into a folder suite', async () => {
    await mkdir(path.join(dir, 'golden', 'answer'));
    await writeFile(path.join(dir, 'golden', 'answer', 'existing.yaml'), 'input: hi\nassert: [{ type: contains, value: hi }]\n');
    expect(await golden('add', '--from-capture', 'req-1', '--end', '2026-11-24T00:00:00Z')).toBe(0);
    const text = await readFile(path.join(dir, 'golden', 'answer', 'cap-req-1.yaml'), 'utf8');
    expect(text).toMatch(/^# Added by "evalwatch golden add" from capture req-1/);
    const { suites, errors } = await loadSuites(path.join(dir, 'golden'));
    expect(errors).toEqual([]);
    expect(suites.find((s) => s.name === 'answer')?.cases.map((c) => c.id).sort()).toEqual(['cap-req-1', 'existing']);
    expect(await golden('add', '--from-capture', 'req-1', '--end', '2026-11-24T00:00:00Z')).toBe(3);
  });

  it('creates a suite named after the route for chat captures; 3 when not found or without prompt text', async () => {
    expect(await golden('add', '--from-capture', 'req-2', '--end', '2026-11-24T00:00:00Z')).toBe(0);
    const { suites } = await loadSuites(path.join(dir, 'golden'));
    expect(suites.find((s) => s.name === 'chat')?.cases[0]?.input).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(await golden('add', '--from-capture', 'req-9', '--end', '2026-11-24T00:00:00Z')).toBe(3);
    expect(err).toMatch(/no capture with request_id "req-9"/);
    expect(await golden('add', '--from-capture', 'req-3', '--end', '2026-11-24T00:00:00Z')).toBe(3);
    expect(err).toMatch(/has no prompt text/);
  });
});
