import { HOUR } from '../captures/partitions.ts';
import { aggregateKey, aggregatePrefix } from '../store/keys.ts';
import type { ResultsStore } from '../store/types.ts';
import type { HistoryPoint, QualityCell } from './regression.ts';

/** One run's quality cells, as stored under `aggregates/judge/`. */
export interface JudgeAggregate {
  readonly v: 1;
  readonly runId: string;
  readonly windowStart: number;
  readonly windowHours: number;
  readonly cells: QualityCell[];
}

const decoder = new TextDecoder();
const DAY = 24 * HOUR;

const nameFor = (windowHours: number) => `quality-${windowHours}h`;

/**
 * Stores a run's cells keyed by its window, so a re-run of the same window replaces them.
 *
 * @example
 * await saveAggregate(store, { v: 1, runId, windowStart, windowHours: 24, cells });
 */
export async function saveAggregate(store: ResultsStore, agg: JudgeAggregate): Promise<void> {
  const hour = Math.floor(agg.windowStart / HOUR) * HOUR;
  await store.put(aggregateKey('judge', hour, nameFor(agg.windowHours)), JSON.stringify(agg), { contentType: 'application/json' });
}

/**
 * Earlier runs' cells with the same window length, from `days` before `before` up to it, as a
 * lookup by cell (fingerprint, rubric, route, dimension, metric).
 *
 * @example
 * const historyOf = await loadHistory(store, run.window.start, 28, 24);
 * historyOf(cell); // [{ at, estimate, se, n }, …]
 */
export async function loadHistory(store: ResultsStore, before: number, days: number, windowHours: number): Promise<(cell: QualityCell) => HistoryPoint[]> {
  const from = before - days * DAY;
  const suffix = `/${nameFor(windowHours)}.json`;
  const map = new Map<string, HistoryPoint[]>();
  for await (const key of store.list(aggregatePrefix('judge'))) {
    if (!key.endsWith(suffix)) continue;
    const m = /dt=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})\//.exec(key);
    if (!m) continue;
    const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
    if (at < Math.floor(from / HOUR) * HOUR || at >= before) continue;
    const bytes = await store.get(key);
    if (!bytes) continue;
    let agg: JudgeAggregate;
    try {
      agg = JSON.parse(decoder.decode(bytes)) as JudgeAggregate;
    } catch {
      continue;
    }
    if (agg.v !== 1 || agg.windowStart >= before) continue;
    for (const c of agg.cells) {
      const k = cellKey(c);
      const list = map.get(k) ?? [];
      list.push({ at: agg.windowStart, estimate: c.estimate, se: c.se, n: c.n });
      map.set(k, list);
    }
  }
  return (cell) => map.get(cellKey(cell)) ?? [];
}

/**
 * The identity of a cell across runs. The fingerprint is part of it: a new judge starts a new series.
 *
 * @example
 * cellKey(cell); // '9f2c…|relevance|checkout|relevance|mean'
 */
export function cellKey(c: Pick<QualityCell, 'fingerprint' | 'rubric' | 'route' | 'dimension' | 'metric'>): string {
  return `${c.fingerprint}|${c.rubric}|${c.route}|${c.dimension}|${c.metric}`;
}
