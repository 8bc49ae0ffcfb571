import { createHash } from 'node:crypto';
import type { RunReport } from '../types.ts';
import { findingAnchor as findingAnchorOf } from './anchor.ts';
import { reportAssets } from './assets.ts';
import { ChartRegistry } from './charts.ts';
import { escapeHtml, scriptJson } from './escape.ts';
import { renderFinding } from './finding.ts';
import { fmt, pct } from './format.ts';
import { genericSection } from './sections/generic.ts';
import { rendererForKind, SECTION_RENDERERS } from './sections/index.ts';
import { STYLE } from './style.ts';
import { facts, table } from './table.ts';
import type { RenderContext } from './types.ts';

/** Options of {@link renderReportHtml}. */
export interface RenderHtmlOptions {
  /** Where `report.json` is, shown in the footer (a path or URL). Default: not shown. */
  readonly jsonLocation?: string;
}

const STATUS_TEXT: Record<string, string> = {
  ok: 'measured',
  degraded: 'measured, but part of the input or work was lost',
  unmeasurable: 'too little data or an unhealthy dependency to say anything',
  failed: 'the run itself broke',
};

/**
 * CSP source of an inline script: only our two scripts run, so even a string that escaped
 * escaping could not execute (and `default-src 'none'` keeps the page off the network).
 */
const scriptHash = (js: string): string => `'sha256-${createHash('sha256').update(js, 'utf8').digest('base64')}'`;

function overview(r: RunReport): string {
  const i = r.input;
  const c = r.coverage;
  const rejected = Object.entries(i.rejected ?? {}).filter(([, n]) => (n ?? 0) > 0);
  const objShare = c.objects > 0 ? ` (${pct(c.objectsRead / c.objects)})` : '';
  return facts([
    ['window', `${escapeHtml(r.window.start)} → ${escapeHtml(r.window.end)}`],
    ['started / finished', `${escapeHtml(r.startedAt)} / ${escapeHtml(r.finishedAt)}`],
    ['objects read', `${fmt(c.objectsRead)} of ${fmt(c.objects)}${objShare}`],
    ['work units', `${fmt(c.unitsDone)} done of ${fmt(c.unitsPlanned)}${c.unitsFailed ? `, <strong>${fmt(c.unitsFailed)} failed</strong>` : ''}`],
    ['records', `${fmt(i.records)} (${fmt(i.populationRecords)} population, ≈${fmt(Math.round(i.estimatedCalls))} calls)`],
    ['rejected lines', rejected.length ? escapeHtml(rejected.map(([k, n]) => `${k} ${n}`).join(', ')) : '0'],
    ['quarantined', fmt(i.quarantined)],
  ]);
}

function unmeasuredList(r: RunReport): string {
  if (r.unmeasured.length === 0) return '';
  const rows = r.unmeasured.map((u) => [escapeHtml(u.route), escapeHtml(u.subject), `<code>${escapeHtml(u.reason)}</code>`, escapeHtml(u.detail ?? '')]);
  const open = r.unmeasured.length <= 12 ? ' open' : '';
  return `<section id="unmeasured"><h2>Unmeasured (${r.unmeasured.length})</h2><p class="note">Tests that could not be run are listed, never counted as "no change".</p><details${open}><summary>${r.unmeasured.length} tests</summary>${table(['route', 'subject', 'reason', 'detail'], rows)}</details></section>`;
}

/**
 * The run report as one self-contained HTML page (DESIGN §4 `report.html`): status and why,
 * window, coverage, input and quarantine counts, every finding with its numbers, charts and an
 * anchor from its fingerprint, the unmeasured tests, then each pipeline section. The chart
 * library and all data are inlined: the page needs no network. Every string from the report is
 * escaped (captures are untrusted text).
 *
 * @example
 * const html = renderReportHtml(report, { jsonLocation: store.locate(key) });
 * await store.put(key.replace(/\.json$/, '.html'), html, { contentType: 'text/html; charset=utf-8' });
 */
export function renderReportHtml(report: RunReport, options: RenderHtmlOptions = {}): string {
  const charts = new ChartRegistry();
  const ctx: RenderContext = { report, charts };
  const assets = reportAssets();
  const findings = report.findings.map((f) => renderFinding(f, ctx, rendererForKind(f.kind)?.findingCharts?.(f, ctx) ?? '')).join('\n');
  const toc = report.findings
    .map((f) => `<li class="sev-${escapeHtml(f.severity)}"><a href="#${escapeHtml(findingAnchorOf(f.fingerprint))}">${escapeHtml(f.summary)}</a></li>`)
    .join('');
  const known = new Set(SECTION_RENDERERS.map((s) => s.section));
  const sections = [
    ...SECTION_RENDERERS.filter((s) => report.sections[s.section] !== undefined).map(
      (s) => `<section id="section-${escapeHtml(s.section)}"><h2>${escapeHtml(s.title)}</h2>${s.render(report.sections[s.section], ctx)}</section>`,
    ),
    ...Object.keys(report.sections)
      .filter((k) => !known.has(k))
      .map((k) => `<section id="section-${escapeHtml(k)}"><h2>${escapeHtml(k)}</h2>${genericSection(k, report.sections[k])}</section>`),
  ].join('\n');
  const reasons = report.statusReasons.length ? `<ul class="reasons">${report.statusReasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : '';
  const title = `${report.pipeline} ${report.runId}: ${report.status}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scriptHash(assets.uplotJs)} ${scriptHash(assets.clientJs)}; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${assets.uplotCss}</style>
<style>${STYLE}</style>
</head>
<body>
<header class="top status-${escapeHtml(report.status)}">
<h1><span class="badge">${escapeHtml(report.status.toUpperCase())}</span> ${escapeHtml(report.pipeline)} run <code>${escapeHtml(report.runId)}</code></h1>
<p class="status-text">${escapeHtml(STATUS_TEXT[report.status] ?? '')}</p>
${reasons}
</header>
<main>
<section id="overview"><h2>Overview</h2>${overview(report)}</section>
<section id="findings"><h2>Findings (${report.findings.length})</h2>
${report.findings.length ? `<ol class="toc">${toc}</ol>${findings}` : '<p class="note">No finding in this run.</p>'}
</section>
${unmeasuredList(report)}
${sections}
</main>
<footer>evalwatch report schema v${escapeHtml(report.schemaVersion)}${options.jsonLocation ? ` · JSON: <code>${escapeHtml(options.jsonLocation)}</code>` : ''} · charts: uPlot ${escapeHtml(assets.uplotVersion)} (MIT), inlined</footer>
<script type="application/json" id="ew-charts">${scriptJson(charts.specs)}</script>
<script>${assets.uplotJs}</script>
<script>${assets.clientJs}</script>
</body>
</html>
`;
}
