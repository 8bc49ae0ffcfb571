/**
 * KS benchmark: our ks2samp vs scipy.stats.ks_2samp on identical float64 arrays, plus the cached
 * 10^6-reference vs 10^4-window path. Run: `npx tsx bench/ks.ts` (needs python3 + scipy for the
 * comparison; without them scipy fields are null). Prints one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ks2samp, ks2sampSorted, Mulberry32, SortedReference } from '../src/stats/index.ts';

function normals(n: number, mean: number, rng: Mulberry32): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.nextOpen53();
    const v = rng.next();
    out[i] = mean + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function agree(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-14 || Math.abs(a - b) <= 1e-9 * Math.abs(b);
}

interface ScipyTiming {
  ms: number;
  times: number[];
  statistic: number;
  pValue: number;
}

function runScipy(dir: string, x: Float64Array, y: Float64Array, reps: number): ScipyTiming | null {
  const fx = join(dir, 'x.f64');
  const fy = join(dir, 'y.f64');
  writeFileSync(fx, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  writeFileSync(fy, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  const script = fileURLToPath(new URL('./ks_scipy.py', import.meta.url));
  try {
    const out = execFileSync('python3', [script, fx, fy, String(reps)], { encoding: 'utf8' });
    return JSON.parse(out) as ScipyTiming;
  } catch {
    return null;
  }
}

/** Runs the benchmark and returns (and prints) the result object. */
export function main(): Record<string, unknown> {
  const rng = new Mulberry32(20240611);
  const dir = mkdtempSync(join(tmpdir(), 'evalwatch-ks-'));
  const result: Record<string, unknown> = {};
  try {
    for (const [label, n, reps] of [
      ['n1e5', 100_000, 5],
      ['n1e6', 1_000_000, 3],
    ] as const) {
      const x = normals(n, 0, rng);
      const y = normals(n, 0.002, rng);
      // Warm-up so the JIT has compiled the sort and merge walk, as in a long-running worker.
      ks2samp(x, y);
      // Alternate rounds of ours and scipy's so drifting machine load hits both sides alike.
      const times: number[] = [];
      const scipyTimes: number[] = [];
      let ours = ks2samp(x, y);
      let sp: ScipyTiming | null = null;
      for (let round = 0; round < 3; round++) {
        for (let r = 0; r < reps; r++) {
          const t = performance.now();
          ours = ks2samp(x, y);
          times.push(performance.now() - t);
        }
        const s = runScipy(dir, x, y, reps);
        if (s) {
          sp = s;
          scipyTimes.push(...s.times);
        }
      }
      const oursMs = median(times);
      if (sp) sp.ms = median(scipyTimes);
      result[label] = {
        n,
        oursMs: round(oursMs),
        scipyMs: sp ? round(sp.ms) : null,
        speedup: sp ? round(sp.ms / oursMs) : null,
        ours: { statistic: ours.statistic, pValue: ours.pValue, method: ours.method },
        scipy: sp ? { statistic: sp.statistic, pValue: sp.pValue } : null,
        agree: sp ? agree(ours.statistic, sp.statistic) && agree(ours.pValue, sp.pValue) : null,
      };
    }
    const ref = new SortedReference(normals(1_000_000, 0, rng));
    const windows = Array.from({ length: 15 }, (_, i) => normals(10_000, i % 2 ? 0.01 : 0, rng));
    ks2sampSorted(ref, windows[0] as Float64Array);
    const times = windows.map((w) => {
      const t = performance.now();
      ks2sampSorted(ref, w);
      return performance.now() - t;
    });
    result.cachedRef1e6Window1e4 = { medianMs: round(median(times)), maxMs: round(Math.max(...times)), targetMs: 30 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result, null, 2));
  return result;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
