import type { RunReport } from '../report/types.ts';
import { mergeAllGroups } from './fan-in.ts';
import { claimPlan, finishRun, recordsOf } from './run-core.ts';
import type { Pipeline, PipelineContext, ProgressUpdate, RunRequest, WorkUnit } from './types.ts';

/** Options of {@link runInline}. */
export interface RunInlineOptions {
  /** Units processed at the same time in this process. Default 4. */
  readonly concurrency?: number;
  /** Tries per unit before it is accounted as failed (the first included). Default 3. */
  readonly attempts?: number;
  /** Delay before the first retry (ms), doubling after each. Default 500. */
  readonly backoffMs?: number;
  /**
   * Units a run may have before it merges in two levels, as the queue runner would (a run planned
   * earlier keeps the grouping in its record). Default `queue.maxFanIn` of the config, else 16.
   */
  readonly maxFanIn?: number;
  /** Called after every unit, done or failed. Default: none. */
  readonly onProgress?: (update: ProgressUpdate & { unitsFailed: number }) => void;
}

/** What {@link runInline} returns. */
export interface InlineRunResult {
  readonly report: RunReport;
  /** `true` when the report already existed and nothing was run. */
  readonly alreadyFinished: boolean;
}

/**
 * Runs a pipeline in this process without Redis: plan → processUnit × N (bounded concurrency,
 * retries with backoff) → merge in unit-id order → finalize → `report.json`. The same functions
 * as the queue runner, so a laptop, a plain cron or a CI job gets the report a worker fleet would.
 * A unit that exhausts its attempts is reported in the accounting, never dropped. Honours
 * `ctx.signal`: an abort stops taking new units and rejects.
 *
 * @example
 * const { report } = await runInline(ctx, await getPipeline('drift'), run, { concurrency: 2 });
 * console.log(report.status);
 */
export async function runInline<P>(ctx: PipelineContext, pipeline: Pipeline<P>, run: RunRequest, options: RunInlineOptions = {}): Promise<InlineRunResult> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 500;
  const maxFanIn = options.maxFanIn ?? ctx.config.queue.maxFanIn;
  const claim = await claimPlan(ctx, pipeline, run, maxFanIn !== undefined ? { maxFanIn } : {});
  if (claim.state === 'finished') return { report: claim.report, alreadyFinished: true };
  const units = claim.record.units;
  const partials = new Map<string, P>();
  const failures = new Map<string, string>();
  let records = 0;
  let next = 0;

  const report = () =>
    options.onProgress?.({
      runId: run.runId,
      unitsDone: partials.size + failures.size,
      unitsPlanned: units.length,
      records,
      unitsFailed: failures.size,
    });

  const runUnit = async (unit: WorkUnit): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      ctx.signal?.throwIfAborted();
      try {
        const partial = await pipeline.processUnit(ctx, run, unit);
        partials.set(unit.id, partial);
        records += recordsOf(partial) ?? 0;
        return;
      } catch (err) {
        if (ctx.signal?.aborted) throw err;
        if (attempt >= attempts) {
          failures.set(unit.id, errorText(err));
          ctx.logger.warn({ runId: run.runId, unitId: unit.id, attempts, err: errorText(err) }, 'unit failed after all attempts');
          return;
        }
        await sleep(backoffMs * 2 ** (attempt - 1), ctx.signal);
      }
    }
  };

  const lane = async (): Promise<void> => {
    while (next < units.length) {
      const unit = units[next++] as WorkUnit;
      await runUnit(unit);
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(units.length, 1)) }, lane));
  ctx.signal?.throwIfAborted();
  const final = await finishRun(ctx, pipeline, run, mergeAllGroups(pipeline, claim.record, partials, failures));
  return { report: final, alreadyFinished: false };
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
