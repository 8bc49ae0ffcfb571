import type { Logger } from 'pino';
import type { ResultsStore } from '../../store/types.ts';
import type { RunReport } from '../types.ts';
import { renderReportHtml } from './page.ts';

/**
 * The `report.html` key beside a `report.json` key.
 *
 * @example
 * htmlKeyFor('runs/2026-11-23/drift-1/report.json'); // 'runs/2026-11-23/drift-1/report.html'
 */
export function htmlKeyFor(jsonKey: string): string {
  return jsonKey.replace(/\.json$/, '') + '.html';
}

/**
 * Renders and writes `report.html` next to the report's JSON (content type
 * `text/html; charset=utf-8`, which S3 serves to browsers as a page). A rendering or write
 * failure is logged and returns `undefined`: the JSON is the record, the page a view of it, and
 * a broken view must not fail the run.
 *
 * @example
 * await writeReportHtml(ctx.store, key, report, ctx.logger);
 */
export async function writeReportHtml(store: ResultsStore, jsonKey: string, report: RunReport, logger?: Pick<Logger, 'warn'>): Promise<string | undefined> {
  const key = htmlKeyFor(jsonKey);
  try {
    const html = renderReportHtml(report, { jsonLocation: store.locate(jsonKey) });
    await store.put(key, html, { contentType: 'text/html; charset=utf-8' });
    return key;
  } catch (err) {
    logger?.warn({ runId: report.runId, key, err: (err as Error).message }, 'report.html could not be written; report.json is complete');
    return undefined;
  }
}

/**
 * The `report.html` key of a report, writing the page first when it is missing (a report written
 * before HTML reports existed, or whose page failed to render at the time).
 *
 * @example
 * const key = await ensureReportHtml(store, found.key, found.report);
 */
export async function ensureReportHtml(store: ResultsStore, jsonKey: string, report: RunReport): Promise<string> {
  const key = htmlKeyFor(jsonKey);
  if (!(await store.get(key))) await store.put(key, renderReportHtml(report, { jsonLocation: store.locate(jsonKey) }), { contentType: 'text/html; charset=utf-8' });
  return key;
}
