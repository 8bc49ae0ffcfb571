import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createReportLinker } from '../../alerts/links.ts';
import { loadConfig } from '../../config/load.ts';
import { findReport, summarizeReport } from '../../report/find.ts';
import { findOpener, localReportHtml, openFile } from '../../report/html/open.ts';
import { ensureReportHtml, htmlKeyFor } from '../../report/html/write.ts';
import { createStore } from '../../runtime/context.ts';
import { ExitCode, setExitCode } from '../exit-codes.ts';

/** Flags of `evalwatch report` (see `report.ts` for their help). */
export interface ReportOptions {
  config?: string;
  json?: boolean;
  html?: boolean;
  open?: boolean;
}

/**
 * The body of `evalwatch report <run-id|latest>`, loaded only when the command runs (the config
 * loader, the store and the HTML renderer).
 *
 * @example
 * .action(async function (this: Command, runId, opts) { await (await import('./report-action.ts')).reportCommand(this, runId, opts); })
 */
export async function reportCommand(command: Command, runId: string, opts: ReportOptions): Promise<void> {
  const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  const store = createStore(config);
  const found = await findReport(store, runId);
  if (!found) {
    process.stderr.write(`evalwatch: no report for run "${runId}" in ${store.describe()}\n`);
    setExitCode(command, ExitCode.configError);
    return;
  }
  if (opts.html) {
    const key = await ensureReportHtml(store, found.key, found.report);
    const where = store.locate(key);
    const url = path.isAbsolute(where) ? where : ((await createReportLinker({ store, config: config.alerts })(found.key)) ?? where);
    process.stdout.write(`${url}\n`);
    return;
  }
  if (opts.open) {
    const file = await localReportHtml(store, found.key, found.report, path.join(os.tmpdir(), 'evalwatch-reports'));
    if (await openFile(file, findOpener())) process.stdout.write(`opened ${file}\n`);
    else process.stdout.write(`${file}\n(no xdg-open/open/start on this machine: open the file above in a browser)\n`);
    return;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(found.report, null, 2)}\n`);
    return;
  }
  process.stdout.write(summarizeReport(found.report, store.locate(found.key)));
  process.stdout.write(`  page     ${store.locate(htmlKeyFor(found.key))} (--open to open it)\n`);
}
