import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { addFromCapture, goldenRunId, runGoldenGate, validateGolden } from '../../golden/run/cli-actions.ts';
import { createContext } from '../../runtime/context.ts';
import { setExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseEndFlag } from '../options.ts';

/** Flags of `evalwatch golden run` (see `golden.ts` for their help). */
export interface RunOpts {
  config?: string;
  suite?: string[];
  baseline?: string;
  target?: string;
  json?: boolean;
}

/** Flags of `evalwatch golden add` (see `golden.ts` for their help and defaults). */
export interface AddOpts {
  config?: string;
  fromCapture: string;
  suite?: string;
  window: string;
  end?: string;
}

/**
 * `evalwatch golden run`, loaded only when a golden command runs (the golden runner, its scorers
 * and the openai SDK). Reports the gate's exit code on `command`.
 *
 * @example
 * .action(async function (this: Command, opts) { await (await import('./golden-actions.ts')).goldenRun(this, opts); })
 */
export async function goldenRun(command: Command, opts: RunOpts): Promise<void> {
  const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  const ctx = createContext({ config });
  const code = await runGoldenGate(ctx, {
    runId: goldenRunId(ctx.now()),
    ...(opts.suite ? { suites: opts.suite } : {}),
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...(opts.target ? { target: opts.target } : {}),
    json: opts.json === true,
    out: process.stdout,
    err: process.stderr,
  });
  setExitCode(command, code as ExitCodeValue);
}

/**
 * `evalwatch golden validate`: prints `file:line: message` per problem, exit 3 on errors.
 *
 * @example
 * await goldenValidate(command, {});
 */
export async function goldenValidate(command: Command, opts: { config?: string }): Promise<void> {
  const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  setExitCode(command, (await validateGolden(config, process.stdout, process.stderr)) as ExitCodeValue);
}

/**
 * `evalwatch golden add --from-capture <request_id>`: appends the capture to a suite as a case.
 *
 * @example
 * await goldenAdd(command, { fromCapture: 'req-42', window: '7d' });
 */
export async function goldenAdd(command: Command, opts: AddOpts): Promise<void> {
  const { config } = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  let windowMs: number;
  try {
    windowMs = parseDuration(opts.window);
  } catch (err) {
    throw new ConfigError(`--window: ${(err as Error).message}`);
  }
  const ctx = createContext({ config });
  const end = opts.end !== undefined ? parseEndFlag(opts.end) : ctx.now();
  const code = await addFromCapture(ctx, { requestId: opts.fromCapture, window: { start: end - windowMs, end }, ...(opts.suite ? { suite: opts.suite } : {}), out: process.stdout, err: process.stderr });
  setExitCode(command, code as ExitCodeValue);
}
