/**
 * Queue layer benchmark (prints JSON): `npx tsx bench/queue.ts`
 *
 * 1. Per-job overhead: the same no-op jobs through a bare BullMQ worker and through our unit
 *    processor (contract checks, pipeline lookup, partial sizing, progress hash, liveness,
 *    metrics), same Redis, same concurrency, interleaved rounds; medians, paired and best-of
 *    ratios, CPU µs and Redis commands per job. Target: ≤ 20% overhead.
 * 2. End-to-end drift run over ≥ 1M generated captures with 1 and 2 worker processes (`drift`
 *    from the registry, real fs source and store), rounds in alternating order: the run's time
 *    from its enqueue to the end of its finalize job (as the workers stamp it; the waiting client
 *    polls every 500 ms like `evalwatch run`, and its CPU is reported), per-phase times
 *    (plan, units, finalize and its steps, from the jobs themselves), units per process, CPU per
 *    process and of Redis, cores one process keeps busy and the ceiling that puts on the speed-up,
 *    load average. Target: ≥ 1.7× speed-up on 2 cores. Beside each queue run, in the same round, a
 *    bare reference: the same `processUnit` calls split in halves over plain processes (no queue,
 *    no merge, no finalize), i.e. what two processes can gain on this machine at that moment.
 *    Both are measured warm, as a long-lived fleet runs: each queue run follows an untimed 5-hour
 *    run on the same worker processes, each bare process first processes 4 units untimed.
 *
 * Timings on a shared machine are noisy: run it when `uptime` shows a low load (the JSON carries
 * the load average of every run). `BENCH_JOBS` (default 10000), `BENCH_ROUNDS` (default 7),
 * `BENCH_WARMUP=0` (no warm-up run before each timed e2e run),
 * `BENCH_RECORDS` (default 1_050_000), `BENCH_E2E_ROUNDS` (default 3), `BENCH_SKIP_E2E=1`,
 * `BENCH_SKIP_OVERHEAD=1`, `BENCH_WORKER_CONCURRENCY` (units per worker process, default 1),
 * `BENCH_BASELINE_DAYS` (days of drift history in the store before the window, default 0),
 * `BENCH_CPU_PROF=<dir>` (V8 CPU profiles of the worker processes' timed runs). Run with
 * `--worker` it is a worker process of part 2 (`EW_BARE=i/n`: the bare reference's i-th of n processes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig } from '../src/config/load.ts';
import { createMetrics } from '../src/http/metrics.ts';
import { getPipeline } from '../src/pipeline/registry.ts';
import type { Pipeline } from '../src/pipeline/types.ts';
import { createRunClient } from '../src/queue/client.ts';
import { finalizeJobId, JOB, planJobId, RUNS_QUEUE, runIdFor, UNITS_QUEUE } from '../src/queue/names.ts';
import { serveWorker } from '../src/queue/serve.ts';
import { startQueueWorker } from '../src/queue/worker.ts';
import { createContext } from '../src/runtime/context.ts';
import { aggregateFileKey, seriesFileKey } from '../src/drift/history.ts';
import { runDriftInline } from '../src/drift/pipeline.ts';
import { createFsStore } from '../src/store/fs-store.ts';
import type { ResultsStore } from '../src/store/types.ts';
import { silentLogger } from '../src/runtime/logger.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 3_600_000;

/** The no-op pipeline both overhead benchmarks run (this one and `queue-instructions`). */
export const noop: Pipeline<{ n: number }> = {
  name: 'drift',
  plan: async () => [],
  processUnit: async () => ({ n: 1 }),
  merge: (p) => ({ n: p.length }),
  finalize: async () => {
    throw new Error('not used');
  },
};

/** Removes every Redis key under `prefix` (both queues, progress hashes). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** Calls per command since the server started (`INFO commandstats`); server-wide. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1] as string, Number(m[2]));
  return out;
}

function callsDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) d.set(k, v - (before.get(k) ?? 0));
  return d;
}

/**
 * Adds `n` unit jobs and returns the ms until all completed (polled the same way for both), and
 * the Redis commands run meanwhile (server-wide: other clients of the same Redis count too).
 */
