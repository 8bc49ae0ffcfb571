import type { Finding, RunReport } from '../report/types.ts';
import type { AlertsConfig } from './config.ts';
import { alertTimings } from './config.ts';
import { compactStamp, humanDuration, shortHash, slackDate } from './format.ts';
import {
  activeSilences,
  channelFor,
  compareSeverity,
  familyOf,
  globMatch,
  maxSeverity,
  policySeverity,
  silenceFor,
  tooFewSamples,
  type ActiveSilence,
} from './policy.ts';
import { createRedactor, type Redactor } from './redact.ts';
import type { AlertAction, FollowUp, Incident, IncidentMember, RouteResult, SuppressedFinding } from './types.ts';

export interface RouteInput {
  /** The run report whose findings are routed. */
  readonly runReport: RunReport;
  /** The decision time (epoch ms), from the injected clock. */
  readonly now: number;
  /** The validated `alerts` config. */
  readonly config: AlertsConfig;
  /** The latest incident of every group, as persisted. Default: none (first run). */
  readonly incidents?: readonly Incident[];
  /** Silences from the results store (`evalwatch silence`); config silences are added. Default: none. */
  readonly silences?: readonly ActiveSilence[];
  /** Redacts findings before they enter an incident. Default: built from `config.redaction`. */
  readonly redactor?: Redactor;
  /** Results-store key of the report, shown and linked on the alert. Default: none. */
  readonly reportKey?: string;
}

/** Members kept per incident beyond those firing (cleared ones are dropped after this many). */
const MAX_CLEARED_MEMBERS = 50;
const MAX_FOLLOW_UPS = 50;

interface MemberMeta {
  /** Pipeline that produced the member; only its reports can clear it. */
  pipeline: string;
  /** Window end of the last report that evaluated it, so replays and stale reports change nothing. */
  evaluatedWindowEnd: string;
  evaluatedRunId: string;
}

type Member = IncidentMember & Partial<MemberMeta>;

/**
 * Turns one run report's findings into incident changes and the messages they need: the one
 * place every pipeline's findings become alerts. A plain function over plain data: the caller
 * loads the incidents, persists `result.incidents` and delivers `result.actions`.
 *
 * - fingerprint → incident, grouped by pipeline family and route (`groupBy`);
 * - severity from the finding, raised by effect size or SLO burn; `minSeverity` decides posting;
 * - the minimum-sample guard, dependency suppression and silences, each counted in `suppressed`;
 * - a member clears on `state: 'resolved'`, or when absent from `resolveAfterRuns` measured
 *   reports of its pipeline (an `unmeasurable` or `failed` report never clears anything);
 * - an incident that fires again within `cooldown` of resolving is reopened, not duplicated;
 * - at most one notifying thread reply per `renotify` interval (escalation to critical excepted);
 *   a resolve notice that has to wait is sent by a later pass.
 * - a report older than the one an incident has already seen changes nothing, and routing the
 *   same report twice yields no actions the second time.
 *
 * @example
 * const { actions, incidents } = routeFindings({ runReport, now: Date.now(), config: resolveAlertsConfig(), incidents: prior });
 * await saveIncidents(store, incidents);
 * await outbox.enqueue(actions);
 */
