import type { Command } from 'commander';
import { ConfigError } from '../config/errors.ts';

/** Adds the `--config PATH` option every command that reads the config shares. */
export function withConfigOption(command: Command): Command {
  return command.option('-c, --config <path>', 'worker config file (.ts, .js or .json); default ./worker.config.ts, else the embedded default');
}

/**
 * Parses an `--end` flag: RFC 3339 with a zone (a time without one is ambiguous), else a
 * `ConfigError` (exit 3) that shows the expected form.
 *
 * @example
 * parseEndFlag('2026-11-23T14:00:00Z'); // Date.UTC(2026, 10, 23, 14)
 */
export function parseEndFlag(text: string): number {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim());
  const end = Date.parse(text);
  if (!zoned || !Number.isFinite(end)) throw new ConfigError(`--end: expected an RFC 3339 time with a zone, e.g. 2026-11-23T14:00:00Z, got "${text}"`);
  return end;
}
