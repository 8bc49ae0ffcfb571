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
 * One hysteresis observation per tested subject (fingerprint) of the analysis. A subject with
 * several tests (numeric: KS and Mann–Whitney) breaches when any of them does; its representative
 * test is the breaching one with the smallest q (else the smallest p). Inconclusive tests (did not
 * breach, could not detect the minimum effect) are no observation: neither a breach nor a clean
 * window. A breach pooled with the previous hour because the window alone was underpowered, and
 * corroborated by each hour alone, observes `spans: 2`.
 *
 * @example
 * const { observations, byFingerprint } = driftObservations(analysis);
 */
export function driftObservations(analysis: AnalysisResult): { observations: Observation[]; byFingerprint: Map<string, DriftTest> } {
  const breaches = new Set(analysis.breaches);
  const byFingerprint = new Map<string, DriftTest>();
  const conclusive = new Set<string>();
  const rank = (t: DriftTest) => [breaches.has(t) ? 0 : 1, breaches.has(t) ? (t.qValue ?? t.pValue) : t.pValue] as const;
  for (const t of analysis.tests) {
    const fingerprint = driftFingerprint(t.kind, t.route, t.subject);
    if (!analysis.inconclusive?.has(t)) conclusive.add(fingerprint);
    const best = byFingerprint.get(fingerprint);
    if (!best) {
      byFingerprint.set(fingerprint, t);
      continue;
    }
    const [a0, a1] = rank(t);
    const [b0, b1] = rank(best);
    if (a0 < b0 || (a0 === b0 && a1 < b1)) byFingerprint.set(fingerprint, t);
  }
  const observations: Observation[] = [];
  for (const [fingerprint, t] of byFingerprint) {
    if (!conclusive.has(fingerprint)) continue;
    const breach = breaches.has(t);
    const large = breach && analysis.tests.some((x) => analysis.large.has(x) && x.kind === t.kind && x.route === t.route && x.subject === t.subject);
    const spans = breach && t.pooled?.reason === 'power' && t.corroborated ? 1 + t.pooled.hours : 1;
    observations.push({ fingerprint, kind: t.kind, route: t.route, subject: t.subject, breach, large, ...(spans > 1 ? { spans } : {}) });
  }
  return { observations, byFingerprint };
}

/** Longest episode pooled for a pending subject, in windows (the hysteresis m). */
export const MAX_POOLED_WINDOWS_DEFAULT = 3;

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
