import type { Finding } from '../report/types.ts';
import type { HistoryPoint, QualityCell } from './regression.ts';

/**
 * Score trends for the HTML report: each primary quality cell's earlier runs under the same
 * judge fingerprint, then this run, as `[windowStart ms, estimate, se]` (the page draws the 95%
 * interval). Bounded: at most `maxCells` cells (findings' cells first) and `maxPoints` points each.
 */

/** One cell's trend (`sections.judge.trends[]`, and `current.trend` of a `judge.quality` finding). */
export interface JudgeTrend {
  rubric: string;
  route: string;
  dimension: string;
  metric: QualityCell['metric'];
  points: [number, number, number][];
}

/** Options of {@link judgeTrends}. */
export interface TrendOptions {
  /** Most cells with a trend. Default 24. */
  readonly maxCells?: number;
  /** Most points per trend (the newest kept). Default 60. */
  readonly maxPoints?: number;
  /** Cells that must have their trend whatever the cap (the cells of findings). Default: none. */
  readonly first?: readonly QualityCell[];
}

const r6 = (x: number): number => Number(x.toPrecision(6));

/**
 * The trends of the cells that have history: `first` cells, then `*` routes, then the others.
 *
 * @example
 * const trends = judgeTrends(primary, history, run.window.start, { first: significantCells });
 */
export function judgeTrends(cells: readonly QualityCell[], historyOf: (cell: QualityCell) => readonly HistoryPoint[], at: number, options: TrendOptions = {}): JudgeTrend[] {
  const maxCells = options.maxCells ?? 24;
  const maxPoints = options.maxPoints ?? 60;
  const out: JudgeTrend[] = [];
  const first = new Set(options.first ?? []);
  const rank = (c: QualityCell) => (first.has(c) ? 0 : c.route === '*' ? 1 : 2);
  const ordered = [...cells].sort((a, b) => rank(a) - rank(b));
  for (const c of ordered) {
    const hist = historyOf(c).filter((h) => h.at < at && Number.isFinite(h.estimate));
    if (hist.length === 0) continue;
    const points = [...hist]
      .sort((a, b) => a.at - b.at)
      .slice(-(maxPoints - 1))
      .map((h): [number, number, number] => [h.at, r6(h.estimate), r6(h.se)]);
    points.push([at, r6(c.estimate), r6(c.se)]);
    out.push({ rubric: c.rubric, route: c.route, dimension: c.dimension, metric: c.metric, points });
    if (out.length >= maxCells) break;
  }
  return out;
}

/**
 * Puts each `judge.quality` finding's trend on it (`current.trend`); pass the findings' cells as
 * `first` to {@link judgeTrends} so the cap never leaves one out.
 *
 * @example
 * attachTrends(findings, trends);
 */
export function attachTrends(findings: Finding[], trends: readonly JudgeTrend[]): void {
  for (const f of findings) {
    if (f.kind !== 'judge.quality') continue;
    const [rubric, ...dim] = f.subject.split('.');
    const t = trends.find((x) => x.rubric === rubric && x.dimension === dim.join('.') && x.route === f.route);
    if (t) f.current.trend = t;
  }
}
