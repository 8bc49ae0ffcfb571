import type { Command } from 'commander';
import { withConfigOption } from '../options.ts';
import type { DemoOptions } from './demo-action.ts';

// The action is loaded on use: the traffic generator, the pipelines and alerting are not needed
// by `--help` and the other commands.
const action = () => import('./demo-action.ts');

/** `evalwatch demo`: generate sample traffic locally and run the pipelines on it. */
export function register(program: Command): void {
  withConfigOption(
    program
      .command('demo')
      .description('generate realistic sample traffic locally and run the pipelines on it (no cloud account, no API key, no Redis)')
      .option('--dir <path>', 'folder the demo owns (its captures/ and results/ are replaced)', '.evalwatch/demo')
      .option('--end <iso>', 'end of the generated traffic (default: now, rounded down to the hour)')
      .option('--days <n>', 'days of traffic', '8')
      .option('--seed <n>', 'seed of the traffic generator', '7'),
  ).action(async function (this: Command, opts: DemoOptions) {
    await (await action()).demoCommand(this, opts);
  });
}