export function routeFindings(input: RouteInput): RouteResult {
  const { runReport: report, now, config } = input;
  const { renotifyMs, cooldownMs } = alertTimings(config);
  const redactor = input.redactor ?? createRedactor(config.redaction);
  const silences = [...activeSilences(config.silences), ...(input.silences ?? [])];
  const measured = report.status === 'ok' || report.status === 'degraded';
  const windowEnd = report.window.end;

  const before = new Map<string, string>();
  const groups = new Map<string, Incident>();
  for (const inc of input.incidents ?? []) {
    const copy = structuredClone(inc);
    groups.set(inc.groupKey, copy);
    before.set(inc.groupKey, visibleState(copy));
  }
  const issued = new Map<string, number[]>();
  const suppressed: SuppressedFinding[] = [];
  const counts = { findings: report.findings.length, firing: 0, pending: 0, resolved: 0, suppressed: 0, ignoredStale: 0 };

  const suppress = (f: Finding, reason: SuppressedFinding['reason'], detail?: string) => {
    suppressed.push({ fingerprint: f.fingerprint, kind: f.kind, route: f.route, subject: f.subject, reason, ...(detail ? { detail } : {}) });
  };
  const followUp = (inc: Incident, reason: FollowUp['reason'], text: string, broadcast = false, alsoTo?: string) => {
    inc.followUpSeq += 1;
    inc.followUps.push({ seq: inc.followUpSeq, reason, at: now, text: redactor.text(text), broadcast, ...(alsoTo ? { alsoTo } : {}) });
    if (inc.followUps.length > MAX_FOLLOW_UPS) inc.followUps.splice(0, inc.followUps.length - MAX_FOLLOW_UPS);
    inc.lastNotifiedAt = now;
    const list = issued.get(inc.groupKey) ?? [];
    list.push(inc.followUpSeq);
    issued.set(inc.groupKey, list);
  };
  const budget = (inc: Incident) => now - inc.lastNotifiedAt >= renotifyMs;
  const alreadyEvaluated = (m: Member) =>
    m.evaluatedWindowEnd !== undefined &&
    m.pipeline === report.pipeline &&
    (m.evaluatedWindowEnd > windowEnd || (m.evaluatedWindowEnd === windowEnd && m.evaluatedRunId === report.runId));

  // Classify: explicit resolves, pending, firing.
  const firing: Finding[] = [];
  const resolvedFps = new Set<string>();
  // Incidents key findings by a hash of their fingerprint: a pipeline may build fingerprints from
  // subjects that carry data, and incident state travels to Redis and the results store.
  const incoming = report.findings.map((f) => ({ ...f, fingerprint: findingId(f.fingerprint) }));
  for (const raw of incoming) {
    if (raw.state === 'resolved') {
      counts.resolved += 1;
      resolvedFps.add(raw.fingerprint);
    } else if (raw.state === 'pending') {
      counts.pending += 1;
      suppress(raw, 'pending');
    } else {
      counts.firing += 1;
      firing.push(raw);
    }
  }

  // Dependency causes: firing in this report, or firing members of open incidents from others.
  const causes: Finding[] = [...firing];
  for (const inc of groups.values()) {
    if (inc.status !== 'open') continue;
    for (const m of Object.values(inc.members)) if (m.status === 'firing' && !firing.some((f) => f.fingerprint === m.fingerprint)) causes.push(m.finding);
  }
  const dependencyCause = (f: Finding): Finding | undefined => {
    for (const rule of config.dependencies) {
      if (rule.when.some((w) => globMatch(w, f.kind))) continue;
      if (!rule.suppress.some((s) => globMatch(s, f.kind))) continue;
      const cause = causes.find(
        (c) => c.fingerprint !== f.fingerprint && rule.when.some((w) => globMatch(w, c.kind)) && (rule.scope === 'global' || c.route === '*' || c.route === f.route),
      );
      if (cause) return cause;
    }
    return undefined;
  };

  const accepted: Finding[] = [];
  for (const f of firing) {
    const cause = dependencyCause(f);
    if (cause) {
      suppress(f, 'dependency', cause.fingerprint);
      continue;
    }
    const silence = silenceFor(silences, f, now);
    if (silence) {
      suppress(f, 'silenced', silence.id);
      continue;
    }
    if (tooFewSamples(f, config.minSamples)) {
      suppress(f, 'insufficient_data', `n=${String(f.stats.n ?? '?')}, m=${String(f.stats.m ?? '?')} < ${config.minSamples}`);
      continue;
    }
    accepted.push(f);
  }
  counts.suppressed = suppressed.filter((s) => s.reason !== 'pending').length;

  // Firing findings into incidents.
  const byGroup = new Map<string, Finding[]>();
  for (const f of accepted) {
    const key = groupKeyOf(config, f);
    const list = byGroup.get(key) ?? [];
    list.push(f);
    byGroup.set(key, list);
  }
  for (const [key, findings] of byGroup) {
    const first = findings[0] as Finding;
    let inc = groups.get(key);
    const fresh = inc === undefined || (inc.status === 'resolved' && now - (inc.resolvedAt ?? 0) > cooldownMs);
    if (fresh) {
      inc = newIncident(key, first, report, now, input.reportKey);
      groups.set(key, inc);
    } else if (inc && findings.every((f) => inc?.members[f.fingerprint] && alreadyEvaluated(inc.members[f.fingerprint] as Member))) {
      counts.ignoredStale += findings.length;
      continue;
    }
    const current = inc as Incident;
    const wasResolved = current.status === 'resolved';
    const wasSeverity = current.severity;
    const wasNotify = current.notify;
    const added: Finding[] = [];
    for (const raw of findings) {
      const prior = current.members[raw.fingerprint] as Member | undefined;
      if (prior && alreadyEvaluated(prior)) {
        counts.ignoredStale += 1;
        continue;
      }
      const f: Finding = { ...redactor.value(raw), fingerprint: raw.fingerprint };
      const member: Member = {
        fingerprint: f.fingerprint,
        kind: f.kind,
        subject: f.subject,
        severity: policySeverity(f, config.severityPolicy),
        status: 'firing',
        firstSeen: prior && prior.status === 'firing' ? prior.firstSeen : now,
        lastSeen: now,
        clearRuns: 0,
        finding: f,
        pipeline: report.pipeline,
        evaluatedWindowEnd: windowEnd,
        evaluatedRunId: report.runId,
      };
      if (!prior || prior.status !== 'firing') added.push(f);
      current.members[f.fingerprint] = member;
    }
    refreshIncident(current, config, report, input.reportKey, now);
    if (fresh) continue;
    if (wasResolved && current.status === 'open') {
      current.reopened += 1;
      current.resolvedAt = undefined;
      current.resolveNoticePending = false;
      if (current.notify && budget(current)) {
        followUp(current, 'reopened', `:repeat: Firing again${current.reopened > 1 ? ` (reopened ${current.reopened}×, flapping)` : ''}: ${added.map((f) => f.summary).join(' · ') || first.summary}`);
      }
    } else if (wasNotify && compareSeverity(current.severity, wasSeverity) > 0 && current.severity === 'critical') {
      // The critical channel hears of it too when a rule sends criticals elsewhere (on-call).
      const critical = channelFor(config, { severity: 'critical', route: current.route, kind: topMember(current)?.kind ?? current.family });
      followUp(current, 'escalated', `:rotating_light: Escalated to *critical*: ${topSummary(current)}`, true, critical !== current.channel ? critical : undefined);
    } else if (wasNotify && added.length > 0 && budget(current)) {
      followUp(current, 'new-member', `:heavy_plus_sign: Also firing now: ${added.map((f) => f.summary).join(' · ')}`);
    }
  }

  // Clearing: explicit resolves and absences, only from measured reports of the same pipeline.
  const presentFps = new Set(incoming.map((f) => f.fingerprint));
  const unmeasuredKeys = new Set(report.unmeasured.map((u) => `${u.route}|${u.subject}`));
  for (const inc of groups.values()) {
    if (inc.status !== 'open') continue;
    let touched = false;
    for (const m of Object.values(inc.members) as Member[]) {
      if (m.status !== 'firing' || (m.pipeline !== undefined && m.pipeline !== report.pipeline) || alreadyEvaluated(m)) continue;
      if (resolvedFps.has(m.fingerprint)) {
        m.status = 'cleared';
      } else if (!presentFps.has(m.fingerprint)) {
        if (!measured || unmeasuredKeys.has(`${m.finding.route}|${m.subject}`)) continue;
        m.clearRuns += 1;
        if (m.clearRuns >= config.resolveAfterRuns) m.status = 'cleared';
      } else {
        continue;
      }
      m.evaluatedWindowEnd = windowEnd;
      m.evaluatedRunId = report.runId;
      touched = true;
    }
    if (!touched) continue;
    refreshIncident(inc, config, report, input.reportKey, now);
    // refreshIncident may have resolved it (TypeScript still narrows to 'open' from the guard above).
    if ((inc.status as Incident['status']) === 'resolved') {
      inc.resolvedAt = now;
      inc.resolveNoticePending = inc.notify;
    }
  }

  // Resolve notices wait for the renotify budget, so a flapping metric does not post every hour.
  for (const inc of groups.values()) {
    if (inc.status === 'resolved' && inc.resolveNoticePending && budget(inc)) {
      inc.resolveNoticePending = false;
      followUp(inc, 'resolved', `:white_check_mark: Resolved ${slackDate(inc.resolvedAt ?? now)} after ${humanDuration((inc.resolvedAt ?? now) - inc.openedAt)}.`);
    } else if (inc.status === 'open' && inc.notify && budget(inc) && !issued.has(inc.groupKey) && byGroup.has(inc.groupKey)) {
      followUp(inc, 'renotify', `:hourglass_flowing_sand: Still firing since ${slackDate(inc.openedAt)}: ${topSummary(inc)}`);
    }
  }

  // Dependents held back by an incident's cause are shown on that incident.
  for (const inc of groups.values()) {
    const mine = suppressed.filter((s) => s.reason === 'dependency' && s.detail !== undefined && inc.members[s.detail]?.status === 'firing');
    if (mine.length === 0) continue;
    const merged = new Map(inc.suppressed.map((s) => [s.fingerprint, s]));
    for (const s of mine) merged.set(s.fingerprint, s);
    inc.suppressed = [...merged.values()].slice(-50);
  }

  // Persist what changed. The message is edited when what it shows changed (a new revision);
  // new follow-ups alone are thread replies and leave the message as it is.
  const actions: AlertAction[] = [];
  const incidents: Incident[] = [];
  for (const [key, inc] of groups) {
    const prior = findPrior(input.incidents, key);
    const seqs = issued.get(key) ?? [];
    const same = prior !== undefined && prior.id === inc.id;
    const msgChanged = !same || before.get(key) !== visibleState(inc);
    if (msgChanged) {
      inc.rev = (same ? prior.rev : 0) + 1;
      inc.updatedAt = now;
    } else if (seqs.length === 0 && JSON.stringify(prior) === JSON.stringify(inc)) {
      continue;
    }
    incidents.push(inc);
    if (!msgChanged && seqs.length === 0) continue;
    const firstPost = inc.notify && (!same || !prior.notify);
    const type: AlertAction['type'] = !inc.notify
      ? 'track'
      : firstPost
        ? 'open'
        : !msgChanged
          ? 'reply'
          : inc.status === 'resolved' && prior?.status === 'open'
            ? 'resolve'
            : 'update';
    actions.push({ type, incident: inc, followUps: seqs });
  }
  return { actions, incidents, suppressed, counts };
}

