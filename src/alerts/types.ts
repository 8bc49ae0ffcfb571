import type { Finding, PipelineName, Severity } from '../report/types.ts';

/** One finding tracked inside an incident. */
export interface IncidentMember {
  readonly fingerprint: string;
  readonly kind: string;
  readonly subject: string;
  /** Severity after the router's policy (effect size, SLO impact), not only the pipeline's. */
  severity: Severity;
  /** `cleared` once resolved by its pipeline or absent from enough measured reports. */
  status: 'firing' | 'cleared';
  firstSeen: number;
  lastSeen: number;
  /** Consecutive measured reports without this finding. */
  clearRuns: number;
  /** The latest firing finding, already redacted. */
  finding: Finding;
}

/** A thread reply decided by the router; rendered and posted by the delivery layer. */
export interface FollowUp {
  /** Sequence number within the incident, from 1; with the incident id it names the message. */
  readonly seq: number;
  readonly reason: 'opened' | 'new-member' | 'escalated' | 'renotify' | 'reopened' | 'resolved';
  readonly at: number;
  /** mrkdwn, already redacted. */
  readonly text: string;
  /** Also shows the reply in the channel (escalations only). */
  readonly broadcast: boolean;
  /**
   * Also posted as a message of its own in this channel, linking to the thread: an escalation to
   * critical whose channel rule names another channel than the one the incident opened in (say
   * criticals to `#oncall`). The incident itself stays where it is.
   */
  readonly alsoTo?: string;
}

/** A finding that was not turned into a notification, and why. Counted, never silently dropped. */
export interface SuppressedFinding {
  readonly fingerprint: string;
  readonly kind: string;
  readonly route: string;
  readonly subject: string;
  readonly reason: 'silenced' | 'dependency' | 'insufficient_data' | 'below_min_severity' | 'pending';
  /** The silence id or the cause fingerprint. */
  readonly detail?: string;
}

/**
 * An incident: what one Slack message (and its thread) is about. Persisted by the router, and
 * carried whole in each delivery job so a message can be rendered without reading the store.
 */
export interface Incident {
  readonly v: 1;
  /** `inc-<group hash>-<opened at>`: safe in job ids and store keys. */
  readonly id: string;
  /** `<family>|<route>` (or `fp|<fingerprint>`); one live incident per group. */
  readonly groupKey: string;
  /** First segment of the kinds: `drift`, `judge`, `golden`, `slo`, `cost`. */
  readonly family: string;
  readonly route: string;
  status: 'open' | 'resolved';
  severity: Severity;
  /** Whether it notifies at all (severity ≥ `minSeverity`); a quiet incident is tracked only. */
  notify: boolean;
  channel: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt?: number;
  /** Last notifying message (post or reply); the renotify interval counts from here. */
  lastNotifiedAt: number;
  /** Visible revision: bumped on every change of the message; delivery updates to the latest. */
  rev: number;
  /** Times it fired again within the cooldown after resolving. */
  reopened: number;
  /** A resolve notice that waits for the renotify budget; sent by a later routing pass. */
  resolveNoticePending: boolean;
  members: Record<string, IncidentMember>;
  /** Dependent findings held back by this incident's cause, or by silences, in the latest run. */
  suppressed: SuppressedFinding[];
  /** The latest report that changed it. */
  lastRun: { runId: string; pipeline: PipelineName; windowStart: string; windowEnd: string; reportKey?: string };
  /** Thread replies, oldest first (the last 50 kept). */
  followUps: FollowUp[];
  /** Sequence of the last follow-up ever issued. */
  followUpSeq: number;
}

/** What routing decided for one incident in one pass. */
export interface AlertAction {
  /**
   * `open`: a new message. `update`: edit it in place (no notification). `resolve`: edit it to
   * resolved. `reply`: post the incident's new follow-ups in its thread. `track`: state changed but
   * nothing to send (a quiet incident).
   */
  readonly type: 'open' | 'update' | 'resolve' | 'reply' | 'track';
  readonly incident: Incident;
  /** Follow-ups issued in this pass (seq numbers). */
  readonly followUps: number[];
}

/** The outcome of one routing pass. */
export interface RouteResult {
  readonly actions: AlertAction[];
  /** Every incident whose state changed, to persist. */
  readonly incidents: Incident[];
  /** Findings that did not notify, with the reason. */
  readonly suppressed: SuppressedFinding[];
  /** Findings the pass looked at, by outcome, for logs and metrics. */
  readonly counts: { findings: number; firing: number; pending: number; resolved: number; suppressed: number; ignoredStale: number };
}
