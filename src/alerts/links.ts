import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDuration } from '../config/duration.ts';
import { htmlKeyFor } from '../report/html/write.ts';
import type { ResultsStore } from '../store/types.ts';
import type { AlertsConfig } from './config.ts';
import { wellFormed } from './format.ts';
import { SLACK_LIMITS } from './limits.ts';

const enc = (s: string): string => encodeURIComponent(wellFormed(s));

/** Values a link template may use. */
export interface LinkContext {
  readonly route: string;
  /** Window start and end, ISO 8601. */
  readonly from: string;
  readonly to: string;
  readonly requestIds: readonly string[];
  readonly runId: string;
  readonly kind: string;
  readonly subject: string;
}

/**
 * Fills a link template. Every value is URL-encoded; `{request_ids}` is a comma-separated list,
 * shortened (whole ids dropped from the end) until the URL fits Slack's 3,000-character limit.
 * Returns `undefined` when even without ids it does not fit: a broken button is worse than none.
 *
 * @example
 * fillTemplate('https://logs.example.com/?q=route:{route}&ids={request_ids}&from={from}', ctx);
 * // 'https://logs.example.com/?q=route:chat&ids=req-1%2Creq-2&from=2026-11-23T13%3A00%3A00.000Z'
 */
export function fillTemplate(template: string, ctx: LinkContext, maxLength: number = SLACK_LIMITS.buttonUrl): string | undefined {
  const fill = (ids: readonly string[]) =>
    template.replace(/\{(route|from|to|from_ms|to_ms|request_ids|run_id|kind|subject)\}/g, (_m, name: string) => {
      switch (name) {
        case 'route':
          return enc(ctx.route);
        case 'from':
          return enc(ctx.from);
        case 'to':
          return enc(ctx.to);
        case 'from_ms':
          return String(Date.parse(ctx.from));
        case 'to_ms':
          return String(Date.parse(ctx.to));
        case 'request_ids':
          return enc(ids.join(','));
        case 'run_id':
          return enc(ctx.runId);
        case 'kind':
          return enc(ctx.kind);
        default:
          return enc(ctx.subject);
      }
    });
  let ids = [...ctx.requestIds];
  let url = fill(ids);
  while (url.length > maxLength && ids.length > 0) {
    ids = ids.slice(0, Math.floor(ids.length / 2));
    url = fill(ids);
  }
  return url.length <= maxLength ? url : undefined;
}

/** Runbook sections in `docs/runbooks.md`, by the failure pattern they cover. */
const RUNBOOK_RULES: readonly { anchor: string; kinds: RegExp; subjects?: RegExp }[] = [
  { anchor: 'judge-unhealthy-or-unavailable', kinds: /^judge\.(unhealthy|unavailable)$/ },
  { anchor: 'golden-regression', kinds: /^golden\./ },
  { anchor: 'slo-burn', kinds: /^slo\./ },
  { anchor: 'cost-jump-after-a-model-swap', kinds: /^cost\./ },
  { anchor: 'judge-score-drop', kinds: /^judge\./ },
  { anchor: 'refusal-spike', kinds: /^drift\./, subjects: /refus/i },
  { anchor: 'schema-validity-drop', kinds: /^drift\./, subjects: /schema|json_parse|valid/i },
  { anchor: 'missing-field-storm', kinds: /^drift\./, subjects: /missing|null|empty|absent/i },
  { anchor: 'language-mix-shift', kinds: /^drift\./, subjects: /lang/i },
  { anchor: 'latency-and-ttft-regressions', kinds: /^drift\./, subjects: /latency|ttft|first_token/i },
  { anchor: 'cost-jump-after-a-model-swap', kinds: /^drift\./, subjects: /cost|price|model/i },
  { anchor: 'output-length-drift', kinds: /^drift\./, subjects: /output|length|tokens|chars/i },
  { anchor: 'error-rate-spike', kinds: /^drift\./, subjects: /error|status|5xx|4xx/i },
];

/**
 * The runbook anchor for a finding kind and subject; `generic-drift` when nothing specific fits.
 *
 * @example
 * runbookAnchor('drift.rate', 'refusal_rate'); // 'refusal-spike'
 */
export function runbookAnchor(kind: string, subject: string): string {
  for (const r of RUNBOOK_RULES) if (r.kinds.test(kind) && (!r.subjects || r.subjects.test(subject))) return r.anchor;
  return 'generic-drift';
}

/**
 * The runbook URL of a finding.
 *
 * @example
 * runbookUrl('https://example.com/runbooks.md', 'slo.burn', 'latency'); // 'https://example.com/runbooks.md#slo-burn'
 */
export function runbookUrl(base: string, kind: string, subject: string): string {
  return `${base.replace(/#.*$/, '')}#${runbookAnchor(kind, subject)}`;
}

/** Resolves a run's `report.json` key to a URL of its `report.html` (without a fragment). */
export type ReportLinker = (reportKey: string) => Promise<string | undefined>;

/** Options of {@link createReportLinker}. */
export interface ReportLinkerOptions {
  readonly store: Pick<ResultsStore, 'locate' | 'presign'>;
  readonly config: Pick<AlertsConfig, 'reportBaseUrl' | 'reportLinkExpiry'>;
}

/**
 * How alerts link to a run's `report.html`, first that applies: `alerts.reportBaseUrl` + the
 * store key (a public site serving the store); a presigned S3 GET URL valid for
 * `alerts.reportLinkExpiry` (S3 store); a `file://` URL of the page (fs store). `undefined` when
 * none can be made (presigning failed): the alert then shows the store location as text.
 * (`alerts.reportUrl`, a template of the team's own viewer, takes precedence in the message.)
 *
 * @example
 * const link = createReportLinker({ store, config: config.alerts });
 * await link('runs/2026-11-23/drift-1/report.json'); // 'https://…/report.html?X-Amz-…' or 'file:///…/report.html'
 */
export function createReportLinker(options: ReportLinkerOptions): ReportLinker {
  const { store, config } = options;
  return async (reportKey) => {
    const key = htmlKeyFor(reportKey);
    if (config.reportBaseUrl) return `${config.reportBaseUrl.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
    if (store.presign) {
      try {
        return await store.presign(key, parseDuration(config.reportLinkExpiry) / 1000);
      } catch {
        return undefined;
      }
    }
    const where = store.locate(key);
    return isAbsolute(where) ? pathToFileURL(where).href : /^file:\/\//.test(where) ? where : undefined;
  };
}

/**
 * The render options with `reportHref` resolved for this incident's last run (delivery is async,
 * rendering is not: presigning happens here, once per rendering).
 *
 * @example
 * const rendered = renderIncident(incident, await withReportLink(options.render, incident));
 */
export async function withReportLink<R extends { readonly reportLinks?: ReportLinker; readonly reportHref?: string }>(
  render: R,
  incident: { readonly lastRun: { readonly reportKey?: string } },
): Promise<R> {
  const key = incident.lastRun.reportKey;
  if (!render.reportLinks || !key) return render;
  const href = await render.reportLinks(key);
  return href ? { ...render, reportHref: href } : render;
}
