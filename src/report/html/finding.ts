import type { Finding } from '../types.ts';
import { findingAnchor } from './anchor.ts';
import { escapeHtml, safeHref } from './escape.ts';
import { fmt, fmtP } from './format.ts';
import { facts, table } from './table.ts';
import type { RenderContext } from './types.ts';

/** Keys of `baseline`/`current` that are chart data or lists, not numbers to tabulate. */
const NOT_NUMBERS = new Set(['chart', 'trend', 'models', 'templates', 'top']);
const SIZES = new Set(['n', 'm', 'weightedN', 'effectiveN', 'nEff', 'runs', 'routes', 'windows', 'weeks', 'residuals']);

/** Numbers present on either side, in the order `current` lists them, then baseline-only ones. */
function numberRows(f: Finding): string[][] {
  const keys = [...new Set([...Object.keys(f.current), ...Object.keys(f.baseline)])].filter((k) => !NOT_NUMBERS.has(k));
  const rows: string[][] = [];
  for (const k of keys) {
    const b = f.baseline[k];
    const c = f.current[k];
    const shown = (v: unknown) => (typeof v === 'number' ? fmt(v) : typeof v === 'string' ? escapeHtml(v) : Array.isArray(v) && v.every((x) => typeof x === 'number') ? escapeHtml(v.map(fmt).join(' – ')) : '');
    const bs = shown(b);
    const cs = shown(c);
    if (!bs && !cs) continue;
    let change = '';
    // Sample sizes of a window and a baseline are not comparable: no "change" for them.
    if (!SIZES.has(k) && typeof b === 'number' && typeof c === 'number' && Number.isFinite(b) && Number.isFinite(c) && b !== 0) {
      const d = ((c - b) / Math.abs(b)) * 100;
      change = `${d >= 0 ? '+' : '−'}${fmt(Math.abs(d))}%`;
    }
    rows.push([escapeHtml(k), bs || '—', cs || '—', change]);
  }
  return rows;
}

function shares(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return v
    .filter((x): x is { label: string; share: number } => !!x && typeof x === 'object' && typeof (x as { label?: unknown }).label === 'string')
    .map((x) => `<code>${escapeHtml(x.label)}</code> ${typeof x.share === 'number' ? `${fmt(Math.round(x.share * 1000) / 10)}%` : ''}`)
    .join(', ');
}

function statsFacts(f: Finding): string {
  const s = f.stats;
  const pairs: [string, string][] = [
    ['test', `<code>${escapeHtml(s.test)}</code>`],
    ['statistic', typeof s.statistic === 'number' ? fmt(s.statistic) : ''],
    ['p', typeof s.pValue === 'number' ? fmtP(s.pValue) : ''],
    ['q (BH)', typeof s.qValue === 'number' ? fmtP(s.qValue) : ''],
    ['n', typeof s.n === 'number' ? fmt(s.n) : ''],
    ['m (baseline)', typeof s.m === 'number' && s.m > 0 ? fmt(s.m) : ''],
  ];
  for (const [k, v] of Object.entries(s.effect ?? {})) pairs.push([k, fmt(v)]);
  for (const [k, v] of Object.entries(s)) {
    if (['test', 'statistic', 'pValue', 'qValue', 'n', 'm', 'effect'].includes(k)) continue;
    if (typeof v === 'number' || typeof v === 'string') pairs.push([k, typeof v === 'number' ? fmt(v) : escapeHtml(v)]);
  }
  return facts(pairs);
}

/**
 * One finding: its anchor (`id` from the fingerprint), severity and state, the summary, its
 * charts, the numbers before → after, the test, what changed (models, templates), examples and
 * links (http(s) only).
 *
 * @example
 * html += renderFinding(finding, ctx, charts);
 */
export function renderFinding(f: Finding, ctx: RenderContext, charts: string): string {
  const state = f.state ? ` <span class="state state-${escapeHtml(f.state)}">${escapeHtml(f.state)}</span>` : '';
  const changed = [
    ['models', shares(f.baseline.models), shares(f.current.models)],
    ['prompt templates', shares(f.baseline.templates), shares(f.current.templates)],
  ]
    .filter(([, b, c]) => b || c)
    .map(([k, b, c]) => `<li>${escapeHtml(k)}: ${b || '—'} → ${c || '—'}</li>`)
    .join('');
  const links = f.links
    .map((l) => ({ label: l.label, href: safeHref(l.url) }))
    .filter((l): l is { label: string; href: string } => l.href !== undefined)
    .map((l) => `<a href="${escapeHtml(l.href)}" rel="noopener noreferrer">${escapeHtml(l.label)}</a>`)
    .join(' · ');
  const id = findingAnchor(f.fingerprint);
  return `<article class="finding sev-${escapeHtml(f.severity)}" id="${escapeHtml(id)}">
<header><a class="anchor" href="#${escapeHtml(id)}">#</a> <span class="sev">${escapeHtml(f.severity)}</span>${state} <code>${escapeHtml(f.kind)}</code> · ${escapeHtml(f.route === '*' ? 'all routes' : f.route)} · <strong>${escapeHtml(f.subject)}</strong></header>
<p class="summary">${escapeHtml(f.summary)}</p>
${charts ? `<div class="charts">${charts}</div>` : ''}
${table(['', 'baseline', 'current', 'change'], numberRows(f), 'numbers')}
${statsFacts(f)}
${changed ? `<ul class="changed">${changed}</ul>` : ''}
${f.examples.length ? `<p class="examples">Examples: ${f.examples.map((e) => `<code>${escapeHtml(e)}</code>`).join(' ')}</p>` : ''}
${links ? `<p class="links">${links}</p>` : ''}
<p class="fp">fingerprint <code>${escapeHtml(f.fingerprint)}</code> · run ${escapeHtml(ctx.report.runId)}</p>
</article>`;
}
