import type { Logger } from 'pino';
import type { CaptureSource, TimeWindow } from '../captures/source.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import type { PipelineName, RunReport } from '../report/types.ts';
import type { ResultsStore } from '../store/types.ts';

/**
 * Pipelines are plain async functions over plain data. The queue layer (BullMQ flows) and the
 * inline runner call the same four functions (and the queue layer an optional fifth, `prepare`,
 * beside the units):
 *
 *   plan → processUnit × N (fan-out, any process, any order, retried) → merge → finalize
 *
 * `processUnit` must be deterministic for a given run and unit (a retry or a duplicate yields the
 * same partial), its partial JSON-serializable, and `merge` associative and commutative, so the
 * report of a run does not depend on how its units were scheduled, retried or split over workers.
 */
export interface Pipeline<P = unknown> {
  readonly name: PipelineName;
  /** Splits a run into units of work, e.g. one per capture object. Stable order. */
  plan(ctx: PipelineContext, run: RunRequest): Promise<WorkUnit[]>;
  /** Does one unit of work and returns its mergeable partial result. */
  processUnit(ctx: PipelineContext, run: RunRequest, unit: WorkUnit): Promise<P>;
  /** Merges partials; callers pass them sorted by unit id so float sums are reproducible. */
  merge(parts: P[]): P;
  /**
   * Optional: the part of `finalize` that does not depend on the units (drift: reading and
   * reducing the baseline history), as bytes. The queue runner runs it as a job of its own beside
   * the units and hands its bytes to `finalize`, which shortens the one serial step of a run. A
   * finalize without them (inline runs, a prepare job that failed, bytes it cannot use) does the
   * same work itself, to the same report.
   */
  prepare?(ctx: PipelineContext, run: RunRequest): Promise<Uint8Array>;
  /** Builds the run report from the merged partial, the unit accounting and, when given, `prepare`'s bytes. */
  finalize(ctx: PipelineContext, run: RunRequest, merged: P, accounting: UnitAccounting, prepared?: Uint8Array): Promise<RunReport>;
}

/** A request to run one pipeline over one window. */
export interface RunRequest {
  /** Deterministic for scheduled runs (`drift-20261123T1400Z-1h`), so duplicates collapse. */
  readonly runId: string;
  readonly pipeline: PipelineName;
  readonly window: TimeWindow;
  /** When the run was requested (epoch ms); reports use the injected clock, not Date.now(). */
  readonly requestedAt: number;
}

/** One unit of fan-out work. */
export interface WorkUnit {
  /** Stable id within the run (e.g. a hash of the object key); safe in a BullMQ job id (no `:`). */
  readonly id: string;
  /** Capture object keys this unit reads. */
  readonly keys: string[];
  /** Bytes to read when known, for progress and ETA. */
  readonly bytes?: number;
}

/** What happened to a run's units; failed units are reported, never silently dropped. */
export interface UnitAccounting {
  planned: number;
  done: number;
  failed: { unitId: string; keys: string[]; error: string }[];
}

export interface ProgressUpdate {
  readonly runId: string;
  readonly unitsDone: number;
  readonly unitsPlanned: number;
  readonly records?: number;
}

/** Everything a pipeline function may touch. Time comes from `now`, never from `Date.now()`. */
export interface PipelineContext {
  readonly config: EvalwatchConfig;
  readonly source: CaptureSource;
  readonly store: ResultsStore;
  readonly now: () => number;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /**
   * Runner hook, called once after a run's report is written (alert routing and delivery).
   * Pipelines never call it. Default: none.
   */
  readonly onReport?: (report: RunReport, reportKey: string) => Promise<void>;
}
