import type { PassRate } from '../../../golden/verdict/types.ts';
import type { BarsSpec } from '../charts.ts';
import { escapeHtml } from '../escape.ts';
import { fmt, fmtP, pct, r4 } from '../format.ts';
import { facts, table } from '../table.ts';
import type { RenderContext, SectionRenderer } from '../types.ts';

/** The fields of `sections.golden` (see `src/golden/run/report.ts`) this page reads. */
interface Flip {
  caseId: string;
  direction: 'regression' | 'improvement';
  confirmation: string;
  retries?: string[];
  expected?: string;
  got?: string;
  baselineOutput?: string;
  reasons?: string[];
}
interface Suite {
  suite: string;
  file?: string;
  target?: string | null;
  resultsUrl?: string;
  cases: number;
  calls?: number;
  verdict: {
    verdict: string;
    reason: string;
    baselineRunId?: string;
    passRate: PassRate | null;
    baselinePassRate: PassRate | null;
    unmeasured?: { count: number; byKind: Record<string, number> };
    paired?: { n: number };
    flips: Flip[];
    counts?: Record<string, number>;
    mcnemar?: { regression?: { pGreater?: number; pValue?: number } } | null;
  };
  flipsTotal?: number;
  failing?: string[];
  failingTotal?: number;
}
interface Problem {
  file: string;
  line: number;
  message: string;
}

/** Long outputs are cut for the table (the per-case results file has them whole). */
const cut = (s: string | undefined, n = 600) => (s === undefined ? '—' : escapeHtml(s.length > n ? `${s.slice(0, n)}…` : s));

function passChart(suites: Suite[], ctx: RenderContext): string {
  const list = suites.filter((s) => s.verdict.passRate || s.verdict.baselinePassRate).slice(0, 20);
  if (list.length === 0) return '';
  const side = (p: PassRate | null) => ({ y: r4(p?.rate ?? null), lo: r4(p?.lower ?? null), hi: r4(p?.upper ?? null) });
  const base = list.map((s) => side(s.verdict.baselinePassRate));
  const now = list.map((s) => side(s.verdict.passRate));
  const spec: BarsSpec = {
    type: 'bars',
    categories: list.map((s) => s.suite),
    series: [
      { label: 'baseline run', y: base.map((b) => b.y), lo: base.map((b) => b.lo), hi: base.map((b) => b.hi) },
      { label: 'this run', y: now.map((b) => b.y), lo: now.map((b) => b.lo), hi: now.map((b) => b.hi) },
    ],
    percent: true,
    yLabel: 'pass rate (95% Wilson)',
  };
  return ctx.charts.add('Golden pass rates: baseline run vs this run', spec);
}

function suiteBlock(s: Suite): string {
  const v = s.verdict;
  const flips = v.flips.map((f) => [
    `<code>${escapeHtml(f.caseId)}</code>`,
    escapeHtml(f.direction === 'regression' ? 'pass → fail' : 'fail → pass'),
    escapeHtml(f.confirmation),
    `<pre class="cell">${cut(f.expected)}</pre>`,
    `<pre class="cell">${cut(f.got)}</pre>`,
    `<pre class="cell">${cut(f.baselineOutput)}</pre>`,
    escapeHtml((f.reasons ?? []).join('; ')),
  ]);
  const more = (s.flipsTotal ?? v.flips.length) > v.flips.length ? `<p class="note">${fmt((s.flipsTotal ?? 0) - v.flips.length)} more flips in the suite's results file.</p>` : '';
  const rate = (p: PassRate | null) => (p ? `${pct(p.rate)} (${fmt(p.pass)}/${fmt(p.measured)}, ${pct(p.lower)}–${pct(p.upper)})` : 'not measured');
  return `<h3>${escapeHtml(s.suite)} <span class="state">${escapeHtml(v.verdict)}</span></h3>
<p>${escapeHtml(v.reason)}</p>
${facts([
  ['file', s.file ? `<code>${escapeHtml(s.file)}</code>` : ''],
  ['target', escapeHtml(s.target ?? '')],
  ['cases / calls', `${fmt(s.cases)} / ${fmt(s.calls)}`],
  ['pass rate', rate(v.passRate)],
  ['baseline', `${rate(v.baselinePassRate)}${v.baselineRunId ? ` (run ${escapeHtml(v.baselineRunId)})` : ''}`],
  ['paired cases', fmt(v.paired?.n)],
  ['unmeasured', v.unmeasured ? `${fmt(v.unmeasured.count)} ${escapeHtml(Object.entries(v.unmeasured.byKind ?? {}).map(([k, n]) => `${k} ${n}`).join(', '))}` : ''],
  ['McNemar p (regression)', fmtP(v.mcnemar?.regression?.pGreater ?? v.mcnemar?.regression?.pValue)],
  ['results', s.resultsUrl ? `<code>${escapeHtml(s.resultsUrl)}</code>` : ''],
])}
${flips.length ? table(['case', 'flip', 'confirmation', 'expected', 'got', 'baseline output', 'why'], flips, 'flips') : '<p class="note">No flips.</p>'}${more}
${s.failing?.length ? `<p class="examples">Failing this run (${fmt(s.failingTotal)}): ${s.failing.map((c) => `<code>${escapeHtml(c)}</code>`).join(' ')}</p>` : ''}`;
}

/** The golden section: pass rates with intervals, and every flip as expected vs got. */
export const goldenSection: SectionRenderer = {
  section: 'golden',
  title: 'Golden sets',
  kinds: ['golden.'],
  render(raw, ctx) {
    const s = (raw ?? {}) as { suites?: Suite[]; errors?: Problem[]; warnings?: Problem[] };
    const suites = Array.isArray(s.suites) ? s.suites : [];
    const problems = [...(s.errors ?? []).map((p) => ['error', p] as const), ...(s.warnings ?? []).map((p) => ['warning', p] as const)].map(([k, p]) => [
      escapeHtml(k),
      `<code>${escapeHtml(`${p.file}:${p.line}`)}</code>`,
      escapeHtml(p.message),
    ]);
    const chart = passChart(suites, ctx);
    return `${chart ? `<div class="charts">${chart}</div>` : ''}${suites.map(suiteBlock).join('\n')}${table(['', 'where', 'problem'], problems)}`;
  },
};
