import { escapeHtml } from './escape.ts';
import { r4 } from './format.ts';

/**
 * Chart specifications: plain data the page's script (`client.js`) hands to uPlot. All the
 * arithmetic (ECDF steps, bands, whiskers) happens here, in TypeScript, so the browser only draws.
 */

/** Before/after distributions as two ECDFs on one shared, ascending x axis. */
export interface EcdfSpec {
  type: 'ecdf';
  /** Values (ascending). */
  x: number[];
  series: { label: string; y: (number | null)[] }[];
  xLabel: string;
  /** Log x axis (skewed features with positive values). */
  log: boolean;
}

/** Grouped bars (before/after per category), optionally with interval whiskers. */
export interface BarsSpec {
  type: 'bars';
  categories: string[];
  series: { label: string; y: (number | null)[]; lo?: (number | null)[]; hi?: (number | null)[] }[];
  /** Values are shares: the axis shows percentages. */
  percent: boolean;
  yLabel: string;
}

/** A time series with an expected band (or interval) and one highlighted point. */
export interface BandSpec {
  type: 'band';
  /** Epoch seconds, ascending. */
  x: number[];
  y: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  /** Expected value per point, drawn dashed (sigma windows). Optional. */
  expected?: (number | null)[];
  /** Index of the point that alerted (or the current run), drawn large. -1 for none. */
  highlight: number;
  labels: { y: string; band: string; highlight: string };
  percent: boolean;
}

export type ChartSpec = EcdfSpec | BarsSpec | BandSpec;

/** Collects the charts of one page; each gets an element id and its spec goes into the data block. */
export class ChartRegistry {
  readonly specs: Record<string, ChartSpec> = {};
  private next = 0;

  /**
   * Registers a chart and returns its container element (title escaped).
   *
   * @example
   * html += charts.add('Output tokens, before vs after', ecdfSpec(...));
   */
  add(title: string, spec: ChartSpec): string {
    const id = `chart-${++this.next}`;
    this.specs[id] = spec;
    return `<figure class="chart-box"><figcaption>${escapeHtml(title)}</figcaption><div class="chart" id="${id}" data-chart="${spec.type}"></div></figure>`;
  }

  get count(): number {
    return this.next;
  }
}

/** Quantile levels and values of one side of a numeric drift finding (`baseline.chart`). */
export interface QuantileChart {
  /** Probability levels, ascending in [0, 1]. */
  p: number[];
  /** The value at each level (non-decreasing). */
  x: number[];
}

/** True when `v` looks like a {@link QuantileChart}. */
export function isQuantileChart(v: unknown): v is QuantileChart {
  const o = v as QuantileChart | null;
  return !!o && Array.isArray(o.p) && Array.isArray(o.x) && o.p.length === o.x.length && o.p.length > 1;
}

/**
 * Two quantile functions as ECDFs on their union of values: at each x the share of mass at or
 * below it (the largest level whose quantile is ≤ x; 0 before the first).
 *
 * @example
 * ecdfSpec([{ label: 'baseline', q: base }, { label: 'window', q: cur }], 'chars', true);
 */
export function ecdfSpec(sides: { label: string; q: QuantileChart }[], xLabel: string, log = false): EcdfSpec | undefined {
  // Rounded first, so the shared axis has no near-duplicate values; the page shows 4 digits anyway.
  const rounded = sides.map((s) => s.q.x.map((v) => r4(v)));
  const xs = [...new Set(rounded.flat().filter((v): v is number => v !== null))].sort((a, b) => a - b);
  if (xs.length < 2) return undefined;
  const series = sides.map((s, i) => {
    const qx = rounded[i] as (number | null)[];
    let j = -1;
    const y = xs.map((x) => {
      while (j + 1 < qx.length && (qx[j + 1] ?? Infinity) <= x) j++;
      return j < 0 ? 0 : r4(s.q.p[j] as number);
    });
    return { label: s.label, y };
  });
  return { type: 'ecdf', x: xs, series, xLabel, log: log && (xs[0] as number) > 0 };
}