async function drain(
  queue: Queue,
  n: number,
  start: () => Promise<() => Promise<void>>,
  payload: (i: number) => unknown,
): Promise<{ ms: number; cpuUs: number; calls: Map<string, number> }> {
  const jobs = Array.from({ length: n }, (_, i) => ({ name: 'unit', data: payload(i), opts: { jobId: `j${i}`, removeOnComplete: false } }));
  // Per-job overhead, not start-up cost: the jobs wait in a paused queue while the worker starts
  // and connects, and the clock runs from resume to the last completion.
  await queue.pause();
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
  const stop = await start();
  await new Promise((r) => setTimeout(r, 300));
  const stats = new Redis(REDIS_URL);
  const before = await commandCalls(stats);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await queue.resume();
  // Poll as rarely as the resolution allows: the poll's own Redis commands are counted too.
  while ((await queue.getCompletedCount()) < n) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const calls = callsDelta(before, await commandCalls(stats));
  stats.disconnect();
  await stop();
  return { ms, cpuUs: cpu.user + cpu.system, calls };
}

async function overhead(jobs: number, rounds: number, concurrency: number) {
  const bare: number[] = [];
  const ours: number[] = [];
  const callsPerJob: Record<'bare' | 'ours', number[]> = { bare: [], ours: [] };
  // CPU of this process (the worker runs in it) per job: far less sensitive to other load than wall time.
  const cpuPerJob: Record<'bare' | 'ours', number[]> = { bare: [], ours: [] };
  const byCommand: Record<'bare' | 'ours', Map<string, number>> = { bare: new Map(), ours: new Map() };
  const window = { start: Date.UTC(2026, 10, 23, 13), end: Date.UTC(2026, 10, 23, 14) };
  const run = { runId: runIdFor('drift', window), pipeline: 'drift', window, requestedAt: window.end };
  const dir = await mkdtemp(join(tmpdir(), 'evalwatch-bench-'));
  const loadAtStart = loadavg1();
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
      const prefix = `evalwatch-bench-${process.pid}-${r}-${kind}`;
      const queue = new Queue(UNITS_QUEUE, { connection: { url: REDIS_URL }, prefix });
      const payload = (i: number) => ({ v: 1, run, unit: { id: `u${i}`, keys: [`k${i}`] } });
      let res: { ms: number; cpuUs: number; calls: Map<string, number> };
      if (kind === 'bare') {
        res = await drain(queue, jobs, async () => {
          const w = new Worker(UNITS_QUEUE, async () => ({ v: 1, unitId: 'x', partial: { n: 1 } }), {
            connection: { url: REDIS_URL, maxRetriesPerRequest: null },
            prefix,
            concurrency,
          });
          return () => w.close();
        }, payload);
        bare.push(res.ms);
      } else {
        const config = parseConfig({ store: { kind: 'fs', path: dir }, captures: { source: { kind: 'fs', path: dir } }, redis: { prefix } }, 'bench');
        const ctx = createContext({ config, logger: silentLogger() });
        res = await drain(queue, jobs, async () => {
          // As in production (serveWorker): with the metrics registry recording job durations.
          const w = await startQueueWorker({ ctx, redisUrl: REDIS_URL, resolvePipeline: async () => noop as Pipeline, reconcile: false, options: { concurrency }, metrics: createMetrics() });
          return async () => void (await w.close());
        }, payload);
        ours.push(res.ms);
      }
      cpuPerJob[kind].push(res.cpuUs / jobs);
      callsPerJob[kind].push([...res.calls.values()].reduce((a, b) => a + b, 0) / jobs);
      for (const [c, v] of res.calls) byCommand[kind].set(c, (byCommand[kind].get(c) ?? 0) + v / jobs / rounds);
      await queue.close();
      await deletePrefix(prefix);
    }
  }
  await rm(dir, { recursive: true, force: true });
  const b = median(bare);
  const o = median(ours);
  // Each round runs both kinds back to back: the ratio within a round cancels slow drifts in the
  // machine's load, and the best round is the one least disturbed by other processes.
  const paired = bare.map((x, i) => (ours[i] as number) / x);
  // Commands per job where the two differ by more than noise, to see any extra round trip at once.
  const diff: Record<string, number> = {};
  for (const c of new Set([...byCommand.bare.keys(), ...byCommand.ours.keys()])) {
    const d = (byCommand.ours.get(c) ?? 0) - (byCommand.bare.get(c) ?? 0);
    if (Math.abs(d) >= 0.05) diff[c] = Number(d.toFixed(2));
  }
  return {
    jobs,
    rounds,
    concurrency,
    loadavg1: { start: loadAtStart, end: loadavg1() },
    bareMs: bare.map(Math.round),
    oursMs: ours.map(Math.round),
    bareMsMedian: Math.round(b),
    oursMsMedian: Math.round(o),
    bareJobsPerSec: Math.round((jobs / b) * 1000),
    oursJobsPerSec: Math.round((jobs / o) * 1000),
    extraUsPerJob: Number((((o - b) / jobs) * 1000).toFixed(1)),
    cpuUsPerJob: { bare: Number(median(cpuPerJob.bare).toFixed(1)), ours: Number(median(cpuPerJob.ours).toFixed(1)) },
    redisCommandsPerJob: { bare: Number(median(callsPerJob.bare).toFixed(2)), ours: Number(median(callsPerJob.ours).toFixed(2)), oursMinusBareByCommand: diff },
    overheadRatio: Number((o / b).toFixed(3)),
    pairedRatioMedian: Number(median(paired).toFixed(3)),
    bestOfRatio: Number((Math.min(...ours) / Math.min(...bare)).toFixed(3)),
    target: '≤ 1.20',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Writes ≥ `records` valid captures over the 24 partition hours before `end`, 4 objects per hour.
 *
 * @example
 * await writeCaptures('/tmp/captures', 1_050_000, Date.UTC(2026, 10, 23));
 */
export async function writeCaptures(root: string, records: number, end: number): Promise<number> {
  const routes = ['chat', 'search', 'summarize', 'extract', 'classify'];
  const models = ['gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18'];
  const perObject = Math.ceil(records / 96);
  let n = 0;
  for (let h = 0; h < 24; h++) {
    const hourStart = end - (24 - h) * HOUR;
    const d = new Date(hourStart).toISOString();
    const dir = join(root, `dt=${d.slice(0, 10)}`, `hour=${d.slice(11, 13)}`);
    await mkdir(dir, { recursive: true });
    for (let f = 0; f < 4; f++) {
      const lines: string[] = [];
      for (let i = 0; i < perObject; i++, n++) {
        const x = (n * 2654435761) >>> 0;
        lines.push(
          JSON.stringify({
            request_id: `req-${n}`,
            timestamp: new Date(hourStart + (x % HOUR)).toISOString(),
            route: routes[x % routes.length],
            model: models[(x >>> 3) % 2],
            input_tokens: 200 + (x % 1800),
            output_tokens: 50 + ((x >>> 5) % 600),
            latency_total_ms: 300 + ((x >>> 7) % 5000),
            latency_to_first_token_ms: 80 + ((x >>> 9) % 700),
            cached: (x & 15) === 0,
            downstream_status: (x % 97) === 0 ? '500' : '200',
            sample_rate: 1,
            response: (x & 63) === 0 ? "I'm sorry, I can't help with that." : 'Here is the answer you asked for.',
          }),
        );
      }
      await writeFile(join(dir, `part-${f}.jsonl`), `${lines.join('\n')}\n`);
    }
  }
  return n;
}

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** CPU ms the process used from READY to its exit (startup excluded), and its pid. */
  readonly cpu: Promise<{ pid: number; cpuMs: number; idleMs?: number; threads?: Record<string, number> }>;
}

