/**
 * Alerts: findings → incidents (state, dedup, cooldown) → Slack Block Kit → durable delivery.
 *
 *   routeFindings / routeAndRecord  →  AlertAction[]  →  createAlertOutbox().enqueue (BullMQ, Slack)
 *                                                     →  deliverInline (no Redis: Slack or console/file)
 */
export { alertsConfigSchema, resolveAlertsConfig, alertTimings, type AlertsConfig, type AlertsConfigInput } from './config.ts';
export { routeFindings, groupKeyOf, findingId, type RouteInput } from './router.ts';
export { routeAndRecord, loadIncidents, saveIncidents, createSilence, listSilences, expireSilence, IncidentConflictError, IncidentStateError } from './state.ts';
export type { Incident, IncidentMember, AlertAction, FollowUp, SuppressedFinding, RouteResult } from './types.ts';
export { renderIncident, renderFollowUp, minimalMessage, type RenderOptions, type RenderedIncident, type SlackMessage } from './blocks.ts';
export { checkMessage, paginateBlocks, SLACK_LIMITS, type LimitProblem } from './limits.ts';
export { fillTemplate, runbookAnchor, runbookUrl, createReportLinker, withReportLink, type LinkContext, type ReportLinker, type ReportLinkerOptions } from './links.ts';
export { createRedactor, pinoRedaction, luhnValid, ibanValid, RedactionPatternError, type Redactor, type RedactorOptions } from './redact.ts';
export { createSlackClient, createWebApiPoster, classifySlackError, ALERT_EVENT_TYPE, type SlackPoster, type PostRequest } from './slack.ts';
export { syncIncident, readDeliveryRecord, DeliveryBusyError, RateLimitedDelayError, PermanentDeliveryError, type DeliveryOptions, type SyncOutcome } from './delivery.ts';
export { createChannelPacer, ChannelHeldError, type ChannelPacer } from './pacer.ts';
export { createAlertOutbox, syncJobId, ALERTS_QUEUE, type AlertOutbox, type AlertOutboxOptions, type SyncJobData } from './outbox.ts';
export { createFileSink, deliverInline, type AlertSink, type SinkEntry, type DeliverInlineOptions } from './sink.ts';
export { compareSeverity, policySeverity, tooFewSamples, channelFor, globMatch, type ActiveSilence } from './policy.ts';
