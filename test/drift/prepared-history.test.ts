import { cp, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleSample, log1pScale } from '../../src/drift/sample.ts';
import { collect } from '../../src/drift/buckets.ts';
import { loadHistory } from '../../src/drift/history.ts';
import { driftPipeline, type DriftPartial } from '../../src/drift/pipeline.ts';
import { decodeDriftHistory, driftHistoryRange, encodeDriftHistory, loadDriftHistory } from '../../src/drift/prepared-history.ts';
import { numericBaselineOf } from '../../src/drift/baseline.ts';
import type { PipelineContext, RunRequest } from '../../src/pipeline/types.ts';
import type { RunReport } from '../../src/report/types.ts';
import { createDriftFixture, DRIFT_FROM, driftContext, driftRun, HOUR, T0, type DriftFixture } from './fixture.ts';

const WEEK = 7 * 24 * HOUR;
let fx: DriftFixture;

beforeAll(async () => {
  fx = await createDriftFixture();
}, 120_000);

afterAll(async () => {
  await fx.dispose();
});

/** A context over a fresh copy of the fixture's store (finalize writes hours and hysteresis state), logging into `lines`. */
async function copyContext(lines: string[] = [], level = 'warn'): Promise<PipelineContext> {
  const results = await mkdtemp(join(fx.dir, 'copy-'));
  await cp(fx.results, results, { recursive: true });
  return driftContext(fx.dir, results, pino({ level }, { write: (l: string) => void lines.push(l) }));
}

/** One run by hand: plan, every unit, merge, then finalize with what `prepared` gives it. */
async function runWith(ctx: PipelineContext, run: RunRequest, prepared: (run: RunRequest) => Promise<Uint8Array | undefined>): Promise<RunReport> {
  const units = await driftPipeline.plan(ctx, run);
  const parts: DriftPartial[] = [];
  for (const u of units) parts.push(await driftPipeline.processUnit(ctx, run, u));
  const accounting = { planned: units.length, done: units.length, failed: [] };
  return driftPipeline.finalize(ctx, run, driftPipeline.merge(parts), accounting, await prepared(run));
}

const none = async () => undefined;