function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => out.includes('READY') && resolve());
    child.once('exit', (c) => reject(new Error(`bench worker exited ${c}`)));
  });
  const cpu = new Promise<{ pid: number; cpuMs: number; idleMs?: number; threads?: Record<string, number> }>((resolve, reject) => {
    child.once('exit', () => {
      const m = /^CPU (\{.*\})$/m.exec(out);
      if (m) resolve(JSON.parse(m[1] as string));
      else reject(new Error('bench worker printed no CPU line'));
    });
  });
  return { child, ready, cpu };
}

/** Redis server CPU seconds so far (user + sys); server-wide. */
async function redisCpuSec(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

const round1 = (x: number) => Math.round(x);
const loadavg1 = () => Number(loadavg()[0]?.toFixed(2));

/** One end-to-end drift run with `procs` worker processes on fresh Redis keys and a fresh store. */
async function e2eRun(procs: number, tag: string, captures: string, root: string, window: { start: number; end: number }, seed: ((store: string) => Promise<void>) | null) {
  const prefix = `evalwatch-bench-e2e-${process.pid}-${tag}`;
  const store = join(root, `results-${tag}`);
  await seed?.(store);
  const env = { EW_PREFIX: prefix, EW_CAPTURES: captures, EW_STORE: store, REDIS_URL, EW_PROCS: String(procs) };
  const workers = Array.from({ length: procs }, () => startWorkerProcess(env));
  await Promise.all(workers.map((w) => w.ready));
  const config = parseConfig({ store: { kind: 'fs', path: store }, captures: { source: { kind: 'fs', path: captures } }, redis: { prefix } }, 'bench');
  const ctx = createContext({ config, logger: silentLogger() });
  const client = await createRunClient({ redisUrl: REDIS_URL, prefix, store: ctx.store });
  const stats = new Redis(REDIS_URL);
  const run = { runId: runIdFor('drift', window), pipeline: 'drift' as const, window, requestedAt: window.end };
  // Steady state, as a long-lived worker fleet runs: a short run first (the last 5 hours: 20 units,
  // two-level merge) warms every process's JIT on the same code, untimed and out of the CPU figures.
  const warm = { start: window.end - 5 * HOUR, end: window.end };
  const warmRun = { runId: runIdFor('drift', warm), pipeline: 'drift' as const, window: warm, requestedAt: warm.end };
  if (process.env.BENCH_WARMUP !== '0') {
    await client.enqueue(warmRun);
    await client.wait(warmRun, { pollMs: 50 });
    for (const w of workers) w.child.stdin?.write('MARK\n');
  }
  const load = loadavg1();
  const redis0 = await redisCpuSec(stats);
  const t0 = performance.now();
  const epoch0 = Date.now();
  await client.enqueue(run);
  // Polled as rarely as `evalwatch run` polls: the poll runs on the same two cores as the workers,
  // and the run's duration is read from the finalize job's own end below, not from the poll.
  const parentCpu0 = process.cpuUsage();
  const done = await client.wait(run, { pollMs: 500 });
  const waitedMs = performance.now() - t0;
  const parentCpu = process.cpuUsage(parentCpu0);
  // The run is over: each worker stops counting its event loop's idle time here.
  for (const w of workers) w.child.stdin?.write('END\n');
  const redisCpuMs = ((await redisCpuSec(stats)) - redis0) * 1000;
  // Exact phase boundaries from the jobs themselves (epoch ms written by the workers).
  const runs = new Queue(RUNS_QUEUE, { connection: { url: REDIS_URL }, prefix });
  const units = new Queue(UNITS_QUEUE, { connection: { url: REDIS_URL }, prefix });
  const plan = await Job.fromId(runs, planJobId(run.runId));
  // report.json is readable a moment before the finalize job completes (it still cleans up).
  let fin = await Job.fromId(runs, finalizeJobId(run.runId));
  for (let i = 0; i < 300 && fin && !fin.finishedOn; i++) {
    await new Promise((r) => setTimeout(r, 100));
    fin = await Job.fromId(runs, finalizeJobId(run.runId));
  }
  const unitJobs = await units.getCompleted(0, -1);
  // The tail of the fan-out: from the last unit's end to the finalize's start (merges still running).
  const timed = unitJobs.filter((j) => (j.processedOn ?? 0) >= epoch0);
  const lastUnitEnd = Math.max(...timed.map((j) => j.finishedOn ?? 0));
  const merges = (await runs.getCompleted(0, -1)).filter((j) => j.name === JOB.merge && (j.processedOn ?? 0) >= epoch0);
  const mergesAfterLastUnit = merges.filter((j) => (j.finishedOn ?? 0) > lastUnitEnd).length;
  const byWorker: Record<string, number> = {};
  for (const j of unitJobs) byWorker[j.processedBy ?? 'unknown'] = (byWorker[j.processedBy ?? 'unknown'] ?? 0) + 1;
  await Promise.all([runs.close(), units.close()]);
  stats.disconnect();
  await client.close();
  for (const w of workers) w.child.kill('SIGTERM');
  const cpu = await Promise.all(workers.map((w) => w.cpu));
  await deletePrefix(prefix);
  await rm(store, { recursive: true, force: true });
  const workerCpuMs = cpu.reduce((t, c) => t + c.cpuMs, 0);
  // From the enqueue to the end of the finalize job (its clean-up included), in the workers' clock.
  if (!fin?.finishedOn) throw new Error(`bench run ${run.runId}: the finalize job has no end time`);
  const ms = fin.finishedOn - epoch0;
  const planEnd = plan?.finishedOn ?? epoch0;
  const finStart = fin?.processedOn ?? planEnd;
  return {
    procs,
    ms: round1(ms),
    // When the waiting client saw the report (it polls every 500 ms).
    waitedMs: round1(waitedMs),
    phasesMs: {
      // enqueue → plan job finished (includes the plan job's queue wait)
      plan: round1(planEnd - epoch0),
      // plan finished → finalize job started: the fan-out, the only phase more processes shorten
      units: round1(finStart - planEnd),
      // finalize job: collect partials, merge, finalize (persist, analyse), write report
      finalize: round1((fin?.finishedOn ?? finStart) - finStart),
      finalizeSteps: (fin?.returnvalue as { timingsMs?: Record<string, number> } | undefined)?.timingsMs ?? {},
    },
    unitsPerProcess: Object.values(byWorker).sort((a, b) => b - a),
    tailMs: round1((fin?.processedOn ?? lastUnitEnd) - lastUnitEnd),
    mergesAfterLastUnit,
    workerCpuMs: cpu.map((c) => round1(c.cpuMs)),
    // Event-loop idle time of each worker during the timed run: waiting on Redis, the store or for work.
    workerIdleMs: cpu.map((c) => round1(c.idleMs ?? NaN)),
    // CPU by thread (main, V8 GC helpers, libuv pool), to tell the event loop's work from the helpers'.
    workerThreadCpuMs: cpu.map((c) => c.threads ?? {}),
    redisCpuMs: round1(redisCpuMs),
    // This process while it waits for the run (polls its status): CPU the workers do not get.
    waiterCpuMs: round1((parentCpu.user + parentCpu.system) / 1000),
    coresUsed: Number(((workerCpuMs + redisCpuMs) / ms).toFixed(2)),
    loadavg1: load,
    status: done.report?.status,
    records: done.report?.input.records,
    unitsDone: done.report?.coverage.unitsDone,
  };
}

/**
 * The machine's own ceiling for this workload: the same `processUnit` calls (and the JSON of each
 * partial, as a unit job makes it) over the same captures, split statically between `procs` plain
 * processes, no queue, no Redis, no merge or finalize. Two processes on two cores slow each other
 * down (shared caches and memory bandwidth, the host's other tenants), and this measures by how much
 * at the moment the queue runs are measured.
 */
async function bareRun(procs: number, captures: string, root: string, window: { start: number; end: number }) {
  const children = Array.from({ length: procs }, (_, i) =>
    startWorkerProcess({ EW_BARE: `${i}/${procs}`, EW_CAPTURES: captures, EW_STORE: join(root, 'bare-store'), EW_WINDOW: `${window.start}/${window.end}` }),
  );
  await Promise.all(children.map((c) => c.ready));
  const t0 = performance.now();
  for (const c of children) c.child.stdin?.end('GO\n');
  const cpu = await Promise.all(children.map((c) => c.cpu));
  return { procs, ms: round1(performance.now() - t0), cpuMs: cpu.map((c) => round1(c.cpuMs)), idleMs: cpu.map((c) => round1(c.idleMs ?? NaN)), threads: cpu.map((c) => c.threads ?? {}) };
}

/** CPU ms of this process's main thread and of its helper threads (V8's GC, libuv's pool); Linux only. */
function threadCpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const tick = 10; // USER_HZ
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Every thread is named "node": the main thread is the one whose id is the pid.
      const name = Number(tid) === process.pid ? 'main' : 'helpers';
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) * tick;
    }
  } catch {
    // not Linux
  }
  return out;
}

