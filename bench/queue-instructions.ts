/**
 * Per-job overhead of our queue layer in CPU instructions (prints JSON):
 * `npx tsx bench/queue-instructions.ts` (needs valgrind).
 *
 * The wall-clock overhead figure of `bench/queue` moves with the host: on a shared machine the
 * same bare BullMQ worker costs anywhere from 55 to 90 µs of CPU per job from one run to the
 * next. Instructions do not move: each worker (bare BullMQ, and ours through `startQueueWorker`)
 * runs in a process of its own under `valgrind --tool=callgrind`, consuming `small` and then
 * `large` no-op jobs that were added beforehand; the difference of the two counts divided by
 * the difference of the job counts is the cost of one job, start-up and shutdown cancelled out.
 * Redis' own work is not counted (it runs the same commands for both: see `bench/queue`).
 *
 * `BENCH_SMALL` (default 500) and `BENCH_LARGE` (default 5500) jobs, `BENCH_NODE_FLAGS` (flags for
 * the measured node processes, default none); concurrency 8 as in
 * `bench/queue`; about 8 minutes. Fewer jobs are not a faster version of the same figure: timers
 * that tick per second (stretched ~50-fold under valgrind) then weigh on every job, and 200 vs
 * 1200 jobs read 1.42× on the same code that reads 1.18× with the defaults. Run with
 * `--consume <bare|ours> <prefix>` it is the measured process.
 *
 * The count is not free of the host after all: V8 compiles and collects garbage on helper
 * threads, which valgrind runs one at a time, so how much of that work lands while the main
 * thread waits on Redis moves with Redis' latency. The same code read 1.19×, 1.33× and 1.65× on
 * different days. `BENCH_NODE_FLAGS=--single-threaded` (V8 compiles and collects on the main
 * thread) read 1.27× and 1.13× ten minutes apart; the start-up count still moves by ~2·10⁸
 * instructions from run to run (±40k per job at these job counts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { parseConfig } from '../src/config/load.ts';
import { createMetrics } from '../src/http/metrics.ts';
import type { Pipeline } from '../src/pipeline/types.ts';
import { runIdFor, UNITS_QUEUE } from '../src/queue/names.ts';
import { startQueueWorker } from '../src/queue/worker.ts';
import { createContext } from '../src/runtime/context.ts';
import { silentLogger } from '../src/runtime/logger.ts';
import { deletePrefix, noop } from './queue.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 8;
type Kind = 'bare' | 'ours';

/**
 * The measured process: a worker of `kind` on the waiting jobs, until SIGTERM. It detects nothing
 * itself (the parent watches Redis from outside valgrind), so the only per-job work counted is the
 * worker's own.
 */
async function consume(kind: Kind, prefix: string): Promise<void> {
  let close: () => Promise<unknown>;
  if (kind === 'bare') {
    const w = new Worker(UNITS_QUEUE, async () => ({ v: 1, unitId: 'x', partial: { n: 1 } }), {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix,
      concurrency: CONCURRENCY,
    });
    close = () => w.close();
  } else {
    const config = parseConfig({ store: { kind: 'fs', path: '/tmp' }, captures: { source: { kind: 'fs', path: '/tmp' } }, redis: { prefix } }, 'bench');
    const ctx = createContext({ config, logger: silentLogger() });
    // Job metrics as in production, without the default process metrics: their event-loop-delay
    // sampler ticks per unit of time, and under valgrind time stretches about 50-fold.
    const w = await startQueueWorker({
      ctx,
      redisUrl: REDIS_URL,
      resolvePipeline: async () => noop as Pipeline,
      reconcile: false,
      options: { concurrency: CONCURRENCY },
      metrics: createMetrics({ collectDefault: false }),
    });
    close = () => w.close();
  }
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
}

async function addJobs(prefix: string, jobs: number): Promise<void> {
  const queue = new Queue(UNITS_QUEUE, { connection: { url: REDIS_URL }, prefix });
  const window = { start: Date.UTC(2026, 10, 23, 13), end: Date.UTC(2026, 10, 23, 14) };
  const run = { runId: runIdFor('drift', window), pipeline: 'drift', window, requestedAt: window.end };
  const all = Array.from({ length: jobs }, (_, i) => ({ name: 'unit', data: { v: 1, run, unit: { id: `u${i}`, keys: [`k${i}`] } }, opts: { jobId: `j${i}`, removeOnComplete: false } }));
  for (let i = 0; i < all.length; i += 500) await queue.addBulk(all.slice(i, i + 500));
  await queue.close();
}

/** Instructions the process `kind` executes to consume `jobs` jobs (start-up included). */
async function measure(kind: Kind, jobs: number): Promise<number> {
  const prefix = `evalwatch-bench-instr-${process.pid}-${kind}-${jobs}`;
  await addJobs(prefix, jobs);
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--consume', kind, prefix], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  // Watched from here, outside valgrind: the measured process does nothing but work jobs.
  const queue = new Queue(UNITS_QUEUE, { connection: { url: REDIS_URL }, prefix });
  while ((await queue.getCompletedCount()) < jobs) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await queue.close();
  child.kill('SIGTERM');
  const code = await exited;
  await deletePrefix(prefix);
  const m = /Collected : (\d+)/.exec(err);
  if (code !== 0 || !m) throw new Error(`callgrind run failed (${code}): ${err.slice(-500)}`);
  return Number(m[1]);
}

/**
 * Runs the measurement and prints its figures as JSON.
 *
 * @example
 * await main(); // { perJob: { bare, ours }, ratio }
 */
export async function main(): Promise<Record<string, unknown>> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    throw new Error('valgrind is not installed (apt-get install -y valgrind): this benchmark counts instructions with callgrind');
  }
  const small = Number(process.env.BENCH_SMALL ?? 500);
  const large = Number(process.env.BENCH_LARGE ?? 5500);
  const counts: Record<Kind, { small: number; large: number }> = { bare: { small: 0, large: 0 }, ours: { small: 0, large: 0 } };
  const kinds = (process.env.BENCH_KINDS ?? 'bare,ours').split(',') as Kind[];
  for (const kind of kinds) {
    counts[kind].small = await measure(kind, small);
    counts[kind].large = await measure(kind, large);
  }
  const per = (k: Kind) => (counts[k].large - counts[k].small) / (large - small);
  const out = {
    node: process.version,
    jobs: { small, large },
    instructions: counts,
    instructionsPerJob: { bare: Math.round(per('bare')), ours: Math.round(per('ours')) },
    overheadRatio: Number((per('ours') / per('bare')).toFixed(3)),
    target: '≤ 1.20',
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return out;
}

const i = process.argv.indexOf('--consume');
if (i >= 0) await consume(process.argv[i + 1] as Kind, process.argv[i + 2] as string);
else if (import.meta.url === `file://${process.argv[1]}`) await main();
