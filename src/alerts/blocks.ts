import type { Finding } from '../report/types.ts';
import type { AlertsConfig } from './config.ts';
import { escapeMrkdwn, formatNumber, humanDuration, slackDate, truncate } from './format.ts';
import { SLACK_LIMITS, checkMessage, paginateBlocks } from './limits.ts';
import { fillTemplate, runbookUrl, type LinkContext, type ReportLinker } from './links.ts';
import { compareSeverity, statNumber } from './policy.ts';
import type { Redactor } from './redact.ts';
import type { FollowUp, Incident, IncidentMember } from './types.ts';

/** A Slack message body: `text` is the notification/fallback, `blocks` the layout. */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** An incident rendered: the main message (posted, then updated in place) and thread overflow. */
export interface RenderedIncident {
  readonly main: SlackMessage;
  /** Details that did not fit the main message, posted in its thread once. */
  readonly overflow: SlackMessage[];
}

export interface RenderOptions {
  readonly config: Pick<AlertsConfig, 'links' | 'runbookBaseUrl' | 'reportUrl' | 'snippetChars'>;
  /** Shown in the context line (the top-level config `name`). Default `evalwatch`. */
  readonly name?: string;
  /** Applied to every text of the payload, a second line of defence after the router's. */
  readonly redactor: Redactor;
  /** Where the run report is, when it has no URL (`reportUrl`): shown as text. */
  readonly reportLocation?: string;
  /** Resolves `report.html` of the incident's last run (see `createReportLinker`). Default: none. */
  readonly reportLinks?: ReportLinker;
  /**
   * URL of the last run's `report.html`, resolved by `withReportLink` before rendering: an
   * http(s) URL becomes the "Run report" button, a `file://` URL is shown as text; either
   * points at the top finding's anchor.
   */
  readonly reportHref?: string;
}

const EMOJI = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:', resolved: ':white_check_mark:' } as const;
const MAX_EXAMPLES = 10;
const MAX_MEMBERS_MAIN = 8;

const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } });
const fields = (items: string[]) => ({
  type: 'section',
  fields: items.slice(0, SLACK_LIMITS.sectionFields).map((t) => ({ type: 'mrkdwn', text: truncate(t, SLACK_LIMITS.fieldText) })),
});
const context = (items: string[]) => ({
  type: 'context',
  elements: items.slice(0, SLACK_LIMITS.contextElements).map((t) => ({ type: 'mrkdwn', text: truncate(t, SLACK_LIMITS.textObject) })),
});
const divider = () => ({ type: 'divider' });

/**
 * Renders an incident as Block Kit: header (severity, route, what), the numbers before → after,
 * why it fired, what changed (models, prompt-template versions), examples with redacted snippets,
 * dependents held back, buttons (investigation links, run report, runbook) and a context line.
 * Every payload is within Slack's limits; what does not fit the main message goes to `overflow`.
 *
 * @example
 * const { main, overflow } = renderIncident(incident, { config, redactor: createRedactor() });
 * await slack.chat.postMessage({ channel, ...main });
 */
