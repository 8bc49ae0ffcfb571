import { hoursOverlapping } from '../captures/partitions.ts';
import { createContext, type TrafficContext, type TrafficOptions } from './options.ts';
import { hashInts, normalFrom, poisson, RecordRng, toUnit } from './random.ts';
import { buildRecord, SLOT, type Arrival } from './record.ts';
import { seasonalFactor } from './seasonality.ts';

const HOUR = 3_600_000;

/**
 * The calls of one hour, in timestamp order, that fall inside the context's window.
 *
 * Per route and stream: a Poisson count with a seasonal, noisy mean, each call placed uniformly in
 * the hour by its own random key. Volume injections thin a larger candidate set (exact for a
 * piecewise-constant rate), so an injection that covers the whole hour keeps the first arrivals.
 *
 * @example
 * const calls = planHour(createContext(opts), Date.UTC(2026, 0, 5, 14));
 */
export function planHour(ctx: TrafficContext, hourStart: number): Arrival[] {
  const hourIndex = Math.floor(hourStart / HOUR);
  const hourEnd = hourStart + HOUR;
  const out: Arrival[] = [];
  for (const route of ctx.routes) {
    const noiseZ = normalFrom(toUnit(hashInts(ctx.seed, hourIndex, route.key, 0x6e01)), toUnit(hashInts(ctx.seed, hourIndex, route.key, 0x6e02)));
    const noise = Math.exp(ctx.noise * noiseZ - (ctx.noise * ctx.noise) / 2);
    const lambda = ctx.callsPerHour * route.weight * seasonalFactor(hourStart, route.peakHourUtc, ctx.seasonality) * noise * ctx.sampleRate;
    const thinned = ctx.injections.volumeOverlaps(route.index, hourStart, hourEnd);
    const fmax = thinned ? ctx.injections.maxVolumeIn(route.index, hourStart, hourEnd) : 1;
    for (const stream of [0, 1] as const) {
      const mean = (stream === 0 ? lambda : lambda * ctx.flaggedShare) * fmax;
      const u = toUnit(hashInts(ctx.seed, hourIndex, route.key, stream, 0xc0));
      const z = normalFrom(toUnit(hashInts(ctx.seed, hourIndex, route.key, stream, 0xc1)), toUnit(hashInts(ctx.seed, hourIndex, route.key, stream, 0xc2)));
      const n = poisson(mean, u, z);
      for (let i = 0; i < n; i++) {
        const rng = new RecordRng(hashInts(ctx.seed, hourIndex, route.key, stream, i, 1), hashInts(ctx.seed, hourIndex, route.key, stream, i, 2));
        const t = hourStart + Math.floor(rng.u(SLOT.time) * HOUR);
        if (t < ctx.start || t >= ctx.end) continue;
        if (thinned && rng.u(SLOT.volumeAccept) * fmax >= ctx.injections.volumeAt(route.index, t)) continue;
        out.push({ t, hourStart, route, stream, rng });
      }
    }
  }
  // Stable sort: equal milliseconds keep route/stream/index order, so output is deterministic.
  out.sort((x, y) => x.t - y.t);
  return out;
}

/**
 * Deterministic synthetic capture records (DESIGN §3) for `[start, end)`, in timestamp order.
 * The same options always give the same records; the records of an hour do not depend on the
 * window, so `[a, b)` followed by `[b, c)` equals `[a, c)`.
 *
 * A record is a plain JSON object with exactly the §3 field names. With a `malformed` injection
 * some items instead carry a line to write verbatim: see `malformedLineOf`.
 *
 * @example
 * const day = Date.UTC(2026, 0, 5);
 * for (const record of generateTraffic({ seed: 7, start: day, end: day + 86_400_000 })) {
 *   process.stdout.write(JSON.stringify(record) + '\n');
 * }
 */
export function* generateTraffic(options: TrafficOptions): Generator<Record<string, unknown>> {
  for (const { item } of generateTimedTraffic(options)) yield item;
}

/** An item of the traffic with the epoch-ms time of its call (also for malformed lines). */
export interface TimedItem {
  readonly ts: number;
  readonly item: Record<string, unknown>;
}

/**
 * `generateTraffic` with each item's time alongside, so writers need not parse timestamps back
 * (and can place records whose timestamp an injection removed).
 *
 * @example
 * for (const { ts, item } of generateTimedTraffic(opts)) partitionOf(ts).push(item);
 */
export function* generateTimedTraffic(options: TrafficOptions): Generator<TimedItem> {
  const ctx = createContext(options);
  for (const hourStart of hoursOverlapping({ start: ctx.start, end: ctx.end })) {
    const calls = planHour(ctx, hourStart);
    if (calls.length === 0) continue;
    const hourPrefix = new Date(hourStart).toISOString().slice(0, 14);
    for (const call of calls) yield { ts: call.t, item: buildRecord(ctx, call, hourPrefix) };
  }
}

/**
 * How many items `generateTraffic` yields for these options, without building them (fast: no
 * text, no records).
 *
 * @example
 * countTraffic({ seed: 7, start: day, end: day + 86_400_000 }); // ≈ 7,000 with the defaults
 */
export function countTraffic(options: TrafficOptions): number {
  const ctx = createContext(options);
  let n = 0;
  for (const hourStart of hoursOverlapping({ start: ctx.start, end: ctx.end })) n += planHour(ctx, hourStart).length;
  return n;
}
