import { createHash } from 'node:crypto';

/**
 * Hysteresis across runs: a drift fires after it breached in k of the last m windows (large
 * effects fire at once) and resolves after `resolveAfter` clean windows in a row. Pure functions
 * over a JSON state, so the pipeline stores it and the benchmark replays it in memory.
 */

export const HYSTERESIS_VERSION = 1;

/**
 * The stable identity of a drift across runs: sha256 of `kind|route|subject`, 16 hex characters.
 *
 * @example
 * driftFingerprint('drift.numeric', 'answer', 'output_tokens'); // '3f1c…' (16 chars)
 */
export function driftFingerprint(kind: string, route: string, subject: string): string {
  return createHash('sha256').update(`${kind}|${route}|${subject}`).digest('hex').slice(0, 16);
}

export type DriftStatus = 'pending' | 'firing' | 'resolved';

/** Per-fingerprint state. */
export interface HysteresisEntry {
  kind: string;
  route: string;
  subject: string;
  status: DriftStatus | 'clear';
  /** Recent windows (end, breached), oldest first, at most the last m window lengths. */
  history: { end: number; breach: boolean }[];
  /** Start of the first breached window of the current episode (epoch ms). */
  since?: number;
  /** When it started firing (the run's clock). */
  firedAt?: number;
  /** Consecutive clean windows while firing. */
  clean: number;
  /** End of the last window applied. */
  lastEnd: number;
  /** The entry as it was before the last window was applied, so re-running that window is idempotent. */
  prev?: Omit<HysteresisEntry, 'prev'> | null;
}

/** The stored state of one window length (hourly runs and daily runs keep separate states). */
export interface HysteresisState {
  v: typeof HYSTERESIS_VERSION;
  updatedAt: number;
  entries: Record<string, HysteresisEntry>;
}

/** One tested subject in this run. */
export interface Observation {
  fingerprint: string;
  kind: string;
  route: string;
  subject: string;
  breach: boolean;
  /** Fires without waiting for k of m. */
  large: boolean;
  /**
   * Windows the test's evidence covers, this one and the ones before it (default 1). A test that
   * pooled the previous window because neither could detect the minimum effect alone observes 2:
   * its breach counts for each covered window that has no conclusive result of its own.
   */
  spans?: number;
}

/** Options of {@link stepHysteresis} (`config.drift`). */
export interface HysteresisOptions {
  /** Fire after k breaches within the last m windows. Default { k: 2, m: 3 }. */
  fireAfter: { k: number; m: number };
  /** Resolve after this many clean windows in a row. Default 3. */
  resolveAfter: number;
}

/** What a fingerprint did in this run. */
export interface Transition {
  status: DriftStatus | 'clear';
  /** The status changed in this run (a new firing, or a resolution). */
  changed: boolean;
  since?: number;
}

/** An empty state. */
export function emptyHysteresisState(): HysteresisState {
  return { v: HYSTERESIS_VERSION, updatedAt: 0, entries: {} };
}

/**
 * Applies one window's observations. Subjects not observed (untestable this run) keep their state:
 * missing data is neither a breach nor a clean window. Re-applying the same window (a retried
 * finalize) gives the same result; an older window than the last applied leaves the state alone.
 *
 * @example
 * const { state, transitions } = stepHysteresis(prev, observations, windowEnd, 3_600_000, config.drift, now());
 * transitions.get(fp)?.status; // 'pending' | 'firing' | 'resolved' | 'clear'
 */
export function stepHysteresis(
  previous: HysteresisState,
  observations: readonly Observation[],
  windowEnd: number,
  windowMs: number,
  opts: HysteresisOptions,
  now: number,
): { state: HysteresisState; transitions: Map<string, Transition> } {
  const entries: Record<string, HysteresisEntry> = {};
  for (const [fp, e] of Object.entries(previous.entries)) entries[fp] = e;
  const transitions = new Map<string, Transition>();
  const { k, m } = opts.fireAfter;

  for (const o of observations) {
    let base: Omit<HysteresisEntry, 'prev'> | undefined = entries[o.fingerprint];
    if (base && base.lastEnd > windowEnd) {
      // A backfill of an older window: report, do not rewrite history.
      transitions.set(o.fingerprint, { status: o.breach ? 'pending' : base.status, changed: false, ...(base.since !== undefined ? { since: base.since } : {}) });
      continue;
    }
    if (base && base.lastEnd === windowEnd) base = (base as HysteresisEntry).prev ?? undefined;
    if (!base && !o.breach) continue;
    const before = base ? stripPrev(base) : undefined;
    const e: HysteresisEntry = before
      ? { ...before, history: [...before.history] }
      : { kind: o.kind, route: o.route, subject: o.subject, status: 'clear', history: [], clean: 0, lastEnd: windowEnd };
    e.history = e.history.filter((h) => h.end > windowEnd - m * windowMs && h.end < windowEnd);
    if (o.breach && (o.spans ?? 1) > 1) {
      // The breach covers earlier windows too; fill those that were never conclusively tested
      // (a recorded clean window stays clean: the pooled test leaned on this window's data).
      for (let j = 1; j < (o.spans as number); j++) {
        const end = windowEnd - j * windowMs;
        if (end > windowEnd - m * windowMs && !e.history.some((h) => h.end === end)) e.history.push({ end, breach: true });
      }
      e.history.sort((x, y) => x.end - y.end);
    }
    e.history.push({ end: windowEnd, breach: o.breach });
    e.lastEnd = windowEnd;
    const breaches = e.history.filter((h) => h.breach).length;
    const wasStatus = e.status;
    if (e.status === 'firing') {
      if (o.breach) e.clean = 0;
      else if (++e.clean >= opts.resolveAfter) {
        e.status = 'resolved';
        e.clean = 0;
      }
    } else if (o.breach && (o.large || breaches >= k)) {
      e.status = 'firing';
      e.firedAt = now;
      e.clean = 0;
    } else if (o.breach) {
      e.status = 'pending';
    } else if (e.status === 'pending' && breaches === 0) {
      e.status = 'clear';
    }
    if (o.breach && (e.since === undefined || wasStatus === 'resolved' || wasStatus === 'clear')) {
      const firstBreach = e.history.find((h) => h.breach);
      e.since = (firstBreach?.end ?? windowEnd) - windowMs;
    }
    if (e.status === 'clear') delete e.since;
    e.prev = before ?? null;
    entries[o.fingerprint] = e;
    transitions.set(o.fingerprint, {
      status: e.status,
      changed: e.status !== wasStatus && (e.status === 'firing' || e.status === 'resolved'),
      ...(e.since !== undefined ? { since: e.since } : {}),
    });
  }
  // Forget subjects with nothing left to remember.
  for (const [fp, e] of Object.entries(entries)) {
    // A clear or resolved subject without a breach in its last m windows carries no information.
    const quiet = (e.status === 'clear' || e.status === 'resolved') && !e.history.some((h) => h.breach && h.end > windowEnd - m * windowMs);
    if (quiet) delete entries[fp];
  }
  const sorted: Record<string, HysteresisEntry> = {};
  for (const fp of Object.keys(entries).sort()) sorted[fp] = entries[fp] as HysteresisEntry;
  return { state: { v: HYSTERESIS_VERSION, updatedAt: now, entries: sorted }, transitions };
}

function stripPrev(e: Omit<HysteresisEntry, 'prev'> | HysteresisEntry): Omit<HysteresisEntry, 'prev'> {
  const { prev: _prev, ...rest } = e as HysteresisEntry;
  return rest;
}
