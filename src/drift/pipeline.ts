import { emptyIngestCounts, mergeIngestCounts, type IngestCounts } from '../captures/ingest-stats.ts';
import { HOUR, hoursOverlapping } from '../captures/partitions.ts';
import { parseDuration } from '../config/duration.ts';
import type { Pipeline, PipelineContext, RunRequest, UnitAccounting, WorkUnit } from '../pipeline/types.ts';
import { reportHeader } from '../report/header.ts';
import type { RunReport, Unmeasured } from '../report/types.ts';
import { inputStatusReasons, unitCoverage } from '../pipeline/run-status.ts';
import { runSequential } from '../pipeline/run-sequential.ts';
import { finishedHours, planObjectUnits, scanUnitByHour } from '../pipeline/scan-unit.ts';
import { createHourAccumulator, DRIFT_AGGREGATE_VERSION, withRollup, type HourAccumulator, type HourAggregate } from './aggregate.ts';
import { mergeHourLists } from './merge.ts';
import { analyzeDrift, type HourBuckets } from './analyze.ts';
import { attachDriftCharts } from './chart-data.ts';
import { createExtractor } from './features.ts';
import { saveHour } from './history.ts';
import { decodeDriftHistory, driftHistoryRange, encodeDriftHistory, hoursWrittenSince, loadDriftHistory, type DriftHistory, type DriftHistoryRange } from './prepared-history.ts';
import { mapLimit } from '../runtime/map-limit.ts';
import { driftObservations, loadHysteresis, pendingEpisodes, saveHysteresis } from './hysteresis-store.ts';
import { stepHysteresis } from './hysteresis.ts';
import { toFinding } from './findings.ts';
import { hourSeries, type HourSeries } from './series.ts';

/**
 * The drift pipeline (DESIGN §1): one unit per capture object → hourly aggregates → persisted
 * history → analysis of the window against its baseline → hysteresis → run report.
 */

/** What one unit (or a merge of units) produced. JSON-serializable. */
export interface DriftPartial {
  v: typeof DRIFT_AGGREGATE_VERSION;
  /** Aggregates per partition hour, ascending. */
  hours: HourAggregate[];
  /** Input accounting (DESIGN §4 "input counts"). */
  input: IngestCounts;
  /** Valid records whose timestamp was beyond `captures.partitionSlack` of their partition. */
  outOfPartition: number;
}

/** Share of rejected lines above which a run is `degraded`. */
export const DEGRADED_REJECT_SHARE = 0.01;

/** Hourly aggregates written at once by a (daily) finalize. */
const SAVE_CONCURRENCY = 4;


/** Hour-aligned span of the run: drift aggregates whole partition hours. */
function hourSpan(run: RunRequest): { start: number; end: number } {
  const hours = hoursOverlapping(run.window);
  const start = hours[0] ?? Math.floor(run.window.start / HOUR) * HOUR;
  return { start, end: Math.max(start + HOUR, (hours[hours.length - 1] ?? start) + HOUR) };
}

/**
 * Merges drift partials (associative and commutative; the runner passes them sorted by unit id).
 *
 * @example
 * const merged = mergeDriftPartials([a, b, c]);
 */
export function mergeDriftPartials(parts: readonly DriftPartial[]): DriftPartial {
  return {
    v: DRIFT_AGGREGATE_VERSION,
    // Each hour merged once, n-way (same result as folding mergeHours pairwise, without N−1 round trips).
    hours: mergeHourLists(parts.map((p) => p.hours)),
    input: mergeIngestCounts(emptyIngestCounts(), ...parts.map((p) => p.input)),
    outOfPartition: parts.reduce((t, p) => t + p.outOfPartition, 0),
  };
}

async function processUnit(ctx: PipelineContext, run: RunRequest, unit: WorkUnit): Promise<DriftPartial> {
  const reservoirSize = ctx.config.drift.reservoirSize;
  const extract = createExtractor(ctx.config);
  const scan = await scanUnitByHour(
    ctx,
    run,
    unit,
    (start, partitionSlackMs) => createHourAccumulator(start, { reservoirSize, partitionSlackMs }),
    (acc, r) => acc.add(r, r.population ? extract(r) : undefined),
  );
  return {
    v: DRIFT_AGGREGATE_VERSION,
    hours: finishedHours(scan.hours, (acc) => acc.finish()),
    input: scan.input,
    outOfPartition: scan.outOfPartition,
  };
}

