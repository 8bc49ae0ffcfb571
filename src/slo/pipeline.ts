import { emptyIngestCounts, mergeIngestCounts, type IngestCounts } from '../captures/ingest-stats.ts';
import { HOUR, hoursOverlapping } from '../captures/partitions.ts';
import type { Pipeline, PipelineContext, RunRequest, UnitAccounting, WorkUnit } from '../pipeline/types.ts';
import { reportHeader } from '../report/header.ts';
import type { RunReport } from '../report/types.ts';
import { inputStatusReasons, unitCoverage } from '../pipeline/run-status.ts';
import { finishedHours, planObjectUnits, scanUnitByHour } from '../pipeline/scan-unit.ts';
import { createSloAccumulator, type SloAccumulator } from './accumulate.ts';
import { mergeHour, SLO_HOUR_VERSION, type SloHour } from './cells.ts';
import { compileRecordSlos } from './classify.ts';
import { buildSections, type SloFinalizeResult } from './report.ts';
import { PriceTable } from './pricing.ts';

/**
 * The slo pipeline (issue 8): one unit per capture object → per-hour cost cells and 5-minute SLO
 * event buckets → persisted history (`aggregates/slo/`) → cost attribution, month-end projection,
 * cost anomalies and SLO burn rates at finalize → a report with `sections.cost` and `sections.slo`.
 */

/** What one unit (or a merge of units) produced. JSON-serializable. */
export interface SloPartial {
  v: typeof SLO_HOUR_VERSION;
  /** Aggregates per partition hour, ascending. */
  hours: SloHour[];
  input: IngestCounts;
  outOfPartition: number;
  /** Examples kept per route and SLO (`cost.examples`), so merges keep the same number. */
  examples: number;
}

/** Share of rejected lines, or of unpriced population rows, above which a run is `degraded`. */
export const DEGRADED_SHARE = 0.01;


/**
 * Hour-aligned span of the run: history is kept per whole partition hour.
 *
 * @example
 * hourSpan({ …run, window: { start: t + 600_000, end: t + 3_600_000 } }); // { start: t, end: t + 3_600_000 }
 */
export function hourSpan(run: RunRequest): { start: number; end: number } {
  const hours = hoursOverlapping(run.window);
  const start = hours[0] ?? Math.floor(run.window.start / HOUR) * HOUR;
  return { start, end: Math.max(start + HOUR, (hours[hours.length - 1] ?? start) + HOUR) };
}

/**
 * Merges slo partials (associative and commutative; the runner passes them sorted by unit id).
 *
 * @example
 * const merged = mergeSloPartials([a, b]);
 */
export function mergeSloPartials(parts: readonly SloPartial[]): SloPartial {
  const examples = parts.reduce((k, p) => Math.max(k, p.examples), 0);
  const byHour = new Map<number, SloHour>();
  for (const p of parts) {
    for (const h of p.hours) {
      const prev = byHour.get(h.start);
      byHour.set(h.start, prev ? mergeHour(prev, h, examples) : h);
    }
  }
  return {
    v: SLO_HOUR_VERSION,
    hours: [...byHour.keys()].sort((a, b) => a - b).map((h) => byHour.get(h) as SloHour),
    input: mergeIngestCounts(emptyIngestCounts(), ...parts.map((p) => p.input)),
    outOfPartition: parts.reduce((t, p) => t + p.outOfPartition, 0),
    examples,
  };
}

/** An accumulator factory bound to the run's config. */
function accumulatorFactory(ctx: PipelineContext): (start: number) => SloAccumulator {
  const { config } = ctx;
  const table = new PriceTable(config.pricing);
  const slos = compileRecordSlos(config.slos);
  return (start) => createSloAccumulator(start, { table, slos, dimensions: config.cost.dimensions, examples: config.cost.examples });
}

async function processUnit(ctx: PipelineContext, run: RunRequest, unit: WorkUnit): Promise<SloPartial> {
  const create = accumulatorFactory(ctx);
  const scan = await scanUnitByHour(ctx, run, unit, (start) => create(start), (acc, r) => acc.add(r));
  return {
    v: SLO_HOUR_VERSION,
    hours: finishedHours(scan.hours, (acc) => acc.finish()),
    input: scan.input,
    outOfPartition: scan.outOfPartition,
    examples: ctx.config.cost.examples,
  };
}

async function finalize(ctx: PipelineContext, run: RunRequest, merged: SloPartial, accounting: UnitAccounting): Promise<RunReport> {
  const span = hourSpan(run);
  const create = accumulatorFactory(ctx);
  const fresh = new Map(merged.hours.map((h) => [h.start, h]));
  const windowHours = hoursOverlapping(span).map((h) => fresh.get(h) ?? create(h).finish());
  // A window without a single capture object writes no history (see buildSections).
  const result: SloFinalizeResult = await buildSections(ctx, span, windowHours, { persist: merged.input.objects > 0 || accounting.planned > 0 });

  const statusReasons = inputStatusReasons(merged.input, accounting, DEGRADED_SHARE);
  const { unpricedRows, populationRows } = result;
  if (populationRows > 0 && unpricedRows / populationRows > DEGRADED_SHARE) {
    statusReasons.push(
      `${unpricedRows} of ${populationRows} population records could not be priced (${((100 * unpricedRows) / populationRows).toFixed(1)}%; see sections.cost.total.unpricedReasons): cost totals leave them out`,
    );
  }
  let status: RunReport['status'] = statusReasons.length > 0 ? 'degraded' : 'ok';
  if (merged.input.populationRecords === 0) {
    status = 'unmeasurable';
    statusReasons.unshift(merged.input.objects === 0 && accounting.planned === 0 ? 'no capture objects in the window (check captures.source; nothing was stored as history)' : 'no population records in the window');
  }
  return {
    ...reportHeader({ ...run, pipeline: 'slo' }, ctx.now()),
    status,
    statusReasons,
    input: merged.input,
    coverage: unitCoverage(merged.input, accounting),
    findings: result.findings,
    unmeasured: result.unmeasured,
    sections: { ...result.sections, ingest: { outOfPartition: merged.outOfPartition } },
  };
}

/**
 * The slo pipeline. `plan` makes one unit per capture object of the window; `processUnit` reads
 * it into per-hour cost cells and SLO buckets; `merge` combines them; `finalize` persists the
 * hours and builds the cost and SLO sections and findings (the caller writes the report).
 *
 * @example
 * const { report } = await runInline(ctx, sloPipeline, { runId: 'slo-1', pipeline: 'slo', window, requestedAt: now });
 * report.sections.slo; // { slos: [{ name: 'availability', status: 'ok', budget: { remaining: 0.93 }, … }] }
 */
export const sloPipeline: Pipeline<SloPartial> = {
  name: 'slo',
  plan: planObjectUnits,
  processUnit,
  merge(parts) {
    return mergeSloPartials(parts);
  },
  finalize,
};
