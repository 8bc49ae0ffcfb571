import type { RunReport } from '../report/types.ts';
import type { ResultsStore } from '../store/types.ts';
import type { AlertsConfig } from './config.ts';
import { shortHash } from './format.ts';
import type { ActiveSilence } from './policy.ts';
import type { Redactor } from './redact.ts';
import { routeFindings } from './router.ts';
import type { Incident, RouteResult } from './types.ts';

/**
 * Incident state in the results store, one folder per group with numbered versions:
 * `alerts/incidents/<group hash>/<seq>.json`. A new version is written with `putIfAbsent`, so two
 * replicas routing at once cannot both win: the loser re-reads and routes again (a compare-and-set
 * on any store, the local folder as well as S3's conditional PUT). Old versions are pruned.
 */
export const INCIDENTS_PREFIX = 'alerts/incidents/';
export const SILENCES_PREFIX = 'alerts/silences/';
const KEEP_VERSIONS = 3;

const decoder = new TextDecoder();

export interface LoadedIncidents {
  readonly incidents: Incident[];
  /** Latest version number per group key. */
  readonly versions: Map<string, number>;
}

/** A routing pass kept losing the compare-and-set to other writers. */
export class IncidentConflictError extends Error {
  readonly code = 'ALERT_STATE_CONFLICT';
  constructor(readonly attempts: number) {
    super(`alert state: lost the write race ${attempts} times in a row; another replica is routing the same incidents`);
    this.name = 'IncidentConflictError';
  }
}

/** A stored incident does not parse. */
export class IncidentStateError extends Error {
  readonly code = 'ALERT_STATE_INVALID';
  constructor(readonly key: string, cause: unknown) {
    super(`alert state ${key}: not a valid incident (${(cause as Error).message}); move it aside to start that group afresh`, { cause });
    this.name = 'IncidentStateError';
  }
}

function groupFolder(groupKey: string): string {
  return `${INCIDENTS_PREFIX}${shortHash(groupKey, 16)}/`;
}

function versionKey(groupKey: string, seq: number): string {
  return `${groupFolder(groupKey)}${String(seq).padStart(10, '0')}.json`;
}

/**
 * Loads the latest version of every incident group.
 *
 * @example
 * const { incidents } = await loadIncidents(store);
 * incidents.filter((i) => i.status === 'open').length;
 */
export async function loadIncidents(store: ResultsStore): Promise<LoadedIncidents> {
  const latest = new Map<string, { key: string; seq: number }>();
  for await (const key of store.list(INCIDENTS_PREFIX)) {
    const m = /^alerts\/incidents\/([0-9a-f]+)\/(\d{10})\.json$/.exec(key);
    if (!m) continue;
    const seq = Number(m[2]);
    const prev = latest.get(m[1] as string);
    if (!prev || prev.seq < seq) latest.set(m[1] as string, { key, seq });
  }
  const incidents: Incident[] = [];
  const versions = new Map<string, number>();
  for (const { key, seq } of latest.values()) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    let inc: Incident;
    try {
      inc = JSON.parse(decoder.decode(bytes)) as Incident;
      if (inc.v !== 1 || typeof inc.groupKey !== 'string') throw new Error('unknown version');
    } catch (err) {
      throw new IncidentStateError(key, err);
    }
    incidents.push(inc);
    versions.set(inc.groupKey, seq);
  }
  incidents.sort((a, b) => a.groupKey.localeCompare(b.groupKey));
  return { incidents, versions };
}

/**
 * Writes new versions of incidents; resolves the group keys whose write lost a race.
 *
 * @example
 * const lost = await saveIncidents(store, result.incidents, loaded.versions);
 */
export async function saveIncidents(store: ResultsStore, incidents: readonly Incident[], versions: ReadonlyMap<string, number>): Promise<string[]> {
  const lost: string[] = [];
  for (const inc of incidents) {
    const seq = (versions.get(inc.groupKey) ?? 0) + 1;
    const ok = await store.putIfAbsent(versionKey(inc.groupKey, seq), JSON.stringify(inc), { contentType: 'application/json' });
    if (!ok) {
      lost.push(inc.groupKey);
      continue;
    }
    for (let old = seq - KEEP_VERSIONS; old >= 1 && old > seq - KEEP_VERSIONS - 2; old--) await store.delete(versionKey(inc.groupKey, old));
  }
  return lost;
}

