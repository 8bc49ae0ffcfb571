import type { Command } from 'commander';
import { pipelineNames } from '../../pipeline/registry.ts';
import { withConfigOption } from '../options.ts';
import type { RunOptions } from './run-action.ts';

// The action is loaded on use, so `--help` and the other commands do not import the queue
// client (bullmq, ioredis), the pipelines and alerting.
const action = () => import('./run-action.ts');

/**
 * `evalwatch run <pipeline>`: enqueues a run into the running workers and waits with a live
 * progress line on stderr (or runs it in this process with `--inline`, no Redis), then prints the
 * report summary (or `--json`) and exits with DESIGN §5 codes: 0 the run measured (a drift run
 * exits 0 whatever it found: findings go to alerts), 1 a confirmed regression (golden), 2
 * unmeasurable or failed, 3 a configuration or usage error.
 */
export function register(program: Command): void {
  withConfigOption(
    program
      .command('run')
      .argument('<pipeline>', `one of ${pipelineNames.join(', ')}`)
      .description('run a pipeline now, for a window (in the workers, or --inline in this process)')
      .option('--inline', 'run in this process, without Redis')
      .option('--window <duration>', 'window length, e.g. 1h, 24h, 7d (default: the schedule of this pipeline, else 24h)')
      .option('--end <iso>', 'window end, RFC 3339 with a zone (default: now, rounded down to the hour)')
      .option('--rerun', 'run again even if a report for this window exists (a new run id)')
      .option('--no-wait', 'enqueue and return at once (not with --inline)')
      .option('--json', 'print the report JSON on stdout instead of the summary'),
  ).action(async function (this: Command, name: string, opts: RunOptions) {
    await (await action()).runCommand(this, name, opts);
  });
}
