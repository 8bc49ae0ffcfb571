import path from 'node:path';
import type { Command } from 'commander';
import { HOUR } from '../../captures/partitions.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { DEMO_CONFIG_FILE, runDemo } from '../../demo/run-demo.ts';
import { exitCodeForReport } from '../../pipeline/run-core.ts';
import { summarizeReport } from '../../report/find.ts';
import { createLogger } from '../../runtime/logger.ts';
import { setExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseEndFlag } from '../options.ts';

/** Flags of `evalwatch demo` (see `demo.ts` for their help and defaults). */
export interface DemoOptions {
  config?: string;
  dir: string;
  end?: string;
  days: string;
  seed: string;
}

/**
 * The body of `evalwatch demo`, loaded only when the command runs (the traffic generator, the
 * pipelines and alerting).
 *
 * @example
 * .action(async function (this: Command, opts) { await (await import('./demo-action.ts')).demoCommand(this, opts); })
 */
export async function demoCommand(command: Command, opts: DemoOptions): Promise<void> {
  const loaded = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  const end = opts.end === undefined ? Math.floor(Date.now() / HOUR) * HOUR : parseEndFlag(opts.end);
  if (end % HOUR !== 0) throw new ConfigError(`--end: expected an RFC 3339 time on the hour, e.g. 2026-11-23T14:00:00Z, got "${opts.end}"`);
  const days = Number(opts.days);
  if (!Number.isInteger(days) || days < 2) throw new ConfigError(`--days: expected a whole number ≥ 2, got "${opts.days}"`);
  const { reports } = await runDemo({
    dir: path.resolve(opts.dir),
    end,
    days,
    seed: Number(opts.seed),
    config: loaded.config,
    logger: createLogger({ level: process.env.EVALWATCH_LOG_LEVEL ?? 'warn' }),
  });
  const last = reports.filter((r) => r.run.pipeline === 'drift').at(-1);
  if (!last) return;
  process.stdout.write(`\n${summarizeReport(last.report, last.location)}`);
  const demoConfig = path.relative(process.cwd(), path.join(path.resolve(opts.dir), DEMO_CONFIG_FILE)) || DEMO_CONFIG_FILE;
  process.stdout.write(
    `\nOpen the report: ${last.location.replace(/\.json$/, '.html')}\n` +
      `Go on with the demo's data (its config is ${demoConfig}):\n` +
      `  npx evalwatch report latest --open -c ${demoConfig}\n` +
      `  npx evalwatch run slo --inline --window 24h -c ${demoConfig}\n` +
      `  npx evalwatch golden run -c ${demoConfig}\n` +
      'Alerts went to the console and the demo folder: the demo never posts to Slack.\n',
  );
  setExitCode(command, exitCodeForReport(last.report) as ExitCodeValue);
}
