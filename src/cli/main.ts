import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.ts';
import { PipelineUnavailableError } from '../pipeline/registry.ts';
import { ExitCode } from './exit-codes.ts';
import { commandModules } from './commands/index.ts';

/**
 * Builds the `evalwatch` program. Each command module registers itself and reports its exit code
 * through `setExitCode`, so `main` can return it instead of calling `process.exit` mid-flight.
 *
 * @example
 * const program = buildProgram();
 * program.commands.map((c) => c.name()); // ['run', 'worker', 'doctor', 'demo', 'report']
 */
export function buildProgram(): Command {
  const program = new Command('evalwatch')
    .description('Eval-in-prod and drift detection for LLM features: judge, golden sets, drift, SLOs, alerts.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const mod of commandModules) mod.register(program);
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code (DESIGN §5).
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  let code: number = ExitCode.ok;
  program.hook('postAction', (_this, action) => {
    const c = action.getOptionValue('__exitCode') as number | undefined;
    if (typeof c === 'number') code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    return handleError(err);
  }
}

function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    if (err.exitCode === 0) return ExitCode.ok;
    return ExitCode.configError;
  }
  if (err instanceof ConfigError || err instanceof PipelineUnavailableError) {
    process.stderr.write(`evalwatch: ${err.message}\n`);
    return ExitCode.configError;
  }
  const e = err as Error & { code?: string };
  process.stderr.write(`evalwatch: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
  if (process.env.EVALWATCH_DEBUG) process.stderr.write(`${e.stack}\n`);
  // A crash measured nothing: report it as unmeasurable, never as a regression (1) or a pass (0).
  return ExitCode.unmeasurable;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv);
}