const diffThreads = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.keys(b).map((k) => [k, b[k]! - (a[k] ?? 0)]));

/**
 * `BENCH_CPU_PROF=<dir>`: a V8 CPU profile of the timed part of a worker process only (not its
 * start-up, module loading or warm-up), written as `<dir>/<name>-<pid>.cpuprofile` by `stop`.
 */
async function timedProfile(name: string): Promise<{ stop(): Promise<void> }> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** `--worker` with `EW_BARE=i/n`: processes every n-th unit from the i-th, after "GO" on stdin. */
async function bareMain(): Promise<void> {
  const e = process.env;
  const [index, of] = (e.EW_BARE as string).split('/').map(Number) as [number, number];
  const [start, end] = (e.EW_WINDOW as string).split('/').map(Number) as [number, number];
  const config = parseConfig({ captures: { source: { kind: 'fs', path: e.EW_CAPTURES } }, store: { kind: 'fs', path: e.EW_STORE } }, 'bench bare');
  const ctx = createContext({ config, logger: silentLogger() });
  const pipeline = await getPipeline('drift');
  const run = { runId: 'bench-bare', pipeline: 'drift' as const, window: { start, end }, requestedAt: end };
  const units = (await pipeline.plan(ctx, run)).filter((_, i) => i % of === index);
  // Warmed like the queue workers (untimed): the same code on a few units first.
  for (const unit of units.slice(0, 4)) JSON.stringify(await pipeline.processUnit(ctx, run, unit));
  process.stdout.write('READY\n');
  await new Promise((r) => process.stdin.once('data', r));
  const profile = await timedProfile(`bare${of}`);
  const threads0 = threadCpuMs();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  let bytes = 0;
  for (const unit of units) bytes += JSON.stringify(await pipeline.processUnit(ctx, run, unit)).length;
  const cpu = process.cpuUsage(cpu0);
  const idleMs = performance.eventLoopUtilization(elu0).idle;
  const threads = diffThreads(threads0, threadCpuMs());
  await profile.stop();
  process.stdout.write(`CPU ${JSON.stringify({ pid: process.pid, cpuMs: (cpu.user + cpu.system) / 1000, idleMs, bytes, threads })}\n`);
  process.exit(0);
}

