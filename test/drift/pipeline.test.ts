import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateFileKey, loadHistory, loadSeries, loadWindowHistory, saveHour, seriesFileKey } from '../../src/drift/history.ts';
import type { HourAggregate } from '../../src/drift/aggregate.ts';
import { hourSeries } from '../../src/drift/series.ts';
import type { ResultsStore } from '../../src/store/types.ts';
import { driftPipeline, runDriftInline } from '../../src/drift/pipeline.ts';
import type { PipelineContext } from '../../src/pipeline/types.ts';
import { createDriftFixture, DRIFT_FROM, driftRun as run, HISTORY_HOURS, HOUR, T0, type DriftFixture } from './fixture.ts';

let fx: DriftFixture;
let ctx: PipelineContext;

beforeAll(async () => {
  fx = await createDriftFixture();
  ctx = fx.ctx;
}, 120_000);

afterAll(async () => {
  await fx.dispose();
});

describe('drift pipeline (fs source, fs store)', () => {
  it('plans one unit per capture object with a short, colon-free id', async () => {
    const units = await driftPipeline.plan(ctx, run(DRIFT_FROM));
    expect(units).toHaveLength(2);
    for (const u of units) expect(u.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('persists hourly aggregates that later runs read as history', async () => {
    const { hours, gaps } = await loadHistory(ctx.store, T0, DRIFT_FROM);
    expect(hours.size).toBe(HISTORY_HOURS);
    expect(gaps).toEqual([]);
    expect((await ctx.store.get(aggregateFileKey(T0))) !== null).toBe(true);
    expect(hours.get(T0)?.answer?.rows).toBe(200);
  });

  it('finds the output-length drift, fires on the second window, with an actionable summary', async () => {
    const first = await runDriftInline(ctx, run(DRIFT_FROM));
    const f1 = first.findings.find((f) => f.subject === 'output_tokens' && f.route === 'answer');
    expect(f1?.state === 'pending' || f1?.state === 'firing').toBe(true);
    expect(first.input.rejected.invalid_json).toBe(1);
    expect(first.input.rejected.schema_invalid).toBe(1);
    expect(first.input.quarantined).toBe(2);

    const second = await runDriftInline(ctx, run(DRIFT_FROM + HOUR));
    const f = second.findings.find((x) => x.subject === 'output_tokens' && x.route === 'answer');
    expect(f?.state).toBe('firing');
    expect(f?.kind).toBe('drift.numeric');
    expect(f?.summary).toMatch(
      /^answer: output tokens p50 \d+ → \d+ \(\+\d+%\) since 00:00 UTC; (Mann–Whitney P\(window > baseline\) = 0\.\d\d, )?KS D = 0\.\d\d, q (<|=) [\d.e-]+; n = (200|400) vs [\d,]+$/,
    );
    expect(f?.examples).toHaveLength(5);
    expect(f?.stats.effect).toMatchObject({ ksD: expect.any(Number), wasserstein: expect.any(Number) });
    expect(f?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // 48 hours of history is 29% of the 7-day baseline: measured, but said so.
    expect(second.status).toBe('degraded');
    expect(second.statusReasons).toEqual(['baseline history covers 29% of 7d']);
    expect(second.coverage).toMatchObject({ unitsPlanned: 2, unitsDone: 2, unitsFailed: 0 });
  });

  it('series derived from loaded aggregates equal the stored series files', async () => {
    const { hours } = await loadHistory(ctx.store, T0, DRIFT_FROM);
    const known = new Map([...hours].map(([h, b]) => [h, hourSeries(h, b)]));
    const stored = await loadSeries(ctx.store, T0, DRIFT_FROM);
    expect(stored.series.size).toBe(HISTORY_HOURS);
    expect(JSON.stringify([...(await loadSeries(ctx.store, T0, DRIFT_FROM, { known })).series])).toBe(JSON.stringify([...stored.series]));
  });

  it('loadWindowHistory reads baseline and series at once; a baseline hour without its aggregate reads its series file', async () => {
    const lost = T0 + 30 * HOUR;
    // A view of the store in which one baseline hour's aggregate is missing.
    const store: ResultsStore = { ...ctx.store, get: (key) => (key === aggregateFileKey(lost) ? Promise.resolve(null) : ctx.store.get(key)) };
    const stored = await loadSeries(ctx.store, T0, DRIFT_FROM);
    const both = await loadWindowHistory(store, { baselineFrom: T0 + 24 * HOUR, seriesFrom: T0, to: DRIFT_FROM });
    expect(both.baseline.hours.size).toBe(23);
    expect(both.baseline.gaps).toEqual([{ hour: new Date(lost).toISOString(), reason: 'missing' }]);
    expect(JSON.stringify([...both.series])).toBe(JSON.stringify([...stored.series]));
    // Series shorter than the baseline: only the series range, from the loaded aggregates.
    const short = await loadWindowHistory(store, { baselineFrom: T0, seriesFrom: T0 + 40 * HOUR, to: DRIFT_FROM });
    expect(short.baseline.hours.size).toBe(HISTORY_HOURS - 1);
    expect(JSON.stringify([...short.series])).toBe(JSON.stringify([...stored.series].filter(([h]) => h >= T0 + 40 * HOUR)));
  });

  it('a re-run of the same window yields the same report (idempotent hysteresis and aggregates)', async () => {
    const a = await runDriftInline(ctx, run(DRIFT_FROM + HOUR));
    const b = await runDriftInline(ctx, run(DRIFT_FROM + HOUR));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('is unmeasurable, not "no drift", on a window without captures', async () => {
    const r = await runDriftInline(ctx, run(T0 + 100 * HOUR));
    expect(r.status).toBe('unmeasurable');
    expect(r.findings.filter((f) => f.kind !== 'drift.sigma')).toEqual([]);
    expect(r.statusReasons[0]).toMatch(/no population records/);
  });

  it('finalize reads each history file at most once, and no series file of an hour whose aggregate it loaded', async () => {
    const reads: string[] = [];
    const store: ResultsStore = Object.assign(Object.create(ctx.store) as ResultsStore, {
      get: (key: string) => {
        reads.push(key);
        return ctx.store.get(key);
      },
    });
    await runDriftInline({ ...ctx, store }, run(T0 + 100 * HOUR));
    const history = reads.filter((k) => k.startsWith('aggregates/drift/'));
    expect(history.length).toBeGreaterThan(HISTORY_HOURS);
    expect(new Set(history).size).toBe(history.length);
    // The stored hours T0 … T0+49h all lie in this window's 7-day baseline.
    const stored = Array.from({ length: HISTORY_HOURS + 2 }, (_, i) => T0 + i * HOUR);
    expect(history).toEqual(expect.arrayContaining(stored.map(aggregateFileKey)));
    expect(history.filter((k) => k.endsWith('series.json')).length).toBeGreaterThan(0);
    expect(history.filter((k) => stored.map(seriesFileKey).includes(k))).toEqual([]);
  });
  it('a run that read fewer objects of an hour than history holds says so and leaves history alone', async () => {
    const hour = T0 + 10 * HOUR;
    const before = await ctx.store.get(aggregateFileKey(hour));
    // The second capture object of each hour is gone (retention, a failed listing).
    const source = ctx.source;
    const partial: PipelineContext = {
      ...ctx,
      source: {
        ...source,
        describe: () => source.describe(),
        open: (key, signal) => source.open(key, signal),
        check: () => source.check(),
        async *list(window) {
          for await (const o of source.list(window)) if (!o.key.endsWith('part-1.jsonl')) yield o;
        },
      },
    };
    const r = await runDriftInline(partial, run(hour));
    expect(r.status).toBe('degraded');
    expect(r.statusReasons.join(' ')).toMatch(/fewer capture objects than history holds for 2026-03-02T10:00Z/);
    expect(Buffer.from((await ctx.store.get(aggregateFileKey(hour)))!).equals(Buffer.from(before!))).toBe(true);
  });

  it('saveHour checks completeness from the small series file; a series without the count (before 2026-12) falls back to the aggregate', async () => {
    const hour = T0 + 11 * HOUR;
    const original = { agg: (await ctx.store.get(aggregateFileKey(hour)))!, series: (await ctx.store.get(seriesFileKey(hour)))! };
    const stored = JSON.parse(Buffer.from(original.agg).toString()) as HourAggregate;
    const storedSeries = JSON.parse(Buffer.from(original.series).toString()) as { objects?: number };
    expect(storedSeries.objects).toBe(2);
    const reads: string[] = [];
    const store: ResultsStore = { ...ctx.store, get: (key) => (reads.push(key), ctx.store.get(key)) };
    try {
      expect(await saveHour(store, { ...stored, objects: 1 })).toBe(false);
      expect(reads).toEqual([seriesFileKey(hour)]);
      // A series file from before the count was recorded: the aggregate decides, as it did then.
      const { objects: _count, ...oldSeries } = storedSeries;
      await ctx.store.put(seriesFileKey(hour), JSON.stringify(oldSeries));
      reads.length = 0;
      expect(await saveHour(store, { ...stored, objects: 1 })).toBe(false);
      expect(reads).toEqual([seriesFileKey(hour), aggregateFileKey(hour)]);
      // A series whose aggregate is missing (a crash between the writes) does not block the write.
      await ctx.store.delete(aggregateFileKey(hour));
      await ctx.store.put(seriesFileKey(hour), original.series);
      expect(await saveHour(store, { ...stored, objects: 1 })).toBe(true);
      expect((JSON.parse(Buffer.from((await ctx.store.get(aggregateFileKey(hour)))!).toString()) as HourAggregate).objects).toBe(1);
      // A more complete hour replaces both files, and its series records the new count.
      expect(await saveHour(store, { ...stored, objects: 3 })).toBe(true);
      expect((JSON.parse(Buffer.from((await ctx.store.get(seriesFileKey(hour)))!).toString()) as { objects?: number }).objects).toBe(3);
      expect((JSON.parse(Buffer.from((await ctx.store.get(aggregateFileKey(hour)))!).toString()) as HourAggregate).objects).toBe(3);
    } finally {
      await ctx.store.put(aggregateFileKey(hour), original.agg);
      await ctx.store.put(seriesFileKey(hour), original.series);
    }
  });
});
