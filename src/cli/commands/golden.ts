import type { Command } from 'commander';
import { withConfigOption } from '../options.ts';
import type { AddOpts, RunOpts } from './golden-actions.ts';

// Loaded on use, so `evalwatch --help` and the other commands do not import the config loader,
// the golden runner, its scorers and the openai SDK.
const actions = () => import('./golden-actions.ts');

/**
 * `evalwatch golden run|validate|add`: the CI gate over golden suites (exit 0 pass, 1 confirmed
 * regression, 2 inconclusive or unmeasurable, 3 suite or config error), suite linting with
 * `file:line: message`, and promoting a production capture to a case for review.
 */
export function register(program: Command): void {
  const golden = program.command('golden').description('golden suites: run the gate in CI, lint suites, promote a capture to a case');

  withConfigOption(
    golden
      .command('run')
      .description('run golden suites and compare each with its last known-good run (exit 0 pass, 1 regression, 2 inconclusive, 3 suite/config error)')
      .option('-s, --suite <name...>', 'only these suites (default: every suite)')
      .option('--baseline <run-id>', 'compare with this run instead of the last known-good one')
      .option('--target <name>', 'run every suite against this target of config.golden.targets')
      .option('--json', 'print the run report JSON instead of the summary'),
  ).action(async function (this: Command, opts: RunOpts) {
    await (await actions()).goldenRun(this, opts);
  });

  withConfigOption(golden.command('validate').description('check every suite; prints file:line: message, exits 3 on errors')).action(async function (this: Command, opts: { config?: string }) {
    await (await actions()).goldenValidate(this, opts);
  });

  withConfigOption(
    golden
      .command('add')
      .description('append a production capture to a suite as a case to review (input, recorded answer as candidate expected, route, tag from-capture)')
      .requiredOption('--from-capture <request_id>', 'the request_id of the capture')
      .option('-s, --suite <name>', 'suite to add to (default: the capture\'s route, else "captured")')
      .option('--window <duration>', 'how far back to look for the capture', '7d')
      .option('--end <iso>', 'end of the search window, RFC 3339 with a zone (default: now)'),
  ).action(async function (this: Command, opts: AddOpts) {
    await (await actions()).goldenAdd(this, opts);
  });
}
