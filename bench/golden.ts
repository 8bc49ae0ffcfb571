import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

/**
 * `bench/golden`: 1,000 golden cases against the local OpenAI-compatible server (its own process,
 * fixed latency), run by `evalwatch golden run` and by promptfoo's CLI on the same cases, same
 * server, same concurrency. Prints JSON: both wall times and their ratio (target: evalwatch ≥ 2×
 * faster), and whether both tools agree case by case on pass/fail for the assertion types both
 * implement the same way (contains, icontains, not-contains, contains-any, contains-all,
 * starts-with, regex, equals, is-json).
 *
 * promptfoo is not a dependency of evalwatch: the first run installs a pinned version that
 * supports Node 20 (`PROMPTFOO_VERSION`, engines ">=20.0.0") into `bench/.cache/promptfoo`
 * (gitignored). Both tools are timed as CLI processes, start-up included, like a CI job.
 *
 *   npx tsx bench/golden.ts [--cases 1000] [--concurrency 16] [--latency 20]
 */

const PROMPTFOO_VERSION = '0.120.19';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = path.join(ROOT, 'bench', '.cache', 'promptfoo');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The answer the server gives to "question i": right, wrong, JSON or not, by i. */
const COMPLETION = `(req) => {
  const m = req.body.messages; const t = m[m.length - 1].content;
  const i = Number(/question (\\d+)/.exec(t)?.[1] ?? -1);
  if (i % 9 === 8) return i % 2 ? JSON.stringify({ answer: 'A' + i, ok: true }) : '{"answer": A' + i + '}';
  if (i % 7 === 3) return 'I am not sure about question ' + i + '.';
  return 'The answer is A' + i + '. Thanks for asking!';
}`;

/** Assertions cycling over the types both tools implement the same way. */
function assertionsFor(i: number): Record<string, unknown>[] {
  switch (i % 9) {
    case 0: return [{ type: 'contains', value: `A${i}` }];
    case 1: return [{ type: 'icontains', value: `the answer is a${i}` }];
    case 2: return [{ type: 'not-contains', value: 'not sure' }];
    case 3: return [{ type: 'contains-any', value: [`A${i}.`, 'maybe'] }];
    case 4: return [{ type: 'contains-all', value: ['answer', `A${i}`] }];
    case 5: return [{ type: 'starts-with', value: 'The answer' }];
    case 6: return [{ type: 'regex', value: `A${i}\\b` }];
    case 7: return [{ type: 'equals', value: `The answer is A${i}. Thanks for asking!` }];
    default: return [{ type: 'is-json' }];
  }
}