/** The history ranges of a run's window. */
function historyRange(ctx: PipelineContext, run: RunRequest): DriftHistoryRange {
  const opts = ctx.config.drift;
  return driftHistoryRange(hourSpan(run), parseDuration(opts.baseline), opts.seasonalWeeks);
}

/**
 * Reads and reduces the run's history (see `prepared-history.ts`), beside the units when the
 * runner runs it as its own job.
 */
async function prepare(ctx: PipelineContext, run: RunRequest): Promise<Uint8Array> {
  const range = historyRange(ctx, run);
  return encodeDriftHistory(range, await loadDriftHistory(ctx.store, range));
}

/** The prepared history when it is usable, else the history read here (the same analysis either way). */
async function historyOf(ctx: PipelineContext, run: RunRequest, range: DriftHistoryRange, prepared: Uint8Array | undefined): Promise<DriftHistory> {
  if (prepared) {
    const got = decodeDriftHistory(prepared, range);
    if ('error' in got) {
      ctx.logger.warn({ runId: run.runId, reason: got.error }, 'prepared drift history not usable; reading history in the finalize');
    } else {
      const written = await hoursWrittenSince(ctx.store, got.history, range);
      if (written.length === 0) return got.history;
      ctx.logger.info({ runId: run.runId, hours: written }, 'history gained hours since it was prepared; reading history in the finalize');
    }
  }
  return loadDriftHistory(ctx.store, range);
}

async function finalize(ctx: PipelineContext, run: RunRequest, merged: DriftPartial, accounting: UnitAccounting, prepared?: Uint8Array): Promise<RunReport> {
  const { config, store } = ctx;
  const opts = config.drift;
  const k = opts.reservoirSize;
  const span = hourSpan(run);
  const windowMs = span.end - span.start;
  const windowHours = hoursOverlapping(span);

  // History depends only on the span and reads none of this window's hours: started first, its
  // I/O overlaps the CPU work of rolling up and writing the window. Awaited in step 2; a failure
  // before then must not count as an unhandled rejection.
  const historyRead = historyOf(ctx, run, historyRange(ctx, run), prepared);
  const stateRead = loadHysteresis(store, windowMs);
  historyRead.catch(() => {});
  stateRead.catch(() => {});

  // 1. Persist this window's hours (empty ones too: zero traffic is a fact, a missing file a gap).
  const fresh = new Map(merged.hours.map((h) => [h.start, h]));
  const windowBuckets: HourBuckets[] = [];
  const series = new Map<number, HourSeries>();
  const hours = windowHours.map((h) => fresh.get(h) ?? createHourAccumulator(h, { reservoirSize: k }).finish());
  // The rollup and series of each hour once, for the analysis and for saveHour alike.
  for (const hour of hours) {
    const buckets = withRollup(hour);
    windowBuckets.push(buckets);
    series.set(hour.start, hourSeries(hour.start, buckets));
  }
  // Hours are independent files: a daily run's 24 writes overlap (each is a round trip on S3).
  const written = await mapLimit(hours, SAVE_CONCURRENCY, (hour) => saveHour(store, hour, series.get(hour.start)));
  // History kept a more complete aggregate of these hours (this run read fewer objects of them).
  const lessComplete = hours.filter((_, i) => !written[i]).map((h) => `${h.hour.slice(0, 16)}Z`);

  // 2. Baseline and sigma history from the store, never from captures.
  const history = await historyRead;
  for (const [h, s] of history.series) series.set(h, s);

  // 3. Analysis, BH over every test of the run; pending subjects pool their episode's hours.
  const now = ctx.now();
  const prevState = await stateRead;
  const pending = windowMs === HOUR ? pendingEpisodes(prevState, span.start, (h) => history.recent.get(h)) : new Map();
  // An hourly window too small to detect the minimum effect is pooled with the hour before it.
  const previousHour = windowMs === HOUR ? history.recent.get(span.start - HOUR) : undefined;
  const analysisInput = {
    pending,
    ...(previousHour ? { previousHours: [previousHour] } : {}),
    window: span,
    windowHours: windowBuckets,
    baseline: history.baseline,
    series,
    options: opts,
  };
  const analysis = analyzeDrift(analysisInput);

  // 4. Hysteresis, one state per window length.
  const { observations, byFingerprint } = driftObservations(analysis);
  const { state, transitions } = stepHysteresis(prevState, observations, span.end, windowMs, opts, now);
  await saveHysteresis(store, windowMs, state);

  const findings = [];
  for (const [fp, test] of byFingerprint) {
    const tr = transitions.get(fp);
    if (!tr) continue;
    const breach = analysis.breaches.includes(test);
    if (breach || (tr.changed && tr.status === 'resolved')) {
      findings.push(toFinding(test, fp, tr, span, analysis.context[test.route], config.alerts.links));
    }
  }
  // Bounded chart data for report.html (quantiles, sigma series with band), findings only.
  attachDriftCharts(findings, byFingerprint, analysisInput);
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.fingerprint < b.fingerprint ? -1 : 1));

  // 5. Status: never "ok" over lost input or no data.
  const statusReasons = inputStatusReasons(merged.input, accounting, DEGRADED_REJECT_SHARE);
  const baselineShare = history.baselineHours / Math.max(1, history.baselineHours + history.gaps.length);
  if (baselineShare < 0.5) statusReasons.push(`baseline history covers ${Math.round(baselineShare * 100)}% of ${opts.baseline}`);
  if (lessComplete.length > 0) {
    const shown = lessComplete.slice(0, 3).join(', ');
    const more = lessComplete.length > 3 ? ` and ${lessComplete.length - 3} more` : '';
    statusReasons.push(`this run read fewer capture objects than history holds for ${shown}${more}: analysed what it read, history keeps the more complete hours`);
  }
  let status: RunReport['status'] = statusReasons.length > 0 ? 'degraded' : 'ok';
  if (merged.input.populationRecords === 0 || analysis.tests.length === 0) {
    status = 'unmeasurable';
    statusReasons.unshift(merged.input.populationRecords === 0 ? 'no population records in the window' : 'no drift test could be run');
  }
  const unmeasured: Unmeasured[] = analysis.unmeasured.map((u) => ({ route: u.route, subject: u.subject, reason: u.reason, ...(u.detail ? { detail: u.detail } : {}) }));

  return {
    ...reportHeader({ ...run, pipeline: 'drift' }, now),
    status,
    statusReasons,
    input: merged.input,
    coverage: unitCoverage(merged.input, accounting),
    findings,
    unmeasured,
    sections: {
      drift: {
        analysedHours: { start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString() },
        alpha: opts.alpha,
        tests: analysis.tests.length,
        breaches: analysis.breaches.length,
        outOfPartition: merged.outOfPartition,
        flaggedRows: windowBuckets.reduce((t, b) => t + (b['*']?.flagged ?? 0), 0),
        baseline: { hours: history.baselineHours, gaps: history.gaps.length, firstGaps: history.gaps.slice(0, 5) },
        seriesHours: history.series.size,
        firing: Object.values(state.entries).filter((e) => e.status === 'firing').length,
        results: analysis.tests.map((t) => ({
          kind: t.kind,
          route: t.route,
          subject: t.subject,
          test: t.test,
          pValue: t.pValue,
          qValue: t.qValue,
          effect: t.effect,
          effectRatio: Number(t.effectRatio.toPrecision(4)),
          n: t.n,
          m: t.m,
        })),
      },
    },
  };
}