export function renderIncident(incident: Incident, options: RenderOptions): RenderedIncident {
  const { redactor } = options;
  const members = sortedMembers(incident);
  const top = members[0];
  if (!top) return { main: minimalMessage(incident, redactor), overflow: [] };
  const f = top.finding;
  const resolved = incident.status === 'resolved';
  const sev = resolved ? 'resolved' : incident.severity;
  const firingCount = members.filter((m) => m.status === 'firing').length;
  const what = members.length > 1 ? `${f.subject} and ${members.length - 1} more` : f.subject;
  const title = `${resolved ? 'RESOLVED' : incident.severity.toUpperCase()} · ${incident.route === '*' ? 'all routes' : incident.route} · ${f.kind} · ${what}`;

  const blocks: Record<string, unknown>[] = [];
  blocks.push(header(`${resolved ? '✅' : incident.severity === 'critical' ? '🔴' : incident.severity === 'warning' ? '🟠' : '🔵'} ${title}`));
  const since = resolved
    ? `${EMOJI.resolved} Resolved ${slackDate(incident.resolvedAt ?? incident.updatedAt)} after ${humanDuration((incident.resolvedAt ?? incident.updatedAt) - incident.openedAt)}`
    : `${EMOJI[sev]} Firing since ${slackDate(incident.openedAt)}${incident.reopened ? ` · reopened ${incident.reopened}×${incident.reopened > 1 ? ' (flapping)' : ''}` : ''} · ${firingCount} of ${members.length} firing`;
  blocks.push(section(`*${escapeMrkdwn(f.summary)}*\n${since}`));

  const numbers = beforeAfter(f);
  if (numbers.length) blocks.push(fields(numbers));
  blocks.push(section(`*Why it fired*\n${whyText(f)}`));
  const changed = whatChanged(f);
  if (changed) blocks.push(section(`*What changed (window vs baseline)*\n${changed}`));

  const memberLines = members.map(
    (m) => `${m.status === 'firing' ? EMOJI[m.severity] : EMOJI.resolved} \`${escapeMrkdwn(m.kind)}\` ${escapeMrkdwn(m.finding.summary)}`,
  );
  const extraBlocks: Record<string, unknown>[] = [];
  if (members.length > 1) {
    const shown = memberLines.slice(0, MAX_MEMBERS_MAIN);
    blocks.push(section(`*All findings in this incident*\n${packLines(shown, SLACK_LIMITS.sectionText - 200)}${members.length > shown.length ? `\n…and ${members.length - shown.length} more in the thread` : ''}`));
    for (const chunk of chunkLines(memberLines.slice(MAX_MEMBERS_MAIN), SLACK_LIMITS.sectionText)) extraBlocks.push(section(chunk));
    // Per-member numbers of the others, for whoever opens the thread.
    for (const m of members.slice(1)) {
      extraBlocks.push(section(`*${escapeMrkdwn(m.finding.subject)}* (\`${escapeMrkdwn(m.kind)}\`)\n${whyText(m.finding)}`));
      const nums = beforeAfter(m.finding);
      if (nums.length) extraBlocks.push(fields(nums));
    }
  }

  const ex = examples(f, options.config.snippetChars);
  if (ex.length) {
    const mainEx = packLines(ex, SLACK_LIMITS.sectionText - 40);
    blocks.push(section(`*Examples from the window*\n${mainEx}`));
  }
  if (incident.suppressed.length) {
    const list = incident.suppressed.slice(0, 5).map((s) => `\`${s.kind}\` ${s.route}/${s.subject}`).join(', ');
    blocks.push(context([`:mute: Holding back ${incident.suppressed.length} dependent finding(s) while this fires: ${escapeMrkdwn(list)}${incident.suppressed.length > 5 ? ', …' : ''}`]));
  }

  const buttons = linkButtons(incident, f, options);
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons.slice(0, SLACK_LIMITS.actionsElements) });
  const page = reportPage(f, options);
  const reportText = options.config.reportUrl || page?.button ? '' : page ? ` · report ${escapeMrkdwn(page.url)}` : options.reportLocation ? ` · report ${escapeMrkdwn(options.reportLocation)}` : '';
  blocks.push(
    context([
      `${escapeMrkdwn(options.name ?? 'evalwatch')} · run \`${escapeMrkdwn(incident.lastRun.runId)}\` · window ${slackDate(Date.parse(incident.lastRun.windowStart))} → ${slackDate(Date.parse(incident.lastRun.windowEnd))}${reportText}`,
      `incident \`${incident.id}\` · rev ${incident.rev}`,
    ]),
  );

  // Summaries usually lead with their route already ("answer: output tokens …"); don't say it twice.
  const lead = f.summary.startsWith(`${incident.route}:`) || incident.route === '*' ? '' : `${incident.route}: `;
  const text = truncate(`[${resolved ? 'RESOLVED' : incident.severity.toUpperCase()}] ${lead}${f.summary}`, SLACK_LIMITS.messageText);
  // The report link is ours (a presigned URL carries an access key id the redactor would mask).
  const safeBlocks = restoreButtonUrl(redactor.value(blocks), 'report', buttons);
  const pages = paginateBlocks(safeBlocks, SLACK_LIMITS.blocks - 1);
  const mainBlocks = pages[0] as Record<string, unknown>[];
  const rest = [...pages.slice(1).flat(), ...redactor.value(extraBlocks)] as Record<string, unknown>[];
  const overflow = paginateBlocks(rest).map((p) => ({ text: truncate(`Details of ${incident.id}`, SLACK_LIMITS.messageText), blocks: p as Record<string, unknown>[] }));
  if (pages.length > 1) mainBlocks.push(context(['More details in the thread :thread:']));
  const main: SlackMessage = { text: redactor.text(text), blocks: mainBlocks };
  if (checkMessage(main).length) return { main: minimalMessage(incident, redactor), overflow };
  return { main, overflow: overflow.filter((m) => checkMessage(m).length === 0) };
}

