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
import { withConfigOption } from '../options.ts';

/**
 * `evalwatch report <run-id|latest>`: prints a run report's summary, or its JSON; `--html` prints
 * where its page is (a path on the fs store; `alerts.reportBaseUrl` or a presigned URL on S3),
 * `--open` opens the page (downloaded to a temp file first on S3).
 */
export function register(program: Command): void {
  withConfigOption(
    program
      .command('report')
      .argument('<run-id>', 'a run id, or "latest"')
      .option('--json', 'print the report JSON instead of the summary')
      .option('--html', 'print the path or URL of the report page (report.html)')
      .option('--open', 'open the report page in a browser (xdg-open / open / start); prints its path when none is available')
      .description('print a run report (summary, --json), or show its HTML page (--html, --open)'),
  ).action(async function (this: Command, runId: string, opts: { config?: string; json?: boolean; html?: boolean; open?: boolean }) {
    const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
    const store = createStore(config);
    const found = await findReport(store, runId);
    if (!found) {
      process.stderr.write(`evalwatch: no report for run "${runId}" in ${store.describe()}\n`);
      setExitCode(this, ExitCode.configError);
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
  });
}
