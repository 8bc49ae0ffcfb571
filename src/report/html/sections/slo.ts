import type { BarsSpec } from '../charts.ts';
import { escapeHtml } from '../escape.ts';
import { fmt, pct, r4 } from '../format.ts';
import { table } from '../table.ts';
import type { RenderContext, SectionRenderer } from '../types.ts';

/** The fields of `sections.slo` (see `src/slo/evaluate-slo.ts`) this page reads. */
interface Window {
  window: string;
  status: string;
  badShare?: number;
  burnRate?: number;
}
interface Rule {
  rule: string;
  severity: string;
  factor: number;
  status: string;
  long: Window;
  short: Window;
}
interface Slo {
  name: string;
  kind: string;
  route: string;
  objective: string;
  target: number;
  period: string;
  status: string;
  budget: { status: string; consumed?: number; remaining?: number; detail?: string; total?: number };
  windows?: Window[];
  rules?: Rule[];
  exhaustsInHours: number | null;
}

function budgetChart(slos: Slo[], ctx: RenderContext): string {
  const list = slos.filter((s) => typeof s.budget.consumed === 'number').slice(0, 20);
  if (list.length === 0) return '';
  const spec: BarsSpec = {
    type: 'bars',
    categories: list.map((s) => s.name),
    series: [{ label: 'error budget consumed', y: list.map((s) => r4(s.budget.consumed ?? null)) }],
    percent: true,
    yLabel: 'share of the period’s error budget',
  };
  return ctx.charts.add('SLO error budget consumed', spec);
}

/** The SLO section: error budget and burn rates per SLO, every multi-window rule. */
export const sloSection: SectionRenderer = {
  section: 'slo',
  title: 'SLOs',
  kinds: [],
  render(raw, ctx) {
    const s = (raw ?? {}) as { evaluatedAt?: string; slos?: Slo[] };
    const slos = Array.isArray(s.slos) ? s.slos : [];
    const rows = slos.map((x) => [
      escapeHtml(x.name),
      escapeHtml(x.route),
      escapeHtml(`${x.objective} ≥ ${pct(x.target)} over ${x.period}`),
      `<strong>${escapeHtml(x.status)}</strong>`,
      x.budget.status === 'measured' ? `${pct(x.budget.consumed)} used, ${pct(x.budget.remaining)} left` : escapeHtml(`${x.budget.status}${x.budget.detail ? `: ${x.budget.detail}` : ''}`),
      escapeHtml((x.windows ?? []).map((w) => `${w.window} ${w.status === 'measured' ? `${fmt(w.burnRate)}×` : 'n/a'}`).join(', ')),
      escapeHtml((x.rules ?? []).filter((r) => r.status === 'firing').map((r) => `${r.rule} (${r.severity}, ≥ ${r.factor}×)`).join(', ') || '—'),
      x.exhaustsInHours === null ? '—' : `${fmt(Math.round(x.exhaustsInHours))} h`,
    ]);
    const chart = budgetChart(slos, ctx);
    return `${chart ? `<div class="charts">${chart}</div>` : ''}${table(['SLO', 'route', 'objective', 'status', 'error budget', 'burn rate by window', 'rules firing', 'budget gone in'], rows)}`;
  },
};
