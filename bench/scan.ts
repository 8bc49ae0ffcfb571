/**
 * Capture-reader throughput, as ratios against plain gunzip of the same file in the same run.
 *
 *   npx tsx bench/scan.ts            # ≥ 500 MB decompressed, cached in bench/.data/
 *   npx tsx bench/scan.ts --mb 100   # quicker
 *   npx tsx bench/scan.ts --runs 5   # repetitions per measurement (median reported)
 *   npx tsx bench/scan.ts --no-pin   # skip the run pinned to one CPU
 *
 * Every measurement runs in its own child process (`node --import tsx bench/scan.ts --child …`)
 * so that one measurement's heap and JIT state do not pollute another's, and peak RSS
 * (`process.resourceUsage().maxRSS`) is per measurement. When `taskset` exists, the run is repeated
 * pinned to one CPU: zlib decompresses on the libuv thread pool, so with two cores part of the
 * decompression overlaps with parsing, and the pinned figure shows the single-core cost honestly.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { scanObject } from '../src/captures/reader.ts';
import { createFsSource } from '../src/captures/fs-source.ts';
import { mulberry32 } from '../src/stats/index.ts';
import { memoryQuarantine } from '../src/store/quarantine.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA_DIR = join(HERE, '.data');
const HOUR_START = Date.UTC(2026, 10, 23, 14);
const PARTITION = 'dt=2026-11-23/hour=14';
/** Bump when the generator changes, so a stale cache is not measured. */
const DATA_VERSION = 1;

type Mode = 'gunzip' | 'naive' | 'ours';

interface ChildResult {
  mode: Mode;
  seconds: number;
  /** User + system CPU seconds of the whole process (main thread and zlib's thread pool). */
  cpuSeconds: number;
  decompressedBytes: number;
  records: number;
  maxRssMB: number;
  slowPathRecords?: number;
}

// ---------------------------------------------------------------------------------------------
// Deterministic, realistic capture generator (seeded by the project's own `mulberry32`).

/** Text with a Zipf-distributed vocabulary of invented words: compresses like prose (~3-4×). */
function textGenerator(rand: () => number): { sentence(words: number): string; paragraph(chars: number): string } {
  const syllables = ['ka', 're', 'mon', 'di', 'sto', 'la', 'ven', 'tri', 'po', 'gal', 'ser', 'nu', 'ber', 'qui', 'ant', 'el', 'or', 'is', 'tu', 'pha', 'xen', 'dro', 'mi', 'co', 'ly', 'ble', 'tor', 'vi', 'son', 'ha'];
  const vocab: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const n = 1 + Math.floor(rand() * 3.2);
    let w = '';
    for (let j = 0; j < n; j++) w += syllables[Math.floor(rand() * syllables.length)];
    vocab.push(w);
  }
  const common = ['the', 'a', 'to', 'of', 'and', 'in', 'is', 'for', 'you', 'that', 'it', 'with', 'on', 'your', 'can', 'please', 'order', 'account', 'refund', 'help'];
  const intl = ['café', 'naïve', 'Grüße', 'über', 'façade', 'señor', 'déjà', '東京', 'こんにちは', '😀', '✅', 'Ωmega', 'straße', 'año'];
  // Zipf(1.1) over the vocabulary via a precomputed CDF.
  const cdf: number[] = [];
  let sum = 0;
  for (let i = 0; i < vocab.length; i++) cdf.push((sum += 1 / Math.pow(i + 1, 1.1)));
  const pick = (): string => {
    const r = rand();
    if (r < 0.35) return common[Math.floor(rand() * common.length)]!;
    if (r < 0.352) return intl[Math.floor(rand() * intl.length)]!;
    if (r < 0.37) return String(Math.floor(rand() * 100000));
    const u = rand() * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo]!;
  };
  const sentence = (words: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < words; i++) parts.push(pick());
    const s = parts.join(' ');
    const end = rand() < 0.1 ? '?' : rand() < 0.05 ? '!' : '.';
    return s.charAt(0).toUpperCase() + s.slice(1) + end;
  };
  const paragraph = (chars: number): string => {
    let out = '';
    while (out.length < chars) out += (out ? ' ' : '') + sentence(6 + Math.floor(rand() * 14));
    return out;
  };
  return { sentence, paragraph };
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

