import { HOUR } from '../captures/partitions.ts';
import type { ResultsStore } from '../store/types.ts';
import { pendingKey, type AnalysisResult, type HourBuckets } from './analyze.ts';
import type { DriftTest } from './analyze-types.ts';
import { driftFingerprint, emptyHysteresisState, HYSTERESIS_VERSION, type HysteresisState, type Observation } from './hysteresis.ts';


/**
 * Where the hysteresis state of one window length lives: `state/drift/<hours>h.json`. Hourly and
 * daily runs keep separate states, so a manual 24h run does not advance the hourly counters.
 *
 * @example
 * hysteresisKey(3_600_000); // 'state/drift/1h.json'
 */
export function hysteresisKey(windowMs: number): string {
  return `state/drift/${Math.max(1, Math.round(windowMs / HOUR))}h.json`;
}

/**
 * Loads the hysteresis state of a window length; empty when absent or of another version.
 *
 * @example
 * const state = await loadHysteresis(store, 3_600_000);
 */
export async function loadHysteresis(store: ResultsStore, windowMs: number): Promise<HysteresisState> {
  const bytes = await store.get(hysteresisKey(windowMs));
  if (bytes === null) return emptyHysteresisState();
  try {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as HysteresisState;
    return s.v === HYSTERESIS_VERSION ? s : emptyHysteresisState();
  } catch {
    // A corrupt state file loses the counters, not the run: findings start over as pending.
    return emptyHysteresisState();
  }
}

/**
 * Stores the hysteresis state of a window length.
 *
 * @example
 * await saveHysteresis(store, 3_600_000, state);
 */
export async function saveHysteresis(store: ResultsStore, windowMs: number, state: HysteresisState): Promise<void> {
  await store.put(hysteresisKey(windowMs), JSON.stringify(state));
}

/**
 * One hysteresis observation per test of the analysis, with the test kept by fingerprint.
 *
 * @example
 * const { observations, byFingerprint } = driftObservations(analysis);
 */
export function driftObservations(analysis: AnalysisResult): { observations: Observation[]; byFingerprint: Map<string, DriftTest> } {
  const breaches = new Set(analysis.breaches);
  const observations: Observation[] = [];
  const byFingerprint = new Map<string, DriftTest>();
  for (const t of analysis.tests) {
    const fingerprint = driftFingerprint(t.kind, t.route, t.subject);
    byFingerprint.set(fingerprint, t);
    observations.push({ fingerprint, kind: t.kind, route: t.route, subject: t.subject, breach: breaches.has(t), large: analysis.large.has(t) });
  }
  return { observations, byFingerprint };
}

/** Longest episode pooled for a pending subject, in windows (the hysteresis m). */
const MAX_POOLED_WINDOWS_DEFAULT = 3;

/**
 * The pending subjects of a hysteresis state with the earlier hours of their episode, for
 * `AnalysisInput.pending`: hours from the episode start (`since`) up to the window start, at most
 * `maxWindows − 1` earlier hours, taken from `hours` (history already loaded for the baseline).
 *
 * @example
 * const pending = pendingEpisodes(state, windowStart, (h) => baseline.hours.get(h));
 */
export function pendingEpisodes(
  state: HysteresisState,
  windowStart: number,
  hours: (start: number) => HourBuckets | undefined,
  maxWindows = MAX_POOLED_WINDOWS_DEFAULT,
): Map<string, HourBuckets[]> {
  const out = new Map<string, HourBuckets[]>();
  for (const e of Object.values(state.entries)) {
    if (e.status !== 'pending' || e.since === undefined || e.kind === 'drift.sigma') continue;
    const from = Math.max(e.since, windowStart - (maxWindows - 1) * HOUR);
    const earlier: HourBuckets[] = [];
    for (let h = from; h < windowStart; h += HOUR) {
      const b = hours(h);
      if (b) earlier.push(b);
    }
    if (earlier.length > 0) out.set(pendingKey(e.route, e.subject), earlier);
  }
  return out;
}
