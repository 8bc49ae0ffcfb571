import type { Command } from 'commander';

/** Exit codes of every gate-like command (DESIGN §5). */
export const ExitCode = {
  /** Pass: measured, nothing confirmed. */
  ok: 0,
  /** A confirmed regression. */
  regression: 1,
  /** Unmeasurable: too little data, judge unhealthy, coverage below the floor. */
  unmeasurable: 2,
  /** A configuration or suite error (also bad command-line usage). */
  configError: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Lets a command action report its exit code to `main`, which returns it instead of calling
 * `process.exit` while work may still be flushing.
 *
 * @example
 * .action(async function (this: Command) { setExitCode(this, ExitCode.unmeasurable); })
 */
export function setExitCode(command: Command, code: ExitCodeValue): void {
  command.setOptionValue('__exitCode', code);
}