/** One realistic capture line (~3 KB) with every DESIGN §3 field. */
function makeRecordFactory(seed: number): (i: number) => string {
  const rand = mulberry32(seed);
  const text = textGenerator(rand);
  const routes = ['chat', 'summarize', 'extract-invoice', 'support-triage', 'search-answer', 'classify-intent', 'draft-email', 'sql-assist'];
  const models = ['gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18', 'claude-3-5-sonnet-20241022'];
  const statuses = ['200', '200', '200', '200', '200', '200', '200', '429', '500', '200'];
  return (i) => {
    const route = routes[Math.floor(rand() * routes.length)]!;
    const inTok = 200 + Math.floor(rand() * 3000);
    const outTok = 20 + Math.floor(rand() * 800);
    const flagged = rand() < 0.03;
    const rec: Record<string, unknown> = {
      request_id: `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`,
      timestamp: new Date(HOUR_START + Math.floor((i * 3_600_000) / 200_000) % 3_600_000 + Math.floor(rand() * 1000)).toISOString(),
      route,
      service: 'support-api',
      model: models[Math.floor(rand() * models.length)],
      tenant_id: `tenant-${Math.floor(rand() * 200)}`,
      user_id_hash: hex(rand, 16),
      prompt_template_version: `${route}@v${1 + Math.floor(rand() * 4)}`,
      input_tokens: inTok,
      output_tokens: outTok,
      latency_total_ms: Math.round((300 + rand() * 4000) * 10) / 10,
      latency_to_first_token_ms: Math.round((80 + rand() * 900) * 10) / 10,
      cached: rand() < 0.1,
      cache_similarity_score: rand() < 0.5 ? null : Math.round(rand() * 1000) / 1000,
      downstream_status: statuses[Math.floor(rand() * statuses.length)],
      schema_validated: route === 'extract-invoice' ? rand() < 0.95 : null,
      schema_validation_errors: route === 'extract-invoice' && rand() < 0.05 ? [{ path: '/total', message: 'expected number' }] : null,
      cost_usd: Math.round((inTok * 2.5e-6 + outTok * 1e-5) * 1e6) / 1e6,
      sample_rate: rand() < 0.5 ? 0.1 : 1,
      captured_reason: flagged ? 'explicit_flag' : 'random_sample',
      prompt: [
        { role: 'system', content: text.paragraph(250 + rand() * 150) },
        { role: 'user', content: text.paragraph(500 + rand() * 500) },
      ],
      response: text.paragraph(700 + rand() * 700),
      context: rand() < 0.4 ? [text.paragraph(300), text.paragraph(250)] : [],
    };
    return JSON.stringify(rec);
  };
}

