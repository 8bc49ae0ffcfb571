import type { Finding } from '../report/types.ts';
import type { RouteContext } from './analyze.ts';
import { severityOf, type DriftTest } from './analyze-types.ts';
import { formatCount, formatP, formatSince } from './format.ts';
import type { Transition } from './hysteresis.ts';

/** A link template from `alerts.links`, with `{route}`, `{from}`, `{to}`, `{request_ids}`. */
export interface LinkTemplate {
  label: string;
  url: string;
}

function whatChanged(ctx: RouteContext | undefined): string {
  if (!ctx) return '';
  const parts: string[] = [];
  for (const [name, dim] of [
    ['model', ctx.models],
    ['prompt template', ctx.templates],
  ] as const) {
    const now = dim.window[0];
    const before = dim.baseline[0];
    if (now && before && now.label !== before.label) parts.push(`${name} now ${now.label} (was ${before.label})`);
    else if (now) {
      const fresh = dim.window.find((d) => d.share >= 0.05 && !dim.baseline.some((b) => b.label === d.label));
      if (fresh) parts.push(`new ${name} ${fresh.label} on ${Math.round(fresh.share * 100)}% of calls`);
    }
  }
  return parts.length > 0 ? `; ${parts.join(', ')}` : '';
}

/**
 * The one-sentence summary of a drift:
 * "answer: output tokens p50 312 → 420 (+35%) since 14:00 UTC; KS D = 0.21, q < 1e-6; n = 4,812 vs 31,204".
 *
 * @example
 * driftSummary(test, since, windowEnd, context);
 */
export function driftSummary(t: DriftTest, since: number, windowEnd: number, ctx?: RouteContext, resolved = false): string {
  const route = t.route === '*' ? 'all routes' : t.route;
  const sizes = t.m > 0 ? `n = ${formatCount(t.n)} vs ${formatCount(t.m)}` : `n = ${formatCount(t.n)}`;
  if (resolved) return `${route}: ${t.headline} — back within thresholds, resolved (drifting since ${formatSince(since, windowEnd)}); ${sizes}`;
  return `${route}: ${t.headline} since ${formatSince(since, windowEnd)}; ${t.testText}, ${formatP('q', t.qValue ?? t.pValue)}; ${sizes}${whatChanged(ctx)}`;
}

function fillLink(url: string, t: DriftTest, window: { start: number; end: number }): string {
  return url
    .replaceAll('{route}', encodeURIComponent(t.route))
    .replaceAll('{from}', encodeURIComponent(new Date(window.start).toISOString()))
    .replaceAll('{to}', encodeURIComponent(new Date(window.end).toISOString()))
    .replaceAll('{request_ids}', encodeURIComponent(t.examples.join(',')));
}

/**
 * Turns a test and its hysteresis transition into a report finding.
 *
 * @example
 * toFinding(test, fingerprint, { status: 'firing', changed: true, since }, window, context, links);
 */
export function toFinding(
  t: DriftTest,
  fingerprint: string,
  transition: Transition,
  window: { start: number; end: number },
  ctx: RouteContext | undefined,
  links: readonly LinkTemplate[] = [],
): Finding {
  const since = transition.since ?? window.start;
  const resolved = transition.status === 'resolved';
  return {
    fingerprint,
    kind: t.kind,
    severity: resolved ? 'info' : severityOf(t.effectRatio),
    route: t.route,
    subject: t.subject,
    summary: driftSummary(t, since, window.end, ctx, resolved),
    stats: {
      test: t.test,
      statistic: t.statistic,
      pValue: t.pValue,
      ...(t.qValue !== undefined ? { qValue: t.qValue } : {}),
      effect: t.effect,
      effectRatio: Number(t.effectRatio.toPrecision(4)),
      n: t.n,
      m: t.m,
      ...(t.details ?? {}),
    },
    baseline: { ...t.baseline, ...(ctx ? { models: ctx.models.baseline, templates: ctx.templates.baseline } : {}) },
    current: { ...t.current, since: new Date(since).toISOString(), ...(ctx ? { models: ctx.models.window, templates: ctx.templates.window } : {}) },
    examples: t.examples,
    links: links.map((l) => ({ label: l.label, url: fillLink(l.url, t, window) })),
    state: transition.status === 'clear' ? 'pending' : transition.status,
  };
}
