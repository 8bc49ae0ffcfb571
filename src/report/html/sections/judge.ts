import type { Finding } from '../../types.ts';
import type { BandSpec, BarsSpec } from '../charts.ts';
import { escapeHtml } from '../escape.ts';
import { fmt, pct, r4 } from '../format.ts';
import { facts, table } from '../table.ts';
import type { RenderContext, SectionRenderer } from '../types.ts';

interface Cell {
  rubric: string;
  route: string;
  dimension: string;
  metric: 'mean' | 'pass_rate';
  estimate: number;
  se: number;
  ci: [number, number];
  n: number;
  nEff?: number;
}

/** One cell's history under the same judge (`sections.judge.trends`, see `src/judge/trends.ts`). */
interface Trend {
  rubric: string;
  route: string;
  dimension: string;
  metric: 'mean' | 'pass_rate';
  /** `[windowStart ms, estimate, se]`, oldest first; the last point is this run. */
  points: [number, number, number][];
}

interface JudgeSection {
  planStatus?: string;
  provider?: string;
  judges?: { name: string; version?: string; descriptor?: { model?: string } }[];
  outputMode?: string;
  servedModels?: string[];
  budget?: { limit?: unknown; spent?: { usd?: number; calls?: number } };
  judgments?: { attempted: number; scored: number; cached: number; unmeasured: Record<string, number> };
  quality?: Cell[];
  trends?: Trend[];
  canaries?: { checks: number; correct: number } | null;
  selfConsistency?: { measured: number; unmeasured: number; flagged: number };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const label = (c: { rubric: string; route: string; dimension: string }) => `${c.rubric}.${c.dimension} @ ${c.route === '*' ? 'all' : c.route}`;

/** 95% normal interval of a history point, the interval the judge reports for its cells. */
function trendSpec(t: Trend, title: string): BandSpec {
  const z = 1.959964;
  return {
    type: 'band',
    x: t.points.map((p) => p[0] / 1000),
    y: t.points.map((p) => r4(p[1])),
    lo: t.points.map((p) => r4(p[1] - z * p[2])),
    hi: t.points.map((p) => r4(p[1] + z * p[2])),
    highlight: t.points.length - 1,
    labels: { y: title, band: '95% interval', highlight: 'this run' },
    percent: t.metric === 'pass_rate',
  };
}

function cellsChart(cells: Cell[], metric: Cell['metric'], ctx: RenderContext): string {
  const list = cells.filter((c) => c.metric === metric).slice(0, 24);
  if (list.length === 0) return '';
  const spec: BarsSpec = {
    type: 'bars',
    // Short labels (the axis has little room): route, and the dimension when it differs from its rubric.
    categories: list.map((c) => `${c.route === '*' ? 'all routes' : c.route}${c.dimension !== c.rubric ? ` · ${c.dimension}` : ''}`),
    series: [{ label: metric === 'mean' ? 'mean score' : 'pass rate', y: list.map((c) => r4(c.estimate)), lo: list.map((c) => r4(c.ci[0])), hi: list.map((c) => r4(c.ci[1])) }],
    percent: metric === 'pass_rate',
    yLabel: metric === 'mean' ? 'mean score (95% CI)' : 'pass rate (95% CI)',
  };
  const rubrics = [...new Set(list.map((c) => c.rubric))].join(', ');
  return ctx.charts.add(`${rubrics}: ${metric === 'mean' ? 'mean scores' : 'pass rates'} with 95% intervals`, spec);
}

/** The judge section: sample, budget, coverage, quality per cell with intervals, and trends. */
export const judgeSection: SectionRenderer = {
  section: 'judge',
  title: 'Judge',
  kinds: ['judge.'],
  findingCharts(f: Finding, ctx) {
    if (f.kind !== 'judge.quality') return '';
    const trend = f.current.trend as Trend | undefined;
    if (trend && Array.isArray(trend.points) && trend.points.length > 0) return ctx.charts.add(`${f.subject} on ${f.route}: trend with 95% intervals`, trendSpec(trend, f.subject));
    const est = f.current.estimate;
    const ci = f.current.ci as [number, number] | undefined;
    const mean = f.baseline.mean;
    if (!isNum(est) || !isNum(mean) || !Array.isArray(ci)) return '';
    const spec: BarsSpec = {
      type: 'bars',
      categories: [f.subject],
      series: [
        { label: 'earlier runs (mean)', y: [r4(mean)] },
        { label: 'this run', y: [r4(est)], lo: [r4(ci[0])], hi: [r4(ci[1])] },
      ],
      percent: false,
      yLabel: f.subject,
    };
    return ctx.charts.add(`${f.subject}: this run vs earlier runs`, spec);
  },
  render(raw, ctx) {
    const s = (raw ?? {}) as JudgeSection;
    const j = s.judgments;
    const head = facts([
      ['plan', escapeHtml(s.planStatus ?? '')],
      ['provider', escapeHtml(s.provider ?? '')],
      ['judges', escapeHtml((s.judges ?? []).map((r) => `${r.name}${r.version ? `@${r.version}` : ''}${r.descriptor?.model ? ` (${r.descriptor.model})` : ''}`).join(', '))],
      ['served models', escapeHtml((s.servedModels ?? []).join(', '))],
      ['judgments', j ? `${fmt(j.scored)} scored of ${fmt(j.attempted)} (${fmt(j.cached)} cached)` : ''],
      ['unmeasured judgments', j ? escapeHtml(Object.entries(j.unmeasured ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')) : ''],
      ['canaries', s.canaries ? `${fmt(s.canaries.correct)} of ${fmt(s.canaries.checks)} as expected` : ''],
      ['spent', isNum(s.budget?.spent?.usd) ? `$${fmt(s.budget.spent.usd)}` : ''],
      ['self-consistency', s.selfConsistency ? `${fmt(s.selfConsistency.measured)} measured, ${fmt(s.selfConsistency.flagged)} flagged` : ''],
    ]);
    const cells = s.quality ?? [];
    const charts = `${cellsChart(cells, 'mean', ctx)}${cellsChart(cells, 'pass_rate', ctx)}`;
    const trends = (s.trends ?? [])
      .filter((t) => Array.isArray(t.points) && t.points.length > 1)
      .slice(0, 12)
      .map((t) => ctx.charts.add(`${label(t)}: trend with 95% intervals`, trendSpec(t, `${t.rubric}.${t.dimension}`)))
      .join('');
    const rows = cells.map((c) => {
      const show = c.metric === 'pass_rate' ? pct : fmt;
      return [escapeHtml(c.rubric), escapeHtml(c.route), escapeHtml(c.dimension), escapeHtml(c.metric), show(c.estimate), `${show(c.ci[0])} – ${show(c.ci[1])}`, fmt(c.n)];
    });
    return `${head}${charts || trends ? `<div class="charts">${charts}${trends}</div>` : ''}${table(['rubric', 'route', 'dimension', 'metric', 'estimate', '95% CI', 'n'], rows, 'cells')}`;
  },
};