/**
 * The stored hours of `window` (aggregate and series) as they would stand on each of the `days`
 * days before it: same traffic, shifted in time. A bench store seeded with them holds the drift
 * history every scheduled run after the first week reads. Returns `[key, body]` pairs to write.
 *
 * @example
 * for (const [key, body] of await historyDaysBefore(store, window, 7)) await store.put(key, body);
 */
export async function historyDaysBefore(store: ResultsStore, window: { start: number; end: number }, days: number): Promise<[string, string][]> {
  const read = async (key: string) => JSON.parse(Buffer.from((await store.get(key)) as Uint8Array).toString()) as { start: number };
  const files: [string, string][] = [];
  for (let h = window.start; h < window.end; h += HOUR) {
    const agg = await read(aggregateFileKey(h));
    const series = await read(seriesFileKey(h));
    for (let d = 1; d <= days; d++) {
      const start = h - d * 24 * HOUR;
      files.push([aggregateFileKey(start), JSON.stringify({ ...agg, start, hour: new Date(start).toISOString() })]);
      files.push([seriesFileKey(start), JSON.stringify({ ...series, start })]);
    }
  }
  return files;
}

/**
 * `BENCH_BASELINE_DAYS=n`: n days of drift history before the window in each run's store, so the
 * finalize reads a full baseline. The window's hours are computed once inline and shifted
 * ({@link historyDaysBefore}). Returns a function that writes them into a run's store (untimed),
 * or null when n is 0.
 */
