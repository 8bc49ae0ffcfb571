import { join } from 'node:path';
import pino from 'pino';
import { createFsSource } from '../../../src/captures/fs-source.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { writeTrafficFiles } from '../../../src/demo/write.ts';
import { driftPipeline } from '../../../src/drift/pipeline.ts';
import { runInline } from '../../../src/pipeline/run-inline.ts';
import { runReportKey } from '../../../src/pipeline/run-keys.ts';
import type { PipelineContext, RunRequest } from '../../../src/pipeline/types.ts';
import type { RunReport } from '../../../src/report/types.ts';
import { createFsStore } from '../../../src/store/fs-store.ts';

export const HOUR = 3_600_000;
/** End of the generated traffic: a Monday afternoon. */
export const END = Date.UTC(2026, 10, 23, 14);

/** What {@link buildDriftReport} produced. */
export interface BuiltReport {
  readonly report: RunReport;
  /** Results-store key of report.json (report.html is beside it). */
  readonly key: string;
  readonly ctx: PipelineContext;
  readonly resultsDir: string;
}

/**
 * Real pipeline output for the HTML report tests: two days of demo traffic whose last hour
 * carries large injected changes (longer answers, slower first tokens and refusals ×12 on
 * `answer`, a language shift on `chat`, 5× traffic on `summarize`), then the drift pipeline: a
 * backfill run over the history, one hourly run over the last hour. The changes are large
 * enough to fire at once (no hysteresis wait), so the report holds numeric, rate, categorical
 * and sigma findings.
 *
 * @example
 * const { report, key, ctx } = await buildDriftReport(tmpDir);
 */
export async function buildDriftReport(dir: string, days = 2): Promise<BuiltReport> {
  const from = END - HOUR;
  await writeTrafficFiles({
    dir: join(dir, 'captures'),
    start: END - days * 24 * HOUR,
    end: END,
    seed: 11,
    callsPerHour: 260,
    injections: [
      { kind: 'output_length', route: 'answer', from, factor: 1.8 },
      { kind: 'ttft', route: 'answer', from, factor: 3 },
      { kind: 'refusal_rate', route: 'answer', from, factor: 12 },
      { kind: 'language_mix', route: 'chat', from, language: 'ja', share: 0.6 },
      { kind: 'volume', route: 'summarize', from, factor: 5 },
    ],
  });
  const config = configSchema.parse({});
  const resultsDir = join(dir, 'results');
  const ctx: PipelineContext = {
    config,
    source: createFsSource({ root: join(dir, 'captures') }),
    store: createFsStore({ root: resultsDir, fsync: false }),
    now: () => END + 5 * 60_000,
    logger: pino({ level: 'silent' }),
  };
  const run = (start: number, end: number): RunRequest => ({ runId: `drift-${new Date(end).toISOString().slice(0, 13)}-${(end - start) / HOUR}h`, pipeline: 'drift', window: { start, end }, requestedAt: end + 5 * 60_000 });
  await runInline(ctx, driftPipeline, run(END - days * 24 * HOUR, from));
  const last = run(from, END);
  const { report } = await runInline(ctx, driftPipeline, last);
  return { report, key: runReportKey(last), ctx, resultsDir };
}