/**
 * The id an incident keys a finding by: a hash of its fingerprint.
 *
 * @example
 * findingId('drift.numeric|chat|output_tokens'); // 'f' + 16 hex characters
 */
export function findingId(fingerprint: string): string {
  return `f${shortHash(fingerprint, 16)}`;
}

function findPrior(list: readonly Incident[] | undefined, key: string): Incident | undefined {
  return list?.find((i) => i.groupKey === key);
}

/**
 * The group an incident is keyed by.
 *
 * @example
 * groupKeyOf(config, finding); // 'drift|chat'
 */
export function groupKeyOf(config: Pick<AlertsConfig, 'groupBy'>, f: Pick<Finding, 'kind' | 'route' | 'fingerprint'>): string {
  return config.groupBy === 'fingerprint' ? `fp|${f.fingerprint}` : `${familyOf(f.kind)}|${f.route}`;
}

function newIncident(groupKey: string, f: Finding, report: RunReport, now: number, reportKey: string | undefined): Incident {
  return {
    v: 1,
    id: `inc-${shortHash(groupKey, 10)}-${compactStamp(now)}`,
    groupKey,
    family: familyOf(f.kind),
    route: f.route,
    status: 'open',
    severity: f.severity,
    notify: false,
    channel: '',
    openedAt: now,
    updatedAt: now,
    lastNotifiedAt: now,
    rev: 0,
    reopened: 0,
    resolveNoticePending: false,
    members: {},
    suppressed: [],
    lastRun: runRef(report, reportKey),
    followUps: [],
    followUpSeq: 0,
  };
}

