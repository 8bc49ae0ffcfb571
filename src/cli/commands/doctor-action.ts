import type { Command } from 'commander';
import { readEnv } from '../../config/env.ts';
import { loadConfig } from '../../config/load.ts';
import { HOW_TO_CONFIGURE_JUDGE, judgeConfigured } from '../../judge/context.ts';
import { createSource, createStore } from '../../runtime/context.ts';
import { runDoctor } from '../../runtime/doctor.ts';
import { ExitCode, setExitCode } from '../exit-codes.ts';

/**
 * The body of `evalwatch doctor`, loaded only when the command runs: one line per component,
 * exit 2 when any check fails.
 *
 * @example
 * .action(async function (this: Command, opts) { await (await import('./doctor-action.ts')).doctorCommand(this, opts); })
 */
export async function doctorCommand(command: Command, opts: { config?: string }): Promise<void> {
  const loaded = await loadConfig({ ...(opts.config ? { path: opts.config } : {}) });
  const out = process.stdout;
  const env = readEnv();
  out.write(`ok      config    ${loaded.path ?? 'embedded default (no worker.config.ts found)'}\n`);
  const results = await runDoctor({
    env,
    source: createSource(loaded.config),
    store: createStore(loaded.config),
    judge: {
      baseURL: loaded.config.judge.baseURL,
      model: loaded.config.judge.model,
      configured: judgeConfigured(loaded.config.judge.baseURL, env.judgeApiKey),
      howTo: HOW_TO_CONFIGURE_JUDGE,
    },
  });
  for (const r of results) out.write(`${r.status.padEnd(7)} ${r.component.padEnd(9)} ${r.detail}\n`);
  setExitCode(command, results.some((r) => r.status === 'fail') ? ExitCode.unmeasurable : ExitCode.ok);
}