export interface RouteAndRecordInput {
  readonly store: ResultsStore;
  readonly runReport: RunReport;
  readonly config: AlertsConfig;
  /** The injected clock. */
  readonly now: () => number;
  /** Results-store key of the report. Default: none. */
  readonly reportKey?: string;
  readonly redactor?: Redactor;
  /** Attempts when another replica writes the same incidents at the same time. Default 5. */
  readonly maxAttempts?: number;
}

/**
 * Routes a run report against the stored incidents and records the outcome: load → route → write
 * with compare-and-set, again on a lost race. Only the actions of versions this call wrote are
 * returned, so two replicas routing the same report deliver it once.
 *
 * @example
 * const { actions } = await routeAndRecord({ store, runReport, config: alerts, now: Date.now });
 * await outbox.enqueue(actions);
 */
export async function routeAndRecord(input: RouteAndRecordInput): Promise<RouteResult> {
  const attemptsLeft = input.maxAttempts ?? 5;
  const loaded = await loadIncidents(input.store);
  const silences = await listSilences(input.store, input.now());
  const result = routeFindings({
    runReport: input.runReport,
    now: input.now(),
    config: input.config,
    incidents: loaded.incidents,
    silences,
    ...(input.redactor ? { redactor: input.redactor } : {}),
    ...(input.reportKey ? { reportKey: input.reportKey } : {}),
  });
  const lost = new Set(await saveIncidents(input.store, result.incidents, loaded.versions));
  if (lost.size === 0) return result;
  if (attemptsLeft <= 1) throw new IncidentConflictError(input.maxAttempts ?? 5);
  // Groups we wrote keep their actions; the lost ones are routed again on fresh state, where the
  // winner's version already holds this report (then nothing more happens) or not yet.
  const again = await routeAndRecord({ ...input, maxAttempts: attemptsLeft - 1 });
  return {
    ...again,
    actions: [...result.actions.filter((a) => !lost.has(a.incident.groupKey)), ...again.actions],
    incidents: [...result.incidents.filter((i) => !lost.has(i.groupKey)), ...again.incidents],
  };
}

/** A silence created with `evalwatch silence`. */
export interface SilenceInput {
  readonly kind?: string;
  readonly route?: string;
  readonly subject?: string;
  readonly fingerprint?: string;
  /** How long, from now (ms). */
  readonly durationMs: number;
  readonly comment?: string;
  readonly createdBy?: string;
}

/**
 * Stores a silence; it ends by itself at its expiry.
 *
 * @example
 * await createSilence(store, { kind: 'drift.*', route: 'chat', durationMs: 2 * 3_600_000, comment: 'model migration' }, Date.now());
 */
export async function createSilence(store: ResultsStore, input: SilenceInput, now: number): Promise<ActiveSilence> {
  if (!(input.durationMs > 0)) throw new RangeError('a silence needs a positive duration');
  const expiresAtMs = now + input.durationMs;
  const id = `sil-${shortHash(`${now}|${input.kind}|${input.route}|${input.subject}|${input.fingerprint}`, 10)}`;
  const silence: ActiveSilence = {
    id,
    kind: input.kind ?? '*',
    route: input.route ?? '*',
    subject: input.subject ?? '*',
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    expiresAt: new Date(expiresAtMs).toISOString(),
    expiresAtMs,
    comment: input.comment ?? '',
    createdBy: input.createdBy ?? 'cli',
  };
  await store.put(`${SILENCES_PREFIX}${id}.json`, JSON.stringify(silence), { contentType: 'application/json' });
  return silence;
}

/**
 * The stored silences still active at `now` (expired ones are deleted on the way).
 *
 * @example
 * const active = await listSilences(store, Date.now());
 */
export async function listSilences(store: ResultsStore, now: number): Promise<ActiveSilence[]> {
  const out: ActiveSilence[] = [];
  for await (const key of store.list(SILENCES_PREFIX)) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    const s = JSON.parse(decoder.decode(bytes)) as ActiveSilence;
    if (s.expiresAtMs > now) out.push(s);
    else await store.delete(key);
  }
  return out;
}

/**
 * Ends a silence now.
 *
 * @example
 * await expireSilence(store, 'sil-0a1b2c3d4e');
 */
export async function expireSilence(store: ResultsStore, id: string): Promise<void> {
  await store.delete(`${SILENCES_PREFIX}${id}.json`);
}