function runRef(report: RunReport, reportKey: string | undefined): Incident['lastRun'] {
  return {
    runId: report.runId,
    pipeline: report.pipeline,
    windowStart: report.window.start,
    windowEnd: report.window.end,
    ...(reportKey ? { reportKey } : {}),
  };
}

function refreshIncident(inc: Incident, config: AlertsConfig, report: RunReport, reportKey: string | undefined, now: number): void {
  const members = Object.values(inc.members);
  const live = members.filter((m) => m.status === 'firing');
  if (live.length > 0) {
    inc.status = 'open';
    inc.severity = live.map((m) => m.severity).reduce(maxSeverity);
  } else {
    inc.status = 'resolved';
  }
  const notify = compareSeverity(inc.severity, config.minSeverity) >= 0;
  if (notify && !inc.notify) {
    inc.notify = true;
    inc.lastNotifiedAt = now;
    inc.channel = channelFor(config, { severity: inc.severity, route: inc.route, kind: (live[0] ?? members[0])?.kind ?? inc.family });
  }
  inc.lastRun = runRef(report, reportKey);
  const cleared = members.filter((m) => m.status === 'cleared').sort((a, b) => a.lastSeen - b.lastSeen);
  for (const m of cleared.slice(0, Math.max(0, cleared.length - MAX_CLEARED_MEMBERS))) delete inc.members[m.fingerprint];
}

/** The incident's firing members, most severe first. */
function liveMembers(inc: Incident): IncidentMember[] {
  return Object.values(inc.members)
    .filter((m) => m.status === 'firing')
    .sort((a, b) => compareSeverity(b.severity, a.severity));
}

function topMember(inc: Incident): IncidentMember | undefined {
  return liveMembers(inc)[0];
}

function topSummary(inc: Incident): string {
  const live = liveMembers(inc);
  const top = live[0];
  if (!top) return 'no finding is firing';
  return live.length > 1 ? `${top.finding.summary} (+${live.length - 1} more)` : top.finding.summary;
}

/** What the message shows; a change of it means a `chat.update`. Timestamps of sightings are not part of it. */
function visibleState(inc: Incident): string {
  return JSON.stringify({
    id: inc.id,
    status: inc.status,
    severity: inc.severity,
    notify: inc.notify,
    reopened: inc.reopened,
    suppressed: inc.suppressed.length,
    members: Object.values(inc.members)
      .map((m) => [m.fingerprint, m.status, m.severity, m.finding.summary, m.finding.stats, m.finding.current, m.finding.baseline])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  });
}
