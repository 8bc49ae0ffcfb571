/**
 * Drift merge benchmark (prints JSON): `npx tsx bench/drift-merge.ts`
 *
 * The serial merge of unit partials (issue 4): the n-way `mergeDriftPartials` against the former
 * pairwise fold of `mergeHours` (kept as the reference, same run, same inputs), on the queue
 * bench's data shape: `BENCH_RECORDS` captures (default 1_050_000) in 96 objects = 4 per hour × 24
 * hours, each object one unit, partials JSON round-tripped as the queue's store does. Also the
 * production shape of an hourly run (all 96 objects in one hour) and the `*` rollup of 24 hours
 * (what `loadHistory` does per baseline hour). Checks that both merges give the same JSON.
 * `BENCH_ROUNDS` (default 7) alternating rounds; medians.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.ts';
import { mergeBuckets, mergeHours, withRollup, type HourAggregate, type RouteBucket } from '../src/drift/aggregate.ts';
import { driftPipeline, mergeDriftPartials, type DriftPartial } from '../src/drift/pipeline.ts';
import { createContext } from '../src/runtime/context.ts';
import { silentLogger } from '../src/runtime/logger.ts';
import { writeCaptures } from './queue.ts';

const HOUR = 3_600_000;

/** The merge as it was before the n-way change: every hour folded pairwise through JSON forms. */
function pairwiseHours(parts: readonly DriftPartial[]): HourAggregate[] {
  const byHour = new Map<number, HourAggregate>();
  for (const p of parts) for (const h of p.hours) byHour.set(h.start, byHour.has(h.start) ? mergeHours(byHour.get(h.start) as HourAggregate, h) : h);
  return [...byHour.keys()].sort((a, b) => a - b).map((h) => byHour.get(h) as HourAggregate);
}

function pairwiseRollup(hour: HourAggregate): RouteBucket {
  const routes = Object.values(hour.routes);
  return routes.slice(1).reduce((a, b) => mergeBuckets(a, b, hour.k), routes[0] as RouteBucket);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function time(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Alternating rounds of reference and candidate; medians and the paired ratio. */
function compare(rounds: number, reference: () => unknown, candidate: () => unknown) {
  const ref: number[] = [];
  const cand: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ref.push(time(reference));
      cand.push(time(candidate));
    } else {
      cand.push(time(candidate));
      ref.push(time(reference));
    }
  }
  const ratios = ref.map((x, i) => x / (cand[i] as number));
  return { pairwiseMs: Math.round(median(ref)), nWayMs: Math.round(median(cand)), speedup: Number(median(ratios).toFixed(2)) };
}

/**
 * Runs the benchmark and prints its figures as JSON.
 *
 * @example
 * await main(); // { shapes: { bench: { pairwiseMs, nWayMs, speedup, identical }, ... } }
 */
export async function main(): Promise<Record<string, unknown>> {
  const records = Number(process.env.BENCH_RECORDS ?? 1_050_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const root = await mkdtemp(join(tmpdir(), 'ew-drift-merge-'));
  try {
    const end = Date.UTC(2026, 10, 23);
    await writeCaptures(join(root, 'captures'), records, end);
    const config = parseConfig({ store: { kind: 'fs', path: join(root, 'store') }, captures: { source: { kind: 'fs', path: join(root, 'captures') } } }, 'bench');
    const ctx = createContext({ config, logger: silentLogger() });
    const window = { start: end - 24 * HOUR, end };
    const run = { runId: 'bench-merge', pipeline: 'drift' as const, window, requestedAt: end };
    const units = (await driftPipeline.plan(ctx, run)).sort((a, b) => (a.id < b.id ? -1 : 1));
    const raw: DriftPartial[] = [];
    for (const u of units) raw.push(await driftPipeline.processUnit(ctx, run, u));
    // Partials reach the merge parsed from the store, as plain JSON objects.
    const parts = JSON.parse(JSON.stringify(raw)) as DriftPartial[];
    const partialBytes = JSON.stringify(parts[0]).length;
    // An hourly run's shape: every object in the same partition hour.
    const oneHour = parts.map((p) => ({ ...p, hours: p.hours.map((h) => ({ ...h, start: end - HOUR, hour: new Date(end - HOUR).toISOString() })) }));
    const identical = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const merged = mergeDriftPartials(parts);
    const shapes = {
      bench: { partials: parts.length, hours: merged.hours.length, ...compare(rounds, () => pairwiseHours(parts), () => mergeDriftPartials(parts)), identical: identical(pairwiseHours(parts), merged.hours) },
      hourly: { partials: oneHour.length, hours: 1, ...compare(rounds, () => pairwiseHours(oneHour), () => mergeDriftPartials(oneHour)), identical: identical(pairwiseHours(oneHour), mergeDriftPartials(oneHour).hours) },
      rollup24h: {
        routes: Object.keys(merged.hours[0]?.routes ?? {}).length,
        ...compare(rounds, () => merged.hours.map(pairwiseRollup), () => merged.hours.map((h) => withRollup(h)['*'])),
        identical: identical(merged.hours.map(pairwiseRollup), merged.hours.map((h) => withRollup(h)['*'])),
      },
    };
    const out = { node: process.version, records, units: units.length, partialBytes, rounds, loadavg: loadavg().map((x) => Number(x.toFixed(1))), shapes };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return out;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