/**
 * Renders a thread reply.
 *
 * @example
 * const reply = renderFollowUp(incident.followUps.at(-1)!, redactor);
 */
export function renderFollowUp(followUp: FollowUp, redactor: Redactor): SlackMessage {
  const text = redactor.text(followUp.text);
  return { text: truncate(text, SLACK_LIMITS.messageText), blocks: [section(text)] };
}

/**
 * A follow-up posted on its own in another channel (`FollowUp.alsoTo`): its text, and where the
 * incident's thread is, as a link when Slack gave one.
 *
 * @example
 * renderCrossPost(followUp, incident, { channel: 'C0LLM', link: 'https://x.slack.com/archives/C0LLM/p1700000000000100' }, redactor);
 */
export function renderCrossPost(followUp: FollowUp, incident: Incident, thread: { channel: string; link?: string }, redactor: Redactor): SlackMessage {
  const text = redactor.text(followUp.text);
  // A channel id renders as a channel link; a name (console sink, tests) is shown as it is.
  const where = /^[CG][A-Z0-9]{2,}$/.test(thread.channel) ? `<#${thread.channel}>` : escapeMrkdwn(thread.channel);
  const pointer = thread.link ? `<${thread.link}|Incident thread> in ${where}` : `Incident thread in ${where}`;
  return {
    text: truncate(`${text} (incident thread in ${where})`, SLACK_LIMITS.messageText),
    blocks: [section(text), context([`${pointer} · incident \`${incident.id}\``])],
  };
}

/**
 * The smallest message that still says what fired: used when a full rendering cannot be made to
 * fit (it always can; this is the guarantee that nothing is lost if a future change breaks that).
 *
 * @example
 * const msg = minimalMessage(incident, redactor);
 */
export function minimalMessage(incident: Incident, redactor: Redactor): SlackMessage {
  const top = sortedMembers(incident)[0];
  const what = top ? top.finding.summary : `${incident.family} on ${incident.route}`;
  const status = incident.status === 'resolved' ? 'RESOLVED' : incident.severity.toUpperCase();
  const text = redactor.text(`[${status}] ${incident.route}: ${what}`);
  return {
    text: truncate(text, SLACK_LIMITS.messageText),
    blocks: [header(redactor.text(`${status} · ${incident.route} · ${incident.family}`)), section(escapeMrkdwn(text)), context([`incident \`${incident.id}\` · rev ${incident.rev}`])],
  };
}

function sortedMembers(incident: Incident): IncidentMember[] {
  return Object.values(incident.members).sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) ||
      compareSeverity(b.severity, a.severity) ||
      b.lastSeen - a.lastSeen ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

/** `*p50*\n312 → 420 (+35%)` for every number present in both baseline and current. */
function beforeAfter(f: Finding): string[] {
  const out: string[] = [];
  for (const [key, after] of Object.entries(f.current)) {
    const before = f.baseline[key];
    if (typeof after !== 'number' || typeof before !== 'number' || !Number.isFinite(after) || !Number.isFinite(before)) continue;
    const pct = before !== 0 ? ` (${after >= before ? '+' : ''}${formatNumber(((after - before) / Math.abs(before)) * 100)}%)` : '';
    out.push(`*${escapeMrkdwn(key)}*\n${formatNumber(before)} → ${formatNumber(after)}${pct}`);
    if (out.length === SLACK_LIMITS.sectionFields) break;
  }
  return out;
}