async function baselineSeeder(days: number, captures: string, root: string, window: { start: number; end: number }) {
  if (days <= 0) return null;
  const config = parseConfig({ captures: { source: { kind: 'fs', path: captures } }, store: { kind: 'fs', path: join(root, 'seed-store') } }, 'bench seed');
  const seedCtx = createContext({ config, logger: silentLogger() });
  await runDriftInline(seedCtx, { runId: 'bench-seed', pipeline: 'drift', window, requestedAt: window.end });
  const files = await historyDaysBefore(seedCtx.store, window, days);
  return async (storeRoot: string) => {
    const store = createFsStore({ root: storeRoot, fsync: false });
    for (const [key, body] of files) await store.put(key, body);
  };
}

async function e2e(records: number, rounds: number) {
  const root = await mkdtemp(join(tmpdir(), 'evalwatch-bench-e2e-'));
  const end = Date.UTC(2026, 10, 23, 0);
  const captures = join(root, 'captures');
  const written = await writeCaptures(captures, records, end);
  const window = { start: end - 24 * HOUR, end };
  const baselineDays = Number(process.env.BENCH_BASELINE_DAYS ?? 0);
  const seed = await baselineSeeder(baselineDays, captures, root, window);
  const runs: Record<1 | 2, Awaited<ReturnType<typeof e2eRun>>[]> = { 1: [], 2: [] };
  const bare: Record<1 | 2, Awaited<ReturnType<typeof bareRun>>[]> = { 1: [], 2: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate the order, so neither count always runs first (cold page cache, JIT, load drift);
    // the bare reference runs in the same round, right beside the queue runs it is compared with.
    for (const procs of r % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
      runs[procs].push(await e2eRun(procs, `${r}-${procs}`, captures, root, window, seed));
      bare[procs].push(await bareRun(procs, captures, root, window));
    }
  }
  await rm(root, { recursive: true, force: true });
  const med = (xs: number[]) => round1(median(xs));
  const one = runs[1];
  const two = runs[2];
  const t1 = median(one.map((x) => x.ms));
  const t2 = median(two.map((x) => x.ms));
  const bareSpeedup = median(bare[1].map((b) => b.ms)) / median(bare[2].map((b) => b.ms));
  const serial1 = median(one.map((x) => x.phasesMs.plan + x.phasesMs.finalize));
  const units1 = median(one.map((x) => x.phasesMs.units));
  const units2 = median(two.map((x) => x.phasesMs.units));
  const cores1 = Number(median(one.map((x) => x.coresUsed)).toFixed(2));
  const ncpu = cpus().length;
  return {
    capturesWritten: written,
    baselineDays,
    objects: 96,
    rounds,
    cpus: ncpu,
    loadavg1: [...one, ...two].map((x) => x.loadavg1),
    runs: { workers1: one, workers2: two },
    workers1MsMedian: round1(t1),
    workers2MsMedian: round1(t2),
    speedup: Number((t1 / t2).toFixed(2)),
    // The same unit work in plain processes split in halves (no queue, no serial steps): what two
    // processes can gain on this machine right now, and the share of it the queue run reaches.
    bareMs: { workers1: bare[1].map((b) => b.ms), workers2: bare[2].map((b) => b.ms) },
    bareIdleMs: { workers1: bare[1].map((b) => b.idleMs), workers2: bare[2].map((b) => b.idleMs) },
    bareThreadCpuMs: { workers1: bare[1].map((b) => b.threads), workers2: bare[2].map((b) => b.threads) },
    bareSpeedup: Number(bareSpeedup.toFixed(2)),
    bareCpuSecMedian: {
      workers1: Number((median(bare[1].map((b) => b.cpuMs.reduce((a, c) => a + c, 0))) / 1000).toFixed(1)),
      workers2: Number((median(bare[2].map((b) => b.cpuMs.reduce((a, c) => a + c, 0))) / 1000).toFixed(1)),
    },
    pairedBareSpeedups: bare[1].map((b, i) => Number((b.ms / (bare[2][i]?.ms ?? NaN)).toFixed(2))),
    pairedShareOfBare: one.map((x, i) => Number((x.ms / (two[i]?.ms ?? NaN) / ((bare[1][i]?.ms ?? NaN) / (bare[2][i]?.ms ?? NaN))).toFixed(2))),
    speedupShareOfBare: Number((t1 / t2 / bareSpeedup).toFixed(2)),
    pairedSpeedups: one.map((x, i) => Number((x.ms / (two[i]?.ms ?? NaN)).toFixed(2))),
    unitsPhaseMsMedian: { workers1: round1(units1), workers2: round1(units2) },
    unitsPhaseSpeedup: Number((units1 / units2).toFixed(2)),
    serialMsMedian: { workers1: round1(serial1), workers2: med(two.map((x) => x.phasesMs.plan + x.phasesMs.finalize)) },
    // What the machine allows: one process (plus Redis) already keeps `coresUsed` cores busy, so
    // with everything parallel two processes can be at most (cores / coresUsed) times faster, and
    // the serial plan + finalize lower that further (Amdahl).
    // CPU seconds of all worker processes for the run: two processes each warm up their own JIT
    // and heap, so the same work costs them somewhat more CPU in total than one process.
    workerCpuSecMedian: {
      workers1: Number((median(one.map((x) => x.workerCpuMs.reduce((a, b) => a + b, 0))) / 1000).toFixed(1)),
      workers2: Number((median(two.map((x) => x.workerCpuMs.reduce((a, b) => a + b, 0))) / 1000).toFixed(1)),
    },
    coresUsedByOneProcess: cores1,
    cpuBoundCeiling: Number((Math.min(2, ncpu) / cores1).toFixed(2)),
    amdahlCeiling: Number((t1 / (serial1 + (units1 * Math.max(0.5, cores1 / Math.min(2, ncpu))))).toFixed(2)),
    target: '≥ 1.7',
  };
}

