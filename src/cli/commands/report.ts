import type { Command } from 'commander';
import { withConfigOption } from '../options.ts';
import type { ReportOptions } from './report-action.ts';

// The action is loaded on use: the config loader, the store and the HTML renderer are not
// needed by `--help` and the other commands.
const action = () => import('./report-action.ts');

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
  ).action(async function (this: Command, runId: string, opts: ReportOptions) {
    await (await action()).reportCommand(this, runId, opts);
  });
}