function whyText(f: Finding): string {
  const s = f.stats;
  const parts: string[] = [`test \`${escapeMrkdwn(s.test)}\``];
  if (typeof s.statistic === 'number') parts.push(`statistic ${formatNumber(s.statistic)}`);
  for (const [k, v] of Object.entries(s.effect ?? {})) if (typeof v === 'number') parts.push(`${escapeMrkdwn(k)} ${formatNumber(v)}`);
  if (typeof s.qValue === 'number') parts.push(`q ${s.qValue < 1e-6 ? '< 1e-6' : `= ${formatNumber(s.qValue)}`}`);
  else if (typeof s.pValue === 'number') parts.push(`p ${s.pValue < 1e-6 ? '< 1e-6' : `= ${formatNumber(s.pValue)}`}`);
  const z = statNumber(f, 'z', 'sigma', 'zScore');
  if (z !== undefined && !(s.effect && ('z' in s.effect || 'sigma' in s.effect))) parts.push(`${formatNumber(z)}σ`);
  const burn = statNumber(f, 'burnRate');
  if (burn !== undefined && !(s.effect && 'burnRate' in s.effect)) parts.push(`burn rate ${formatNumber(burn)}×`);
  if (typeof s.n === 'number') parts.push(`n = ${formatNumber(s.n)}${typeof s.m === 'number' ? ` vs ${formatNumber(s.m)} baseline` : ''}`);
  return parts.join(' · ');
}

type Dist = Map<string, number>;

function asDist(v: unknown): Dist | undefined {
  if (typeof v === 'string') return new Map([[v, 1]]);
  if (Array.isArray(v)) {
    const m: Dist = new Map();
    for (const x of v) {
      if (typeof x === 'string') m.set(x, (m.get(x) ?? 0) + 1);
      // The drift pipeline's shape: [{ label, share }].
      else if (x && typeof x === 'object' && typeof (x as { label?: unknown }).label === 'string') {
        const o = x as { label: string; share?: unknown; count?: unknown };
        const w = typeof o.share === 'number' ? o.share : typeof o.count === 'number' ? o.count : 1;
        if (w > 0) m.set(o.label, (m.get(o.label) ?? 0) + w);
      }
    }
    return m.size ? m : undefined;
  }
  if (v && typeof v === 'object') {
    const m: Dist = new Map();
    for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && n > 0) m.set(k, n);
    return m.size ? m : undefined;
  }
  return undefined;
}

function shares(d: Dist): string {
  const total = [...d.values()].reduce((a, b) => a + b, 0);
  return [...d.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, n]) => `\`${escapeMrkdwn(truncate(k, 60))}\` ${Math.round((n / total) * 100)}%`)
    .join(', ');
}

