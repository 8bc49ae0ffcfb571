import type { Mover, ValueCost } from '../../../slo/attribution.ts';
import type { BarsSpec } from '../charts.ts';
import { escapeHtml } from '../escape.ts';
import { fmt, pct, r4 } from '../format.ts';
import { facts, table } from '../table.ts';
import type { RenderContext, SectionRenderer } from '../types.ts';

/** The fields of `sections.cost` (see `src/slo/report.ts`) this page reads. */
interface CostSection {
  window?: { start: string; end: string };
  total?: { usd: number; se: number; requests: number; costPerRequest: number | null; unpricedRows: number; unpricedShare: number; rows: number };
  daily?: { day: string; hours: number; usd: number; se: number }[];
  byDimension?: Record<string, ValueCost[]>;
  movers?: { against?: { start: string; end: string }; byDimension?: Record<string, Mover[]> };
  month?: { month: string; usd: number; se: number; projection?: { status: string; usd: number | null; low: number | null; high: number | null; detail?: string } };
}

const Z = 1.959964;
const usd = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `$${fmt(x)}` : '—');

function byRouteChart(rows: ValueCost[], ctx: RenderContext): string {
  const list = rows.slice(0, 15);
  if (list.length === 0) return '';
  const spec: BarsSpec = {
    type: 'bars',
    categories: list.map((r) => r.value),
    series: [{ label: 'spend (USD)', y: list.map((r) => r4(r.usd)), lo: list.map((r) => r4(Math.max(0, r.usd - Z * r.se))), hi: list.map((r) => r4(r.usd + Z * r.se)) }],
    percent: false,
    yLabel: 'USD (95% interval)',
  };
  return ctx.charts.add('Cost by route in the window', spec);
}

/** The cost section: spend with its sampling error, by route (chart) and dimension, movers, month projection. */
export const costSection: SectionRenderer = {
  section: 'cost',
  title: 'Cost',
  kinds: [],
  render(raw, ctx) {
    const s = (raw ?? {}) as CostSection;
    const t = s.total;
    const p = s.month?.projection;
    const head = facts([
      ['window', s.window ? `${escapeHtml(s.window.start)} → ${escapeHtml(s.window.end)}` : ''],
      ['spend', t ? `${usd(t.usd)} ± ${usd(Z * t.se)}` : ''],
      ['requests (estimated)', t ? fmt(Math.round(t.requests)) : ''],
      ['cost per request', t ? usd(t.costPerRequest) : ''],
      ['unpriced rows', t ? `${fmt(t.unpricedRows)} of ${fmt(t.rows)} (${pct(t.unpricedShare)})` : ''],
      ['month to date', s.month ? `${escapeHtml(s.month.month)}: ${usd(s.month.usd)}` : ''],
      ['month-end projection', p ? (p.status === 'measured' ? `${usd(p.usd)} (${usd(p.low)}–${usd(p.high)})` : escapeHtml(`${p.status}${p.detail ? `: ${p.detail}` : ''}`)) : ''],
    ]);
    const dims = s.byDimension ?? {};
    const chart = byRouteChart(dims.route ?? [], ctx);
    const dimTables = Object.entries(dims)
      .map(([dim, rows]) =>
        Array.isArray(rows) && rows.length
          ? `<h3>by ${escapeHtml(dim)}</h3>${table(
              ['value', 'spend', '± 95%', 'share', 'requests', 'per request'],
              rows.map((r) => [escapeHtml(r.value), usd(r.usd), usd(Z * r.se), pct(r.share), fmt(Math.round(r.requests)), usd(r.costPerRequest)]),
            )}`
          : '',
      )
      .join('');
    const movers = Object.entries(s.movers?.byDimension ?? {}).flatMap(([dim, rows]) =>
      (Array.isArray(rows) ? rows : []).map((m) => [escapeHtml(dim), escapeHtml(m.value), usd(m.previousUsd), usd(m.usd), `${m.change >= 0 ? '+' : '−'}${usd(Math.abs(m.change))}`, m.relative === null ? 'new' : pct(m.relative)]),
    );
    const daily = (s.daily ?? []).map((d) => [escapeHtml(d.day), fmt(d.hours), usd(d.usd), usd(Z * d.se)]);
    return `${head}${chart ? `<div class="charts">${chart}</div>` : ''}${dimTables}${movers.length ? `<h3>Top movers vs the window before</h3>${table(['dimension', 'value', 'before', 'now', 'change', 'relative'], movers)}` : ''}${daily.length ? `<h3>Daily</h3>${table(['day', 'hours', 'spend', '± 95%'], daily)}` : ''}`;
  },
};
