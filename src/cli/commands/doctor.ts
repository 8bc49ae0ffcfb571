import type { Command } from 'commander';
import { withConfigOption } from '../options.ts';

// The action is loaded on use: the checks need the config loader and the stores, which `--help`
// and the other commands do not.
const action = () => import('./doctor-action.ts');

/** `evalwatch doctor`: one line per configured component, ok or a clear reason. */
export function register(program: Command): void {
  withConfigOption(
    program
      .command('doctor')
      .description('check Redis, the results store, the capture source, the judge endpoint and Slack — one line each'),
  ).action(async function (this: Command, opts: { config?: string }) {
    await (await action()).doctorCommand(this, opts);
  });
}
