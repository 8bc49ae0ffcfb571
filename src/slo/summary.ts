import { formatValue } from '../drift/format.ts';
import type { RunReport } from '../report/types.ts';
import type { SloResult } from './evaluate-slo.ts';
import type { MonthProjection } from './projection.ts';

/**
 * Terminal lines for an slo run: spend with its standard error, the month-end projection, and
 * one line per SLO (budget left, the highest measured burn, or why it is not measured).
 */

interface CostSection {
  total: { usd: number; se: number; rows: number; unpricedRows: number };
  month: MonthProjection;
  longTail: Record<string, { text: string } | null>;
}

const pct = (x: number): string => `${Number((x * 100).toPrecision(4))}%`;

/**
 * One line per SLO.
 *
 * @example
 * sloLine(result); // 'availability: 98.8% good (target 98%), 41% of the 30d budget left, burn 0.6× over 1h'
 */
export function sloLine(s: SloResult): string {
  const b = s.budget;
  if (s.status === 'insufficient_data' || b.status !== 'measured') return `${s.name}: insufficient data (${s.detail ?? b.detail ?? 'no events'})`;
  const good = b.total > 0 ? b.good / b.total : 0;
  const measured = s.windows.filter((w) => w.status === 'measured');
  const hottest = measured.sort((x, y) => (y.burnRate ?? 0) - (x.burnRate ?? 0))[0];
  const left = (b.remaining as number) <= 0 ? `the ${s.period} budget is spent` : `${pct(b.remaining as number)} of the ${s.period} budget left`;
  const coverage = b.coverage < 1 ? ` (history: ${pct(b.coverage)} of the period)` : '';
  const burn = hottest ? `, highest burn ${(hottest.burnRate as number).toFixed(1)}× over ${hottest.window}` : '';
  return `${s.name}: ${pct(good)} good (target ${pct(s.target)}), ${left}${coverage}${burn}${s.status === 'burning' ? ' — BURNING' : ''}`;
}

/**
 * The lines of an slo run report (cost, projection, long tail, SLOs).
 *
 * @example
 * process.stdout.write(summarizeSlo(report).join('\n'));
 */
export function summarizeSlo(report: RunReport): string[] {
  const cost = report.sections.cost as CostSection | undefined;
  const slo = report.sections.slo as { slos: SloResult[] } | undefined;
  const lines: string[] = [];
  if (cost) {
    const { rows, unpricedRows } = cost.total;
    const se = cost.total.se > 0 ? ` ± ${formatValue(cost.total.se, 'USD')}` : '';
    const unpriced = unpricedRows > 0 ? `, ${unpricedRows} records unpriced` : '';
    // Nothing read, or nothing priced, is not $0 spent.
    if (rows === 0) lines.push('cost: no population records in the window (not $0: nothing was measured)');
    else if (unpricedRows === rows) lines.push(`cost: none of the ${rows} records in the window could be priced (see sections.cost.total.unpricedReasons)`);
    else lines.push(`cost ${formatValue(cost.total.usd, 'USD')}${se} in the window${unpriced}`);
    const p = cost.month.projection;
    const interval = p.low !== null && p.high !== null ? ` (95%: ${formatValue(p.low, 'USD')} – ${formatValue(p.high, 'USD')})` : '';
    if (cost.month.hoursCovered > 0) {
      lines.push(`month ${cost.month.month}: ${formatValue(cost.month.usd, 'USD')} so far, ${p.usd === null ? `no projection (${p.detail})` : `month-end ≈ ${formatValue(p.usd, 'USD')}${interval}`}`);
      if (p.usd !== null && cost.month.caveats?.length) lines.push(`  projection caveats: ${cost.month.caveats.join('; ')}`);
    }
    const tail = cost.longTail.prompt_template_version ?? cost.longTail.tenant_id;
    if (tail) lines.push(tail.text);
  }
  for (const s of slo?.slos ?? []) lines.push(sloLine(s));
  return lines;
}
