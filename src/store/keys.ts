import { createHash } from 'node:crypto';

/**
 * Builders of the results-store keys of DESIGN §4. Every key is deterministic in its inputs, so a
 * retried job writes the same key (and overwrites) instead of leaving a duplicate. Dates are UTC.
 */

/** A key part that is not a safe single path segment. */
export class KeyError extends Error {
  readonly code = 'STORE_KEY_INVALID';
  override readonly name = 'KeyError';
}

/**
 * Checks that `value` is usable as one key segment: non-empty, no `/` or `\`, not `.` or `..`,
 * no control characters. Returns it unchanged.
 *
 * @example
 * segment('runId', 'drift-20261123T1400Z-1h'); // 'drift-20261123T1400Z-1h'
 * segment('runId', '../x'); // throws KeyError
 */
export function segment(what: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value === '' || value === '.' || value === '..' || /[/\\\u0000-\u001f\u007f]/.test(value)) {
    throw new KeyError(`${what} ${JSON.stringify(value)} cannot be used in a store key (no "/", "\\", "..", control characters, or empty)`);
  }
  return value;
}

/**
 * `YYYY-MM-DD` of an epoch-millisecond instant, in UTC.
 *
 * @example
 * utcDay(Date.UTC(2026, 10, 23, 14)); // '2026-11-23'
 */
export function utcDay(ms: number): string {
  if (!Number.isFinite(ms)) throw new KeyError(`not a valid time: ${ms}`);
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The first 16 hex digits of the SHA-256 of a string: short, stable, and safe in a key.
 *
 * @example
 * shortHash('dt=2026-11-23/hour=14/a.jsonl.gz'); // 16 hex digits
 */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

/**
 * Where a run's report lives: `runs/<YYYY-MM-DD of dayMs>/<run-id>/report.<ext>`. Pass the same
 * instant for every write of one run (`runReportKey` in `src/pipeline/run-keys.ts` passes the
 * window end), so a retried run finds its folder.
 *
 * @example
 * reportKey('drift-20261123T1400Z-1h', Date.UTC(2026, 10, 23, 15), 'json');
 * // 'runs/2026-11-23/drift-20261123T1400Z-1h/report.json'
 */
export function reportKey(runId: string, dayMs: number, ext: 'json' | 'html'): string {
  return `runs/${utcDay(dayMs)}/${segment('runId', runId)}/report.${ext}`;
}

/**
 * The quarantine file of one (run, capture object):
 * `quarantine/dt=<YYYY-MM-DD>/<run-id>-<short sha256 of the object key>.jsonl`. Pass the run's
 * `requestedAt` as `dayMs`, so a retried unit (even one after midnight) overwrites its file.
 *
 * @example
 * quarantineKey(Date.UTC(2026, 10, 23), 'drift-1', 'dt=2026-11-23/hour=14/a.jsonl');
 * // 'quarantine/dt=2026-11-23/drift-1-<16 hex>.jsonl'
 */
export function quarantineKey(dayMs: number, runId: string, objectKey: string): string {
  return `quarantine/dt=${utcDay(dayMs)}/${segment('runId', runId)}-${shortHash(objectKey)}.jsonl`;
}

/**
 * One file of judge results: `scores/dt=<YYYY-MM-DD>/<run-id>[-<part>].jsonl`; `part` (e.g. a
 * unit id) lets fan-out units write their own file without a read-modify-write.
 *
 * @example
 * scoresKey(Date.UTC(2026, 10, 23), 'judge-1', 'u07'); // 'scores/dt=2026-11-23/judge-1-u07.jsonl'
 */
export function scoresKey(dayMs: number, runId: string, part?: string): string {
  const suffix = part === undefined ? '' : `-${segment('part', part)}`;
  return `scores/dt=${utcDay(dayMs)}/${segment('runId', runId)}${suffix}.jsonl`;
}

/**
 * Per-case results of a golden suite run: `golden/<suite>/<run-id>.json`.
 *
 * @example
 * goldenKey('checkout-assistant', 'golden-1'); // 'golden/checkout-assistant/golden-1.json'
 */
export function goldenKey(suite: string, runId: string): string {
  return `golden/${segment('suite', suite)}/${segment('runId', runId)}.json`;
}

/**
 * A per-window aggregate, the history that baselines read:
 * `aggregates/<pipeline>/dt=<YYYY-MM-DD>/hour=<HH>/<name>.json`, keyed by the window's start hour so
 * listing a baseline range is a prefix walk like the capture partitions.
 *
 * @example
 * aggregateKey('drift', Date.UTC(2026, 10, 23, 14), 'route=chat');
 * // 'aggregates/drift/dt=2026-11-23/hour=14/route=chat.json'
 */
export function aggregateKey(pipeline: string, hourStartMs: number, name: string): string {
  const hh = String(new Date(hourStartMs).getUTCHours()).padStart(2, '0');
  return `${aggregatePrefix(pipeline, hourStartMs)}hour=${hh}/${segment('name', name)}.json`;
}

/**
 * The prefix of a pipeline's aggregates, optionally of one day, for `ResultsStore.list`.
 *
 * @example
 * aggregatePrefix('drift'); // 'aggregates/drift/'
 * aggregatePrefix('drift', Date.UTC(2026, 10, 23)); // 'aggregates/drift/dt=2026-11-23/'
 */
export function aggregatePrefix(pipeline: string, dayMs?: number): string {
  const base = `aggregates/${segment('pipeline', pipeline)}/`;
  return dayMs === undefined ? base : `${base}dt=${utcDay(dayMs)}/`;
}
