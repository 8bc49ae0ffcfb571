/**
 * Drift finalize benchmark (prints JSON): `npx tsx bench/drift-finalize.ts`
 *
 * The serial step of every scheduled drift run after its first week (issue 4): the finalize of a
 * 24-hour window against a full 7-day baseline read from the results store. The store holds the
 * window's hours, computed once from `BENCH_RECORDS` captures (default 240_000, enough to fill
 * every bottom-k sample), copied to each of the 7 days before it. Reference, same run, same
 * files: reading and `JSON.parse`-ing the 168 baseline aggregates alone, the floor of any
 * finalize that keeps history as JSON. Also timed: the queue runner's split of the same work, the
 * prepare job (reads and reduces the history, beside the units) and the finalize given its bytes
 * (the serial step). `BENCH_ROUNDS` (default 5) alternating rounds; medians. Every round's tests
 * and statistics, either way, must equal the first round's (same window, same history).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import pino from 'pino';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.ts';
import { aggregateFileKey } from '../src/drift/history.ts';
import { driftPipeline, type DriftPartial } from '../src/drift/pipeline.ts';
import type { PipelineContext, RunRequest } from '../src/pipeline/types.ts';
import { createContext } from '../src/runtime/context.ts';
import { historyDaysBefore, writeCaptures } from './queue.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASELINE_DAYS = 7;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Writes the window's hours into each of the 7 days before it; returns the aggregates' bytes. */
async function seedBaseline(ctx: PipelineContext, window: { start: number; end: number }): Promise<number> {
  let bytes = 0;
  for (const [key, body] of await historyDaysBefore(ctx.store, window, BASELINE_DAYS)) {
    if (key.endsWith('/aggregate.json')) bytes += body.length;
    await ctx.store.put(key, body);
  }
  return bytes;
}

/** The reference: the 168 baseline aggregates read and parsed, nothing else. */
async function parseBaseline(ctx: PipelineContext, window: { start: number }): Promise<number> {
  let n = 0;
  for (let h = window.start - BASELINE_DAYS * DAY; h < window.start; h += HOUR) {
    const bytes = await ctx.store.get(aggregateFileKey(h));
    if (bytes) n += Object.keys((JSON.parse(Buffer.from(bytes).toString()) as { routes: object }).routes).length;
  }
  return n;
}

/** Every test of a report with its statistics (hysteresis moves on from round to round; these do not). */
function testsOf(report: Awaited<ReturnType<typeof driftPipeline.finalize>>): string {
  return JSON.stringify((report.sections.drift as { results: unknown }).results);
}

export async function main(): Promise<Record<string, unknown>> {
  const records = Number(process.env.BENCH_RECORDS ?? 240_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const root = await mkdtemp(join(tmpdir(), 'evalwatch-bench-finalize-'));
  try {
    const end = Date.UTC(2026, 10, 23, 0);
    await writeCaptures(join(root, 'captures'), records, end);
    const config = parseConfig({ captures: { source: { kind: 'fs', path: join(root, 'captures') } }, store: { kind: 'fs', path: join(root, 'results') } }, 'bench');
    // A finalize that sets its prepared bytes aside says so in the log: counted, so the split's
    // figures are never the inline finalize's under another name.
    const setAside: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void (/reading history in the finalize/.test(l) && setAside.push(l)) });
    const ctx = createContext({ config, logger });
    const window = { start: end - DAY, end };
    const run = (id: string): RunRequest => ({ runId: id, pipeline: 'drift', window, requestedAt: end });
    const units = await driftPipeline.plan(ctx, run('seed'));
    const partials: DriftPartial[] = [];
    for (const unit of units) partials.push((await driftPipeline.processUnit(ctx, run('seed'), unit)) as DriftPartial);
    const merged = driftPipeline.merge(partials) as DriftPartial;
    const accounting = { planned: units.length, done: units.length, failed: [] };
    // Writes the window's hours (and a first hysteresis state), then the baseline days before it.
    await driftPipeline.finalize(ctx, run('seed'), merged, accounting);
    const baselineBytes = await seedBaseline(ctx, window);
    // Untimed warm-up of both paths (JIT), and the hysteresis state every round then starts from.
    await parseBaseline(ctx, window);
    const first = testsOf(await driftPipeline.finalize(ctx, run('warm'), merged, accounting));

    const finalizeMs: number[] = [];
    const parseMs: number[] = [];
    const prepareMs: number[] = [];
    const preparedFinalizeMs: number[] = [];
    let preparedBytes = 0;
    let identical = true;
    const loadAtStart = Number(loadavg()[0]?.toFixed(2));
    for (let r = 0; r < rounds; r++) {
      for (const kind of r % 2 === 0 ? (['finalize', 'parse', 'prepared'] as const) : (['prepared', 'parse', 'finalize'] as const)) {
        const t0 = performance.now();
        if (kind === 'parse') {
          await parseBaseline(ctx, window);
          parseMs.push(performance.now() - t0);
        } else if (kind === 'finalize') {
          const report = await driftPipeline.finalize(ctx, run(`round-${r}`), merged, accounting);
          finalizeMs.push(performance.now() - t0);
          identical &&= testsOf(report) === first;
        } else {
          // A queue run: the prepare job (beside the units), then the finalize with its bytes.
          const prepared = await driftPipeline.prepare!(ctx, run(`prepared-${r}`));
          const t1 = performance.now();
          prepareMs.push(t1 - t0);
          preparedBytes = prepared.byteLength;
          const report = await driftPipeline.finalize(ctx, run(`prepared-${r}`), merged, accounting, prepared);
          preparedFinalizeMs.push(performance.now() - t1);
          identical &&= testsOf(report) === first;
        }
      }
    }
    if (setAside.length > 0) throw new Error(`a finalize set its prepared bytes aside: ${setAside[0]}`);
    const f = median(finalizeMs);
    const p = median(parseMs);
    const fp = median(preparedFinalizeMs);
    return {
      records,
      baselineHours: BASELINE_DAYS * 24,
      baselineMB: Number((baselineBytes / 1e6).toFixed(1)),
      rounds,
      loadavg1: { start: loadAtStart, end: Number(loadavg()[0]?.toFixed(2)) },
      finalizeMs: finalizeMs.map(Math.round),
      parseBaselineMs: parseMs.map(Math.round),
      finalizeMsMedian: Math.round(f),
      parseBaselineMsMedian: Math.round(p),
      // How many times the bare read-and-parse of its baseline one finalize costs.
      finalizeOverParse: Number((f / p).toFixed(2)),
      // A queue run's prepare job, and its finalize given the prepared bytes (the serial step).
      prepareMs: prepareMs.map(Math.round),
      preparedFinalizeMs: preparedFinalizeMs.map(Math.round),
      prepareMsMedian: Math.round(median(prepareMs)),
      preparedFinalizeMsMedian: Math.round(fp),
      preparedMB: Number((preparedBytes / 1e6).toFixed(1)),
      preparedFinalizeOverParse: Number((fp / p).toFixed(2)),
      // The serial step of a queue run against the inline finalize.
      preparedFinalizeOverFinalize: Number((fp / f).toFixed(2)),
      sameTestsEveryRound: identical,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(await main(), null, 2)}\n`);