async function startServer(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const helper = pathToFileURL(path.join(ROOT, 'test/helpers/openai-server.ts')).href;
  const code = `import { startOpenAiServer } from ${JSON.stringify(helper)}; const s = await startOpenAiServer({ latencyMs: ${latencyMs}, completion: ${COMPLETION} }); console.log('READY ' + s.url);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => l.startsWith('READY ') && resolve(l.slice(6).trim()));
    child.once('exit', (c) => reject(new Error(`the benchmark server exited with ${c}`)));
  });
  return { url, child };
}

/** Installs promptfoo into the cache folder once; returns its CLI entry or an error. */
function ensurePromptfoo(): { main: string; version: string } | { error: string } {
  const pkg = path.join(CACHE, 'node_modules', 'promptfoo', 'package.json');
  if (!existsSync(pkg)) {
    process.stderr.write(`bench/golden: installing promptfoo@${PROMPTFOO_VERSION} into ${CACHE} (once) …\n`);
    spawnSync('mkdir', ['-p', CACHE]);
    if (!existsSync(path.join(CACHE, 'package.json'))) spawnSync('sh', ['-c', `echo '{"private":true}' > ${JSON.stringify(path.join(CACHE, 'package.json'))}`]);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', `promptfoo@${PROMPTFOO_VERSION}`], { cwd: CACHE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) return { error: `npm install promptfoo@${PROMPTFOO_VERSION} failed: ${(r.stderr ?? '').slice(-500)}` };
    // npm may skip install scripts (allowScripts): build promptfoo's SQLite binding explicitly.
    const b = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: CACHE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (b.status !== 0) return { error: `npm rebuild better-sqlite3 (for promptfoo) failed: ${(b.stderr ?? '').slice(-500)}` };
  }
  const meta = JSON.parse(spawnSync('cat', [pkg], { encoding: 'utf8' }).stdout) as { version: string; bin?: Record<string, string> | string };
  const bin = typeof meta.bin === 'string' ? meta.bin : (meta.bin?.promptfoo ?? 'dist/src/main.js');
  return { main: path.join(CACHE, 'node_modules', 'promptfoo', bin), version: meta.version };
}

function timed(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): { ms: number; status: number | null; stdout: string; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ms: performance.now() - t0, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * Runs the comparison and returns the figures.
 *
 * @example
 * const figures = await main();
 */
export async function main(): Promise<Record<string, unknown>> {
  const cases = arg('cases', 1_000);
  const concurrency = arg('concurrency', 16);
  const latencyMs = arg('latency', 20);
  const dir = await mkdtemp(path.join(tmpdir(), 'ew-bench-golden-'));
  const server = await startServer(latencyMs);
  try {
    const tests = Array.from({ length: cases }, (_, i) => ({ id: `q${i}`, input: `question ${i}`, assert: assertionsFor(i) }));
    // evalwatch: a suite file and a config with one target.
    await mkdir(path.join(dir, 'golden'));
    await writeFile(path.join(dir, 'golden', 'bench.yaml'), stringify({ name: 'bench', cases: tests }));
    await writeFile(
      path.join(dir, 'worker.config.json'),
      JSON.stringify({ store: { kind: 'fs', path: path.join(dir, 'results') }, golden: { targets: { model: { kind: 'openai', baseURL: server.url, model: 'bench-model', concurrency, maxAttempts: 1 } }, confirmRetries: 0 } }),
    );
    const env = { ...process.env, OPENAI_API_KEY: 'bench', EVALWATCH_LOG_LEVEL: 'silent' };
    const ew = timed(process.execPath, [path.join(ROOT, 'bin', 'evalwatch.js'), 'golden', 'run', '--json', '-c', path.join(dir, 'worker.config.json')], { cwd: dir, env });
    if (ew.status !== 0 && ew.status !== 2) throw new Error(`evalwatch golden run exited ${ew.status}: ${ew.stderr.slice(-800)}`);
    const report = JSON.parse(ew.stdout) as { sections: { golden: { suites: { resultsKey: string }[] } } };
    const record = JSON.parse(await readFile(path.join(dir, 'results', report.sections.golden.suites[0]!.resultsKey), 'utf8')) as { results: { caseId: string; status: string }[] };
    const ours = new Map(record.results.map((r) => [r.caseId, r.status]));

    const figures: Record<string, unknown> = {
      cases,
      concurrency,
      serverLatencyMs: latencyMs,
      evalwatch: { wallMs: Math.round(ew.ms), pass: [...ours.values()].filter((s) => s === 'pass').length, unmeasured: [...ours.values()].filter((s) => s === 'unmeasured').length },
    };

    const pf = ensurePromptfoo();
    if ('error' in pf) return { ...figures, promptfoo: { error: pf.error } };
    const pfConfig = {
      description: 'evalwatch bench/golden',
      prompts: ['{{input}}'],
      providers: [{ id: 'openai:chat:bench-model', config: { apiBaseUrl: server.url, apiKey: 'bench', temperature: 0 } }],
      tests: tests.map((t) => ({ description: t.id, vars: { input: t.input }, assert: t.assert })),
    };
    await writeFile(path.join(dir, 'promptfooconfig.yaml'), stringify(pfConfig));
    const pfHome = path.join(dir, 'pf-home');
    const pfEnv = {
      ...process.env,
      OPENAI_API_KEY: 'bench',
      PROMPTFOO_CONFIG_DIR: pfHome,
      PROMPTFOO_DISABLE_TELEMETRY: '1',
      PROMPTFOO_DISABLE_UPDATE: '1',
      PROMPTFOO_DISABLE_SHARING: '1',
      PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION: '1',
      PROMPTFOO_SELF_HOSTED: '1',
      IS_TESTING: '',
    };
    const out = path.join(dir, 'pf-out.json');
    const run = timed(process.execPath, [pf.main, 'eval', '-c', path.join(dir, 'promptfooconfig.yaml'), '--max-concurrency', String(concurrency), '--no-cache', '--no-progress-bar', '--no-table', '-o', out], { cwd: dir, env: pfEnv });
    if (!existsSync(out)) return { ...figures, promptfoo: { version: pf.version, error: `promptfoo eval exited ${run.status}: ${(run.stderr || run.stdout).slice(-800)}` } };
    const pfOut = JSON.parse(await readFile(out, 'utf8')) as { results: { results: { success: boolean; testCase?: { description?: string }; vars?: { input?: string }; error?: string }[] } };
    let compared = 0;
    let identical = 0;
    let errors = 0;
    const mismatches: string[] = [];
    for (const r of pfOut.results.results) {
      const id = r.testCase?.description ?? `q${/question (\d+)/.exec(r.vars?.input ?? '')?.[1]}`;
      const mine = ours.get(id);
      if (r.error && !r.success && /error|fail to|ECONN|timeout/i.test(r.error) && !/expected|assert/i.test(r.error)) errors++;
      if (mine === undefined || mine === 'unmeasured') continue;
      compared++;
      if ((mine === 'pass') === r.success) identical++;
      else if (mismatches.length < 5) mismatches.push(`${id}: evalwatch ${mine}, promptfoo ${r.success ? 'pass' : 'fail'}`);
    }
    return {
      ...figures,
      promptfoo: { version: pf.version, wallMs: Math.round(run.ms), pass: pfOut.results.results.filter((r) => r.success).length, results: pfOut.results.results.length, providerErrors: errors },
      speedup: Number((run.ms / ew.ms).toFixed(2)),
      target: 'evalwatch ≥ 2× faster (speedup ≥ 2)',
      agreement: { compared, identical, mismatches },
    };
  } finally {
    server.child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