async function workerMain(): Promise<void> {
  const e = process.env;
  const config = parseConfig(
    { captures: { source: { kind: 'fs', path: e.EW_CAPTURES } }, store: { kind: 'fs', path: e.EW_STORE }, redis: { prefix: e.EW_PREFIX } },
    'bench worker',
  );
  // Drift units are CPU-bound and the captures are on local disk: one unit at a time per process.
  // Two at a time cost 17% more CPU here (two units' live heaps, more GC) and gained nothing.
  const served = await serveWorker({ ctx: createContext({ config, logger: silentLogger() }), redisUrl: REDIS_URL, http: null, options: { concurrency: Number(e.BENCH_WORKER_CONCURRENCY ?? 1) } });
  let cpu0 = process.cpuUsage();
  let elu0 = performance.eventLoopUtilization();
  let idleMs: number | undefined;
  let profile: Promise<{ stop(): Promise<void> }> | undefined;
  let profiled: Promise<void> | undefined;
  let threads0: Record<string, number> = {};
  let threads: Record<string, number> | undefined;
  // "MARK" on stdin: the warm-up run is over, CPU counts from here; "END": the timed run is over.
  process.stdin.on('data', (d: Buffer) => {
    const text = d.toString();
    if (text.includes('MARK')) {
      threads0 = threadCpuMs();
      profile = timedProfile(`queue${e.EW_PROCS ?? ''}`);
      cpu0 = process.cpuUsage();
      elu0 = performance.eventLoopUtilization();
    }
    if (text.includes('END')) {
      idleMs = performance.eventLoopUtilization(elu0).idle;
      threads = diffThreads(threads0, threadCpuMs());
      profiled = profile?.then((p) => p.stop());
    }
  });
  process.stdout.write('READY\n');
  await served.stopped;
  const cpu = process.cpuUsage(cpu0);
  await profiled;
  process.stdout.write(`CPU ${JSON.stringify({ pid: process.pid, cpuMs: (cpu.user + cpu.system) / 1000, idleMs, threads })}\n`);
  process.exit(0);
}

/**
 * Runs the benchmark and prints its figures as JSON.
 *
 * @example
 * await main(); // { overhead: {...}, e2e: {...} }
 */
export async function main(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { node: process.version };
  if (!process.env.BENCH_SKIP_OVERHEAD) out.overhead = await overhead(Number(process.env.BENCH_JOBS ?? 10_000), Number(process.env.BENCH_ROUNDS ?? 7), 8);
  if (!process.env.BENCH_SKIP_E2E) out.e2e = await e2e(Number(process.env.BENCH_RECORDS ?? 1_050_000), Number(process.env.BENCH_E2E_ROUNDS ?? 3));
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return out;
}

if (process.argv.includes('--worker')) await (process.env.EW_BARE ? bareMain() : workerMain());
else if (import.meta.url === `file://${process.argv[1]}`) await main();
