import type { Command } from 'commander';
import { withConfigOption } from '../options.ts';
import type { AddOptions } from './silence-actions.ts';

// The actions are loaded on use: the config loader, the store and alert state are not needed by
// `--help` and the other commands.
const actions = () => import('./silence-actions.ts');

/** `evalwatch silence add|list|expire`: silences with an expiry, kept in the results store. */
export function register(program: Command): void {
  const silence = program.command('silence').description('silence alerts for a while (every silence has an expiry)');

  withConfigOption(
    silence
      .command('add')
      .description('silence matching findings until the duration passes')
      .option('--kind <glob>', 'finding kind, e.g. "drift.*" (default: any)')
      .option('--route <glob>', 'route (default: any)')
      .option('--subject <glob>', 'feature, metric or suite (default: any)')
      .option('--fingerprint <id>', 'one exact finding fingerprint')
      .requiredOption('--for <duration>', 'how long, e.g. 4h, 2d')
      .option('--comment <text>', 'why, shown to whoever wonders why nothing fired'),
  ).action(async (opts: AddOptions) => {
    await (await actions()).addSilence(opts);
  });

  withConfigOption(silence.command('list').description('active silences')).action(async (opts: { config?: string }) => {
    await (await actions()).listActiveSilences(opts);
  });

  withConfigOption(silence.command('expire').argument('<id>', 'silence id').description('end a silence now')).action(
    async (id: string, opts: { config?: string }) => {
      await (await actions()).expireSilenceNow(id, opts);
    },
  );
}
