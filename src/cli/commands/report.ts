import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { findReport, summarizeReport } from '../../report/find.ts';
import { createStore } from '../../runtime/context.ts';
import { ExitCode, setExitCode } from '../exit-codes.ts';
import { withConfigOption } from '../options.ts';

/** `evalwatch report <run-id|latest>`: prints a run report's summary, or its JSON. */
export function register(program: Command): void {
  withConfigOption(
    program
      .command('report')
      .argument('<run-id>', 'a run id, or "latest"')
      .option('--json', 'print the report JSON instead of the summary')
      .description('print a run report (summary, or --json)'),
  ).action(async function (this: Command, runId: string, opts: { config?: string; json?: boolean }) {
    const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
    const store = createStore(config);
    const found = await findReport(store, runId);
    if (!found) {
      process.stderr.write(`evalwatch: no report for run "${runId}" in ${store.describe()}\n`);
      setExitCode(this, ExitCode.configError);
      return;
    }
    process.stdout.write(opts.json ? `${JSON.stringify(found.report, null, 2)}\n` : summarizeReport(found.report, store.locate(found.key)));
  });
}
