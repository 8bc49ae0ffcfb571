import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: runs every benchmark in its own process (so one's heap and RSS do not colour
 * another's), one after the other, and prints one JSON object with each benchmark's figures.
 * Each benchmark measures against a reference in the same run (scipy, plain gunzip, a bare BullMQ
 * worker, a bare SDK loop), so the ratios mean something on any machine.
 *
 *   npm run bench                       every benchmark
 *   npm run bench -- --only ks,scan     a subset
 */
const BENCHES = ['ks', 'scan', 'drift-scenarios', 'drift-merge', 'drift-finalize', 'queue', 'queue-instructions', 'judge', 'alerts', 'golden'] as const;

function parseOnly(argv: string[]): string[] {
  const i = argv.indexOf('--only');
  if (i < 0) return [...BENCHES];
  const names = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`--only: unknown benchmark ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`);
  return names;
}

/** The last top-level JSON object a benchmark printed. */
function lastJson(stdout: string): unknown {
  for (let end = stdout.lastIndexOf('}'); end >= 0; end = stdout.lastIndexOf('}', end - 1)) {
    for (let start = stdout.lastIndexOf('{', end); start >= 0; start = stdout.lastIndexOf('{', start - 1)) {
      if (start > 0 && stdout[start - 1] !== '\n') continue;
      try {
        return JSON.parse(stdout.slice(start, end + 1));
      } catch {
        // not a whole object yet: widen
      }
    }
  }
  return null;
}

const results: Record<string, unknown> = {};
for (const name of parseOnly(process.argv.slice(2))) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  process.stderr.write(`bench: ${name} …\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  const figures = lastJson(r.stdout ?? '');
  results[name] = r.status === 0 && figures !== null ? figures : { error: `exit ${r.status}`, stdout: (r.stdout ?? '').slice(-2000) };
  process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${JSON.stringify({ node: process.version, cpus: (await import('node:os')).cpus().length, results }, null, 2)}\n`);