/** Writes (once) a gzip file of at least `mb` decompressed megabytes and returns its path. */
async function ensureData(mb: number): Promise<string> {
  const dir = join(DATA_DIR, PARTITION);
  const file = join(dir, `captures-${mb}MB-v${DATA_VERSION}.jsonl.gz`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  const gz = createGzip({ level: 6 });
  const out = createWriteStream(tmp);
  const done = pipeline(gz, out);
  const make = makeRecordFactory(42);
  const target = mb * 1e6;
  let written = 0;
  let batch: string[] = [];
  for (let i = 0; written < target; i++) {
    const line = make(i) + '\n';
    written += Buffer.byteLength(line);
    batch.push(line);
    if (batch.length === 256) {
      if (!gz.write(batch.join(''))) await new Promise((r) => gz.once('drain', r));
      batch = [];
    }
  }
  if (batch.length) gz.write(batch.join(''));
  gz.end();
  await done;
  renameSync(tmp, file);
  return file;
}

// ---------------------------------------------------------------------------------------------
// The three measurements, each run in a child process.

async function child(mode: Mode, file: string): Promise<ChildResult> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  let records = 0;
  let slowPathRecords: number | undefined;
  if (mode === 'gunzip') {
    const sink = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb();
      },
    });
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 256 * 1024 }), sink);
  } else if (mode === 'naive') {
    const gunzip = createReadStream(file).pipe(createGunzip());
    const rl = createInterface({ input: gunzip, crlfDelay: Infinity });
    for await (const line of rl) {
      bytes += line.length + 1;
      if (line) {
        JSON.parse(line);
        records++;
      }
    }
  } else {
    const root = join(DATA_DIR);
    const source = createFsSource({ root, keyTemplate: 'hive' });
    const key = file.slice(root.length + 1).split('\\').join('/');
    const res = await scanObject(
      source,
      { key, partitionStart: HOUR_START },
      { quarantine: memoryQuarantine(), runId: 'bench' },
      () => {
        records++;
      },
    );
    bytes = res.counts.bytes;
    slowPathRecords = res.slowPathRecords;
    if (res.counts.records !== records || Object.keys(res.counts.rejected).length > 0) {
      throw new Error(`unexpected scan result: ${JSON.stringify(res.counts)}`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return {
    mode,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    decompressedBytes: bytes,
    records,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(slowPathRecords !== undefined ? { slowPathRecords } : {}),
  };
}

function runChild(mode: Mode, file: string, pin: boolean): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--child', mode, '--file', file];
  const [cmd, argv] = pin ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd as string, argv as string[], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child ${mode} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(file: string, runs: number, pin: boolean): Promise<Record<string, unknown>> {
  const results: Record<Mode, ChildResult[]> = { gunzip: [], naive: [], ours: [] };
  // Interleaved, so slow drift of the machine hits every mode alike.
  for (let i = 0; i < runs; i++) {
    for (const mode of ['gunzip', 'naive', 'ours'] as Mode[]) results[mode].push(await runChild(mode, file, pin));
  }
  const summary = (mode: Mode): Record<string, number> => {
    const r = results[mode];
    const secs = median(r.map((x) => x.seconds));
    const cpu = median(r.map((x) => x.cpuSeconds));
    const first = r[0]!;
    return {
      seconds: Math.round(secs * 1000) / 1000,
      cpuSeconds: Math.round(cpu * 1000) / 1000,
      decompressedMBps: Math.round(first.decompressedBytes / 1e6 / secs),
      ...(mode === 'gunzip' ? {} : { recordsPerSec: Math.round(first.records / secs) }),
      maxRssMB: Math.max(...r.map((x) => x.maxRssMB)),
      ...(first.slowPathRecords !== undefined ? { slowPathRecords: first.slowPathRecords } : {}),
    };
  };
  const g = summary('gunzip');
  const n = summary('naive');
  const o = summary('ours');
  return {
    gunzip: g,
    naive: n,
    ours: o,
    ratioOursToGunzip: Math.round((g.seconds! / o.seconds!) * 100) / 100,
    ratioNaiveToGunzip: Math.round((g.seconds! / n.seconds!) * 100) / 100,
    // Throughput ratios by CPU time: what one core would give, and robust on a busy machine.
    cpuRatioOursToGunzip: Math.round((g.cpuSeconds! / o.cpuSeconds!) * 100) / 100,
    cpuRatioNaiveToGunzip: Math.round((g.cpuSeconds! / n.cpuSeconds!) * 100) / 100,
  };
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the benchmark (or, with `--child <mode> --file <path>`, one measurement) and prints JSON.
 *
 * @example
 * await main(['--mb', '100', '--runs', '3']); // prints { unpinned: { ratioOursToGunzip, … }, … }
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const childMode = arg('--child') as Mode | undefined;
  if (childMode) {
    process.stdout.write(JSON.stringify(await child(childMode, arg('--file')!)) + '\n');
    return;
  }
  const mb = Number(arg('--mb') ?? 500);
  const runs = Number(arg('--runs') ?? 3);
  const file = await ensureData(mb);
  const compressedMB = Math.round(statSync(file).size / 1e6);
  const unpinned = await measure(file, runs, false);
  const pinned = !argv.includes('--no-pin') && hasTaskset() ? await measure(file, runs, true) : null;
  const report = {
    bench: 'scan',
    node: process.version,
    cpus: (await import('node:os')).availableParallelism(),
    file: { decompressedMB: mb, compressedMB },
    runs,
    unpinned,
    ...(pinned ? { pinnedToOneCpu: pinned } : {}),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
