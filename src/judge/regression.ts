import { benjaminiHochberg, studentTCdf } from '../stats/index.ts';

/** One aggregate cell: a route × rubric dimension metric over one run's window. */
export interface QualityCell {
  readonly fingerprint: string;
  readonly rubric: string;
  readonly route: string;
  readonly dimension: string;
  /** `mean` of an integer score, or `pass_rate`. */
  readonly metric: 'mean' | 'pass_rate';
  readonly estimate: number;
  readonly se: number;
  readonly ci: [number, number];
  readonly n: number;
  readonly nEff: number;
  /** Scale of the metric (max − min score; 1 for rates), to size the minimum effect. */
  readonly scale: number;
}

/** A history point of a cell: one earlier run with the same judge fingerprint. */
export interface HistoryPoint {
  /** Window start of the earlier run (epoch ms). */
  readonly at: number;
  readonly estimate: number;
  readonly se: number;
  readonly n: number;
}

export interface RegressionOptions {
  /** BH level across every tested cell. */
  readonly alpha: number;
  /** Scored captures a cell needs. */
  readonly minN: number;
  /** History points a cell needs. */
  readonly minHistoryDays: number;
  /** Smallest drop worth a finding, as a share of the metric's scale. */
  readonly minEffect: number;
}

export interface RegressionTest {
  readonly cell: QualityCell;
  readonly baseline: { mean: number; sd: number; days: number };
  readonly drop: number;
  readonly t: number;
  readonly pValue: number;
  qValue: number;
  readonly significant: boolean;
}

export interface RegressionResult {
  readonly tests: RegressionTest[];
  /** Cells that could not be tested, and why (`insufficient_data`, `no_history`). */
  readonly unmeasured: { cell: QualityCell; reason: 'insufficient_data' | 'no_history'; detail: string }[];
}

/**
 * Tests each cell's current value against its own history under the same judge fingerprint
 * (trends never compare across judges). The baseline is the earlier runs' values: their mean and
 * their run-to-run spread, which already holds both real daily variation and sampling noise; a
 * current value measured on fewer captures than usual widens the band by its extra variance.
 * The one-sided (drop) p-value uses Student t with D − 1 degrees of freedom, honest when
 * history is short; Benjamini–Hochberg across every cell; a finding needs q < α and a drop of
 * at least `minEffect × scale`.
 *
 * @example
 * const r = qualityRegressions(cells, (c) => history.get(key(c)) ?? [], cfg.regression);
 * r.tests.filter((t) => t.significant);
 */
export function qualityRegressions(
  cells: readonly QualityCell[],
  historyOf: (cell: QualityCell) => readonly HistoryPoint[],
  o: RegressionOptions,
): RegressionResult {
  const tests: RegressionTest[] = [];
  const unmeasured: RegressionResult['unmeasured'] = [];
  for (const cell of cells) {
    if (cell.n < o.minN) {
      unmeasured.push({ cell, reason: 'insufficient_data', detail: `${cell.n} scored captures, ${o.minN} needed` });
      continue;
    }
    const hist = historyOf(cell).filter((h) => h.n >= o.minN && Number.isFinite(h.estimate));
    if (hist.length < o.minHistoryDays) {
      unmeasured.push({ cell, reason: 'no_history', detail: `${hist.length} earlier runs with this judge, ${o.minHistoryDays} needed` });
      continue;
    }
    const d = hist.length;
    const mean = hist.reduce((s, h) => s + h.estimate, 0) / d;
    const sd = Math.sqrt(hist.reduce((s, h) => s + (h.estimate - mean) ** 2, 0) / (d - 1));
    const histSe2 = hist.reduce((s, h) => s + h.se * h.se, 0) / d;
    const extra = Math.max(0, cell.se * cell.se - histSe2);
    // Floor the spread at the current sampling error: identical history must not make any tiny
    // wobble "infinitely significant".
    const spread = Math.max(Math.sqrt(sd * sd * (1 + 1 / d) + extra), cell.se, 1e-9);
    const drop = mean - cell.estimate;
    const t = -drop / spread;
    const pValue = studentTCdf(t, d - 1);
    tests.push({ cell, baseline: { mean, sd, days: d }, drop, t, pValue, qValue: 1, significant: false });
  }
  const q = benjaminiHochberg(tests.map((t) => t.pValue));
  tests.forEach((t, i) => {
    t.qValue = q[i]!;
    (t as { significant: boolean }).significant = t.qValue < o.alpha && t.drop >= o.minEffect * t.cell.scale;
  });
  return { tests, unmeasured };
}
