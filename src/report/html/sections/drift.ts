import type { Finding } from '../../types.ts';
import { ecdfSpec, isQuantileChart, type BandSpec, type BarsSpec } from '../charts.ts';
import { escapeHtml } from '../escape.ts';
import { fmt, fmtP, r4 } from '../format.ts';
import { facts, table } from '../table.ts';
import type { RenderContext, SectionRenderer } from '../types.ts';

/** `current.chart` of a sigma finding: the metric over the windows before it, with its band. */
interface SeriesChart {
  t0: number;
  step: number;
  y: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  expected?: (number | null)[];
}

function isSeriesChart(v: unknown): v is SeriesChart {
  const o = v as SeriesChart | null;
  return !!o && typeof o.t0 === 'number' && typeof o.step === 'number' && Array.isArray(o.y) && Array.isArray(o.lo) && Array.isArray(o.hi) && o.y.length > 0;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const unitOf = (f: Finding): string => (typeof f.current.unit === 'string' ? f.current.unit : typeof f.baseline.unit === 'string' ? f.baseline.unit : '');

function numericCharts(f: Finding, ctx: RenderContext): string {
  if (!isQuantileChart(f.baseline.chart) || !isQuantileChart(f.current.chart)) return '';
  const unit = unitOf(f);
  const spec = ecdfSpec(
    [
      { label: 'baseline', q: f.baseline.chart },
      { label: 'window', q: f.current.chart },
    ],
    `${f.subject}${unit ? ` (${unit})` : ''}`,
    f.stats.scale === 'log1p',
  );
  return spec ? ctx.charts.add(`${f.subject}: distribution before vs after (ECDF)`, spec) : '';
}

function rateCharts(f: Finding, ctx: RenderContext): string {
  const perRoute = f.stats.perRoute;
  if (Array.isArray(perRoute) && perRoute.length > 0) {
    const rows = perRoute.filter((r): r is { route: string; baselineRate: number; windowRate: number } => !!r && typeof r === 'object' && typeof (r as { route?: unknown }).route === 'string');
    const spec: BarsSpec = {
      type: 'bars',
      categories: rows.map((r) => r.route),
      series: [
        { label: 'baseline', y: rows.map((r) => r4(num(r.baselineRate))) },
        { label: 'window', y: rows.map((r) => r4(num(r.windowRate))) },
      ],
      percent: true,
      yLabel: f.subject,
    };
    return ctx.charts.add(`${f.subject} by route, before vs after`, spec);
  }
  const b = num(f.baseline.rate);
  const c = num(f.current.rate);
  if (b === null || c === null) return '';
  const spec: BarsSpec = {
    type: 'bars',
    categories: [f.subject],
    series: [
      { label: 'baseline', y: [r4(b)], lo: [r4(num(f.baseline.rateLow))], hi: [r4(num(f.baseline.rateHigh))] },
      { label: 'window', y: [r4(c)], lo: [r4(num(f.current.rateLow))], hi: [r4(num(f.current.rateHigh))] },
    ],
    percent: true,
    yLabel: `${f.subject} (95% Wilson interval)`,
  };
  return ctx.charts.add(`${f.subject}: rate before vs after`, spec);
}

type Share = { label: string; share: number };
const sharesOf = (v: unknown): Share[] =>
  Array.isArray(v) ? v.filter((x): x is Share => !!x && typeof x === 'object' && typeof (x as Share).label === 'string' && typeof (x as Share).share === 'number') : [];

function categoricalCharts(f: Finding, ctx: RenderContext): string {
  const before = sharesOf(f.baseline.top);
  const after = sharesOf(f.current.top);
  const labels = [...new Set([...after.map((s) => s.label), ...before.map((s) => s.label)])].slice(0, 10);
  if (labels.length === 0) return '';
  const at = (list: Share[], l: string) => r4(list.find((s) => s.label === l)?.share ?? 0);
  const spec: BarsSpec = {
    type: 'bars',
    categories: labels,
    series: [
      { label: 'baseline', y: labels.map((l) => at(before, l)) },
      { label: 'window', y: labels.map((l) => at(after, l)) },
    ],
    percent: true,
    yLabel: 'share of calls',
  };
  return ctx.charts.add(`${f.subject}: mix before vs after (top labels)`, spec);
}

function sigmaCharts(f: Finding, ctx: RenderContext): string {
  const c = f.current.chart;
  if (!isSeriesChart(c)) return '';
  const rate = /\.rate$/.test(f.subject);
  const spec: BandSpec = {
    type: 'band',
    x: c.y.map((_, i) => (c.t0 + i * c.step) / 1000),
    y: c.y,
    lo: c.lo,
    hi: c.hi,
    ...(c.expected ? { expected: c.expected } : {}),
    highlight: c.y.length - 1,
    labels: { y: f.subject, band: 'expected band', highlight: 'this window' },
    percent: rate,
  };
  return ctx.charts.add(`${f.subject}: ${f.stats.test === 'sigma_seasonal' ? 'same-hour seasonal' : 'trailing'} expectation band and this window`, spec);
}

interface DriftSection {
  analysedHours?: { start: string; end: string };
  alpha?: number;
  tests?: number;
  breaches?: number;
  outOfPartition?: number;
  flaggedRows?: number;
  baseline?: { hours: number; gaps: number };
  seriesHours?: number;
  firing?: number;
  results?: { kind: string; route: string; subject: string; test: string; pValue: number; qValue?: number; effectRatio: number; n: number; m: number }[];
}

/** The drift section: what was tested against what, and every test with its q-value. */
export const driftSection: SectionRenderer = {
  section: 'drift',
  title: 'Drift',
  kinds: ['drift.'],
  findingCharts(f, ctx) {
    switch (f.kind) {
      case 'drift.numeric':
        return numericCharts(f, ctx);
      case 'drift.rate':
        return rateCharts(f, ctx);
      case 'drift.categorical':
        return categoricalCharts(f, ctx);
      case 'drift.sigma':
        return sigmaCharts(f, ctx);
      default:
        return '';
    }
  },
  render(raw) {
    const s = (raw ?? {}) as DriftSection;
    const head = facts([
      ['analysed hours', s.analysedHours ? `${escapeHtml(s.analysedHours.start)} → ${escapeHtml(s.analysedHours.end)}` : ''],
      ['α (FDR)', fmt(s.alpha)],
      ['tests', fmt(s.tests)],
      ['breaches', fmt(s.breaches)],
      ['firing', fmt(s.firing)],
      ['baseline hours', s.baseline ? `${fmt(s.baseline.hours)} (${fmt(s.baseline.gaps)} gaps)` : ''],
      ['history series hours', fmt(s.seriesHours)],
      ['flagged rows (not population)', fmt(s.flaggedRows)],
      ['out-of-partition rows', fmt(s.outOfPartition)],
    ]);
    const results = [...(s.results ?? [])].sort((a, b) => (a.qValue ?? a.pValue) - (b.qValue ?? b.pValue));
    const rows = results.map((t) => [
      `<code>${escapeHtml(t.kind)}</code>`,
      escapeHtml(t.route),
      escapeHtml(t.subject),
      escapeHtml(t.test),
      fmtP(t.pValue),
      fmtP(t.qValue),
      fmt(t.effectRatio),
      `${fmt(t.n)}${t.m ? ` vs ${fmt(t.m)}` : ''}`,
    ]);
    const all = rows.length
      ? `<details><summary>All ${rows.length} tests, smallest q first</summary>${table(['kind', 'route', 'subject', 'test', 'p', 'q', 'effect / threshold', 'n'], rows, 'tests')}</details>`
      : '';
    return `${head}${all}`;
  },
};
