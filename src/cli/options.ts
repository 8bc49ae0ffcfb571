import type { Command } from 'commander';

/** Adds the `--config PATH` option every command that reads the config shares. */
export function withConfigOption(command: Command): Command {
  return command.option('-c, --config <path>', 'worker config file (.ts, .js or .json); default ./worker.config.ts, else the embedded default');
}
