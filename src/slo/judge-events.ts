import { HOUR } from '../captures/partitions.ts';
import { utcDay } from '../store/keys.ts';
import type { ResultsStore } from '../store/types.ts';
import { BUCKET_MS } from './cells.ts';
import type { EventSeries } from './burn.ts';
import { routeMatcher } from './classify.ts';
import type { SloConfig } from './slo-config.ts';

/**
 * Quality SLOs read the judge's results (`scores/dt=<day>/…jsonl`, one judgment per line) rather
 * than captures: each scored population item of the SLO's rubric and routes is one event, good
 * when its dimension passes (or meets `atLeast` / `atMost`), weighted by its Horvitz–Thompson
 * weight (capture weight / selection probability). Unmeasured judgments, flagged captures and
 * abstentions (`applicable: false`) are not events. An item judged by several runs counts once.
 */

type JudgeSlo = Extract<SloConfig, { kind: 'judge' }>;

/** The fields of a score line this module reads. */
interface ScoreLine {
  rubric?: string;
  route?: string;
  id?: string;
  population?: boolean;
  weight?: number;
  ts?: string;
  status?: string;
  scores?: Record<string, { value?: unknown; pass?: boolean; applicable?: boolean }>;
}

/** A judge SLO's events, and how many score lines were not events. */
export interface JudgeEvents {
  series: EventSeries;
  events: number;
  skipped: number;
  /** request_ids and times of bad events, newest first. */
  bad: { id: string; ts: number }[];
}

const decoder = new TextDecoder();

/**
 * Reads every score line judged in the UTC days that overlap `[from, to]` (plus the day after `to`:
 * a nightly judge run writes the day after the traffic it judges).
 *
 * @example
 * const lines = await readScoreLines(store, end - 30 * 86_400_000, end);
 */
export async function readScoreLines(store: ResultsStore, from: number, to: number): Promise<ScoreLine[]> {
  const out: ScoreLine[] = [];
  for (let d = Math.floor(from / (24 * HOUR)) * 24 * HOUR; d <= to + 24 * HOUR; d += 24 * HOUR) {
    for await (const key of store.list(`scores/dt=${utcDay(d)}/`)) {
      if (!key.endsWith('.jsonl')) continue;
      const bytes = await store.get(key);
      if (!bytes) continue;
      for (const line of decoder.decode(bytes).split('\n')) {
        if (!line.trim()) continue;
        try {
          out.push(JSON.parse(line) as ScoreLine);
        } catch {
          // A damaged line is not an event; the judge report accounts for its own output.
        }
      }
    }
  }
  return out;
}

/**
 * Good/bad events of a judge SLO over `[from, to)` from score lines. History "covers" the hours
 * from the first to the last judged item (judging is sampled: an hour without judged items inside
 * that span is zero events, not a gap).
 *
 * @example
 * const { series } = judgeEvents(slo, lines, end - 30 * 86_400_000, end);
 */
export function judgeEvents(slo: JudgeSlo, lines: readonly ScoreLine[], from: number, to: number): JudgeEvents {
  const matches = routeMatcher(slo.route);
  const dim = slo.dimension ?? slo.rubric;
  const seen = new Set<string>();
  const buckets = new Map<number, [number, number, number]>();
  const bad: { id: string; ts: number }[] = [];
  let events = 0;
  let skipped = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const l of lines) {
    if (l.rubric !== slo.rubric || typeof l.route !== 'string' || !matches(l.route) || typeof l.id !== 'string') continue;
    const ts = typeof l.ts === 'string' ? Date.parse(l.ts) : NaN;
    if (!(ts >= from && ts < to)) continue;
    const s = l.status === 'scored' && l.population === true ? l.scores?.[dim] : undefined;
    if (!s || s.applicable === false || typeof l.weight !== 'number' || !(l.weight > 0)) {
      skipped++;
      continue;
    }
    if (seen.has(l.id)) continue;
    seen.add(l.id);
    const v = typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? Number(s.value) : undefined;
    let good: boolean;
    if (slo.atLeast !== undefined || slo.atMost !== undefined) {
      if (v === undefined) {
        skipped++;
        continue;
      }
      good = (slo.atLeast === undefined || v >= slo.atLeast) && (slo.atMost === undefined || v <= slo.atMost);
    } else {
      good = s.pass === true;
    }
    const b = Math.floor(ts / BUCKET_MS) * BUCKET_MS;
    const cell = buckets.get(b) ?? [0, 0, 0];
    if (good) cell[0] += l.weight;
    cell[1] += l.weight;
    cell[2] += 1;
    buckets.set(b, cell);
    events++;
    first = Math.min(first, ts);
    last = Math.max(last, ts);
    if (!good) bad.push({ id: l.id, ts });
  }
  const hours = new Set<number>();
  for (let h = Math.floor(first / HOUR) * HOUR; h <= last; h += HOUR) hours.add(h);
  bad.sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : 1));
  return { series: { buckets, hours }, events, skipped, bad };
}
