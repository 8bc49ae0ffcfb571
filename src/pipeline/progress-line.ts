/** One progress observation of a run. */
export interface ProgressSample {
  readonly runId: string;
  readonly phase: string;
  readonly unitsDone: number;
  readonly unitsPlanned: number;
  readonly unitsFailed: number;
  readonly records: number;
}

/**
 * A one-line progress summary with an ETA extrapolated from the units finished so far
 * (`elapsedMs` comes from the caller's clock).
 *
 * @example
 * formatProgress({ runId: 'drift-…', phase: 'running', unitsDone: 5, unitsPlanned: 20, unitsFailed: 0, records: 51200 }, 10_000);
 * // 'drift-… running · units 5/20 · 51,200 records · 10 s elapsed · ETA 30 s'
 */
export function formatProgress(s: ProgressSample, elapsedMs: number): string {
  const parts = [`${s.runId} ${s.phase}`];
  if (s.unitsPlanned > 0) parts.push(`units ${s.unitsDone}/${s.unitsPlanned}${s.unitsFailed ? ` (${s.unitsFailed} failed)` : ''}`);
  parts.push(`${s.records.toLocaleString('en-US')} records`);
  parts.push(`${formatSeconds(elapsedMs)} elapsed`);
  const finished = s.unitsDone + s.unitsFailed;
  if (finished > 0 && s.unitsPlanned > finished) parts.push(`ETA ${formatSeconds((elapsedMs / finished) * (s.unitsPlanned - finished))}`);
  return parts.join(' · ');
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
