import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { createContext } from '../../runtime/context.ts';
import { setExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseEndFlag, withConfigOption } from '../options.ts';

// Loaded on use, so `evalwatch --help` and the other commands do not import the golden runner,
// its scorers and the openai SDK.
const actions = () => import('../../golden/run/cli-actions.ts');

interface RunOpts {
  config?: string;
  suite?: string[];
  baseline?: string;
  target?: string;
  json?: boolean;
}

interface AddOpts {
  config?: string;
  fromCapture: string;
  suite?: string;
  window: string;
  end?: string;
}

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
    const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
    const ctx = createContext({ config });
    const { goldenRunId, runGoldenGate } = await actions();
    const code = await runGoldenGate(ctx, {
      runId: goldenRunId(ctx.now()),
      ...(opts.suite ? { suites: opts.suite } : {}),
      ...(opts.baseline ? { baseline: opts.baseline } : {}),
      ...(opts.target ? { target: opts.target } : {}),
      json: opts.json === true,
      out: process.stdout,
      err: process.stderr,
    });
    setExitCode(this, code as ExitCodeValue);
  });

  withConfigOption(golden.command('validate').description('check every suite; prints file:line: message, exits 3 on errors')).action(async function (this: Command, opts: { config?: string }) {
    const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
    const { validateGolden } = await actions();
    setExitCode(this, (await validateGolden(config, process.stdout, process.stderr)) as ExitCodeValue);
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
    const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
    let windowMs: number;
    try {
      windowMs = parseDuration(opts.window);
    } catch (err) {
      throw new ConfigError(`--window: ${(err as Error).message}`);
    }
    const ctx = createContext({ config });
    const end = opts.end !== undefined ? parseEndFlag(opts.end) : ctx.now();
    const { addFromCapture } = await actions();
    const code = await addFromCapture(ctx, { requestId: opts.fromCapture, window: { start: end - windowMs, end }, ...(opts.suite ? { suite: opts.suite } : {}), out: process.stdout, err: process.stderr });
    setExitCode(this, code as ExitCodeValue);
  });
}
