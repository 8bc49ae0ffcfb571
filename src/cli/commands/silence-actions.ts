import os from 'node:os';
import { createSilence, expireSilence, listSilences } from '../../alerts/state.ts';
import { parseDuration } from '../../config/duration.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { createStore } from '../../runtime/context.ts';

/** Flags of `evalwatch silence add` (see `silence.ts` for their help). */
export interface AddOptions {
  config?: string;
  kind?: string;
  route?: string;
  subject?: string;
  fingerprint?: string;
  for: string;
  comment?: string;
}

/**
 * `evalwatch silence add`: checks the flags, then records a silence in the results store and
 * prints its id and expiry. Loaded only when a silence command runs.
 *
 * @example
 * await addSilence({ kind: 'drift.*', for: '4h' }); // prints "<id> until 2026-…Z"
 */
export async function addSilence(opts: AddOptions): Promise<void> {
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
}

/**
 * `evalwatch silence list`: prints the active silences, one a line.
 *
 * @example
 * await listActiveSilences({}); // "no active silences"
 */
export async function listActiveSilences(opts: { config?: string }): Promise<void> {
  const store = createStore((await loadConfig({ ...(opts.config ? { path: opts.config } : {}) })).config);
  const active = await listSilences(store, Date.now());
  if (active.length === 0) process.stdout.write('no active silences\n');
  for (const s of active) {
    const what = s.fingerprint ? `fingerprint ${s.fingerprint}` : `kind ${s.kind} route ${s.route} subject ${s.subject}`;
    process.stdout.write(`${s.id}  until ${new Date(s.expiresAtMs).toISOString()}  ${what}${s.comment ? `  — ${s.comment}` : ''}\n`);
  }
}

/**
 * `evalwatch silence expire <id>`: ends a silence now.
 *
 * @example
 * await expireSilenceNow('s-1a2b', {}); // "s-1a2b expired"
 */
export async function expireSilenceNow(id: string, opts: { config?: string }): Promise<void> {
  const store = createStore((await loadConfig({ ...(opts.config ? { path: opts.config } : {}) })).config);
  await expireSilence(store, id);
  process.stdout.write(`${id} expired\n`);
}