const severityRank = (s: string): number => (s === 'critical' ? 2 : s === 'warning' ? 1 : 0);

/**
 * The drift pipeline. `plan` makes one unit per capture object of the window; `processUnit` reads
 * it into hourly aggregates; `merge` combines them; `finalize` persists the hours, analyses the
 * window against history, applies hysteresis and returns the run report (the caller writes it).
 *
 * @example
 * const units = await driftPipeline.plan(ctx, run);
 * const parts = await Promise.all(units.map((u) => driftPipeline.processUnit(ctx, run, u)));
 * const report = await driftPipeline.finalize(ctx, run, driftPipeline.merge(parts), accounting);
 */
export const driftPipeline: Pipeline<DriftPartial> = {
  name: 'drift',
  plan: planObjectUnits,
  processUnit,
  merge(parts) {
    return mergeDriftPartials(parts);
  },
  prepare,
  finalize,
};

/**
 * Runs the drift pipeline in this process: plan → every unit in turn → merge (by unit id) →
 * finalize. A unit that throws is accounted as failed, not fatal. Does not write the report.
 * The drift binding of {@link runSequential}.
 *
 * @example
 * const report = await runDriftInline(ctx, { runId: 'drift-1', pipeline: 'drift', window, requestedAt: now });
 */
export function runDriftInline(ctx: PipelineContext, run: RunRequest): Promise<RunReport> {
  return runSequential(ctx, driftPipeline, run);
}