describe('prepared drift history (the prepare job of a queue run)', () => {
  it('a finalize given prepare()\'s bytes reports exactly what it reports without them: hourly windows with pending episodes, and a longer one', async () => {
    const logged: string[] = [];
    const [withBytes, without] = [await copyContext(logged, 'info'), await copyContext()];
    const prepare = (ctx: PipelineContext) => (run: RunRequest) => driftPipeline.prepare!(ctx, run);
    const reports: [string, string][] = [];
    // The first drifted hour breaches (pending); the second pools that episode (the `recent` hours).
    for (const run of [driftRun(DRIFT_FROM), driftRun(DRIFT_FROM + HOUR), driftRun(T0 + 24 * HOUR, 26)]) {
      const a = await runWith(withBytes, run, prepare(withBytes));
      const b = await runWith(without, run, none);
      reports.push([JSON.stringify(a), JSON.stringify(b)]);
    }
    for (const [a, b] of reports) expect(a).toBe(b);
    // Equal because the bytes were used, not because each finalize set them aside and read history.
    expect(logged.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => /prepared|reading history/.test(m))).toEqual([]);
    const second = JSON.parse(reports[1]![0]) as RunReport;
    const f = second.findings.find((x) => x.subject === 'output_tokens' && x.route === 'answer');
    expect(f?.state).toBe('firing');
    expect(f?.stats.pooled).toBeUndefined();
    // The chart and summary of the baseline side come from the digest.
    expect(f?.baseline).toMatchObject({ chart: { p: expect.any(Array), x: expect.any(Array) }, p50: expect.any(Number) });
  });

  it('holds the samples the hour lists assemble, and survives its bytes bit for bit', async () => {
    const range = driftHistoryRange({ start: DRIFT_FROM, end: DRIFT_FROM + HOUR }, WEEK, 4);
    const history = await loadDriftHistory(fx.ctx.store, range);
    const { hours } = await loadHistory(fx.ctx.store, range.baselineFrom, range.to);
    const lists = [...hours.keys()].sort((a, b) => a - b).map((h) => hours.get(h)!);
    const expected = assembleSample(collect(lists, 'answer', (b) => b.num.output_tokens), log1pScale);
    expect(numericBaselineOf(history.baseline, 'answer', 'output_tokens')?.sample).toEqual(expected);
    expect(history.baselineHours).toBe(48);
    expect([...history.recent.keys()]).toEqual([DRIFT_FROM - 2 * HOUR, DRIFT_FROM - HOUR]);
    const decoded = decodeDriftHistory(encodeDriftHistory(range, history), range);
    expect(decoded).toEqual({ history });
  });

  it('keeps a sample whose weights differ as it is (only one shared weight is stored once)', () => {
    const range = driftHistoryRange({ start: DRIFT_FROM, end: DRIFT_FROM + HOUR }, WEEK, 4);
    const sample = { values: Float64Array.of(1, 2, 3), weights: Float64Array.of(1, 2, 1), equalWeights: false, ess: 2.67 };
    const shared = { values: Float64Array.of(1, 2), weights: Float64Array.of(4, 4), equalWeights: true, ess: 2 };
    const nb = (s: typeof sample) => ({ n: 3, sample: s, scale: 1, summary: {}, chart: undefined });
    const history = {
      baseline: { routes: ['a'], numeric: new Map([['a|x', nb(sample)], ['a|y', nb(shared)]]), flags: new Map(), cats: new Map() },
      baselineHours: 1,
      gaps: [],
      series: new Map(),
      recent: new Map(),
    };
    expect(decodeDriftHistory(encodeDriftHistory(range, history), range)).toEqual({ history });
  });

  it('bytes for another range, of another format or unreadable are refused with the reason; the finalize then reads history itself, to the same report', async () => {
    const range = driftHistoryRange({ start: DRIFT_FROM, end: DRIFT_FROM + HOUR }, WEEK, 4);
    const history = await loadDriftHistory(fx.ctx.store, range);
    const other = driftHistoryRange({ start: DRIFT_FROM, end: DRIFT_FROM + HOUR }, WEEK, 3);
    expect(decodeDriftHistory(encodeDriftHistory(other, history), range)).toEqual({ error: 'prepared for another range (seriesFrom)' });
    expect(decodeDriftHistory(new Uint8Array([1, 2, 3]), range)).toMatchObject({ error: expect.stringMatching(/^not readable: /) });
    expect(decodeDriftHistory(encodeDriftHistory(range, history).subarray(0, 1000), range)).toMatchObject({ error: expect.stringMatching(/^not readable: /) });

    const lines: string[] = [];
    const [stale, fresh] = [await copyContext(lines), await copyContext()];
    // Prepared for the hour before: its range is not this window's.
    const wrong = await runWith(stale, driftRun(DRIFT_FROM), (run) => driftPipeline.prepare!(stale, { ...run, window: { start: run.window.start - HOUR, end: run.window.end - HOUR } }));
    const right = await runWith(fresh, driftRun(DRIFT_FROM), none);
    expect(JSON.stringify(wrong)).toBe(JSON.stringify(right));
    expect(lines.map((l) => JSON.parse(l) as { msg: string; reason: string })).toEqual([
      expect.objectContaining({ msg: 'prepared drift history not usable; reading history in the finalize', reason: 'prepared for another range (baselineFrom, seriesFrom, to, recentFrom)' }),
    ]);
  });

  it('a history prepared before an overlapping run wrote the hour before the window is set aside: the finalize reads history itself, as an inline finalize would', async () => {
    const lines: string[] = [];
    const [late, inline] = [await copyContext(lines, 'info'), await copyContext()];
    const next = driftRun(DRIFT_FROM + HOUR);
    // The next hour's prepare job runs while the run of the hour before it is still going.
    const early = await driftPipeline.prepare!(late, next);
    await runWith(late, driftRun(DRIFT_FROM), none);
    const a = await runWith(late, next, async () => early);
    await runWith(inline, driftRun(DRIFT_FROM), none);
    const b = await runWith(inline, next, none);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; hours?: string[] }).filter((l) => l.hours);
    expect(logged).toEqual([expect.objectContaining({ msg: 'history gained hours since it was prepared; reading history in the finalize', hours: [new Date(DRIFT_FROM).toISOString()] })]);
  });
});
