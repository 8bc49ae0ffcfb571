import os from 'node:os';
import type { Command } from 'commander';
import { createSilence, expireSilence, listSilences } from '../../alerts/state.ts';
import { parseDuration } from '../../config/duration.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { createStore } from '../../runtime/context.ts';
import { withConfigOption } from '../options.ts';

interface AddOptions {
  config?: string;
  kind?: string;
  route?: string;
  subject?: string;
  fingerprint?: string;
  for: string;
  comment?: string;
}

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
    let durationMs: number;
    try {
      durationMs = parseDuration(opts.for);
    } catch (err) {
      throw new ConfigError(`--for: ${(err as Error).message}`);
    }
    if (!opts.kind && !opts.route && !opts.subject && !opts.fingerprint) {
      throw new ConfigError('silence add: name at least one of --kind, --route, --subject, --fingerprint (a silence of everything hides real incidents)');
    }
    const store = createStore((await loadConfig({ ...(opts.config ? { path: opts.config } : {}) })).config);
    const s = await createSilence(
      store,
      {
        ...(opts.kind ? { kind: opts.kind } : {}),
        ...(opts.route ? { route: opts.route } : {}),
        ...(opts.subject ? { subject: opts.subject } : {}),
        ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}),
        durationMs,
        comment: opts.comment ?? '',
        createdBy: os.userInfo().username,
      },
      Date.now(),
    );
    process.stdout.write(`${s.id} until ${new Date(s.expiresAtMs).toISOString()}\n`);
  });

  withConfigOption(silence.command('list').description('active silences')).action(async (opts: { config?: string }) => {
    const store = createStore((await loadConfig({ ...(opts.config ? { path: opts.config } : {}) })).config);
    const active = await listSilences(store, Date.now());
    if (active.length === 0) process.stdout.write('no active silences\n');
    for (const s of active) {
      const what = s.fingerprint ? `fingerprint ${s.fingerprint}` : `kind ${s.kind} route ${s.route} subject ${s.subject}`;
      process.stdout.write(`${s.id}  until ${new Date(s.expiresAtMs).toISOString()}  ${what}${s.comment ? `  — ${s.comment}` : ''}\n`);
    }
  });

  withConfigOption(silence.command('expire').argument('<id>', 'silence id').description('end a silence now')).action(
    async (id: string, opts: { config?: string }) => {
      const store = createStore((await loadConfig({ ...(opts.config ? { path: opts.config } : {}) })).config);
      await expireSilence(store, id);
      process.stdout.write(`${id} expired\n`);
    },
  );
}