/** Models and prompt-template versions seen in the window versus the baseline. */
function whatChanged(f: Finding): string {
  const lines: string[] = [];
  const dims: [string, RegExp][] = [
    ['models', /^(models?|model_mix)$/i],
    ['prompt templates', /^(prompt_?template_?versions?|promptTemplateVersions?|templates?)$/i],
  ];
  for (const [label, re] of dims) {
    const key = Object.keys(f.current).find((k) => re.test(k)) ?? Object.keys(f.baseline).find((k) => re.test(k));
    if (!key) continue;
    const now = asDist(f.current[key]);
    const then = asDist(f.baseline[key]);
    if (!now && !then) continue;
    const added = now && then ? [...now.keys()].filter((k) => !then.has(k)) : [];
    if (now && then && shares(now) === shares(then)) {
      // Saying "unchanged" rules the dimension out at a glance (no model swap, no new prompt).
      lines.push(`*${label}*: unchanged (${shares(now)})`);
      continue;
    }
    lines.push(
      `*${label}*: ${then ? shares(then) : 'unknown'} → ${now ? shares(now) : 'unknown'}${added.length ? ` · new: ${added.map((a) => `\`${escapeMrkdwn(truncate(a, 60))}\``).join(', ')}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** `• \`req-1\` “snippet…”` lines for up to 10 examples. */
function examples(f: Finding, snippetChars: number): string[] {
  const snippets = new Map<string, string>();
  const raw = f.current.snippets ?? f.current.exampleSnippets ?? f.current.examples;
  if (Array.isArray(raw)) {
    for (const e of raw) {
      if (!e || typeof e !== 'object') continue;
      const o = e as Record<string, unknown>;
      const id = o.request_id ?? o.requestId ?? o.id;
      const text = o.snippet ?? o.text ?? o.response;
      if (typeof id === 'string' && typeof text === 'string') snippets.set(id, text);
    }
  } else if (raw && typeof raw === 'object') {
    for (const [id, text] of Object.entries(raw)) if (typeof text === 'string') snippets.set(id, text);
  }
  const ids = [...new Set([...f.examples, ...snippets.keys()])].slice(0, MAX_EXAMPLES);
  return ids.map((id) => {
    const s = snippets.get(id);
    const one = s ? ` “${escapeMrkdwn(truncate(s.replace(/\s+/g, ' ').trim(), snippetChars))}”` : '';
    return `• \`${escapeMrkdwn(truncate(id, 100))}\`${one}`;
  });
}

function linkButtons(incident: Incident, f: Finding, options: RenderOptions): Record<string, unknown>[] {
  const ctx: LinkContext = {
    route: incident.route,
    from: incident.lastRun.windowStart,
    to: incident.lastRun.windowEnd,
    requestIds: f.examples.slice(0, MAX_EXAMPLES),
    runId: incident.lastRun.runId,
    kind: f.kind,
    subject: f.subject,
  };
  const buttons: Record<string, unknown>[] = [];
  const add = (label: string, url: string | undefined, id: string) => {
    if (!url || !/^https?:\/\//i.test(url)) return;
    buttons.push({ type: 'button', text: { type: 'plain_text', text: truncate(label, SLACK_LIMITS.buttonText), emoji: true }, url, action_id: truncate(id, SLACK_LIMITS.id) });
  };
  options.config.links.forEach((l, i) => add(l.label, fillTemplate(l.url, ctx), `link-${i}`));
  const taken = new Set(options.config.links.map((l) => l.label));
  for (const l of f.links.filter((x) => !taken.has(x.label)).slice(0, 5)) add(l.label, l.url.length <= SLACK_LIMITS.buttonUrl ? l.url : undefined, `finding-link-${buttons.length}`);
  const page = reportPage(f, options);
  if (options.config.reportUrl) {
    const filled = fillTemplate(options.config.reportUrl, ctx);
    add('Run report', filled && !filled.includes('#') ? `${filled}#${f.fingerprint}` : filled, 'report');
  } else if (page?.button) add('Run report', page.url, 'report');
  add(`Runbook: ${f.kind}`, runbookUrl(options.config.runbookBaseUrl, f.kind, f.subject), 'runbook');
  return buttons;
}

/** The last run's report.html at the finding's anchor; `button` when Slack can open it (http(s), within the URL limit). */
function reportPage(f: Finding, options: RenderOptions): { url: string; button: boolean } | undefined {
  if (!options.reportHref) return undefined;
  // Incident members carry `findingId(fingerprint)`, which is the report's anchor (`findingAnchor`).
  const url = `${options.reportHref.replace(/#.*$/, '')}#${f.fingerprint}`;
  return { url, button: /^https?:\/\//i.test(url) && url.length <= SLACK_LIMITS.buttonUrl };
}

/** Puts back the URL of the button `actionId` after redaction (it is ours, not capture text). */
function restoreButtonUrl(blocks: Record<string, unknown>[], actionId: string, original: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const url = original.find((b) => b.action_id === actionId)?.url;
  if (typeof url !== 'string') return blocks;
  for (const b of blocks) {
    if (b.type !== 'actions' || !Array.isArray(b.elements)) continue;
    for (const e of b.elements as Record<string, unknown>[]) if (e.action_id === actionId) e.url = url;
  }
  return blocks;
}

function packLines(lines: string[], max: number): string {
  let out = '';
  for (const l of lines) {
    const next = out ? `${out}\n${l}` : l;
    if (next.length > max) return out || truncate(l, max);
    out = next;
  }
  return out;
}

function chunkLines(lines: string[], max: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  for (const raw of lines) {
    const l = truncate(raw, max);
    if (cur && cur.length + 1 + l.length > max) {
      chunks.push(cur);
      cur = l;
    } else cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) chunks.push(cur);
  return chunks;
}
