import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../config/duration.ts';

/**
 * The `alerts` section of `worker.config.ts`. Every key has a default, so `alertsConfigSchema.parse({})`
 * is a working configuration: console + file sink without a Slack token, one channel with a token.
 * Secrets (the Slack bot token) are not part of it: `SLACK_BOT_TOKEN` comes from the environment.
 */

// Not `durationSchema` from `src/config/schema.ts`: that module imports this one (a cycle).
const duration = z.string().regex(DURATION_PATTERN, 'a duration such as "15m", "4h" or "7d"');
const severity = z.enum(['info', 'warning', 'critical']);

/**
 * A glob over kinds, routes, subjects: `*` matches any run of characters, everything else is literal.
 * `drift.*` matches `drift.numeric`; `*` matches everything.
 */
const glob = z.string().min(1);

export const channelRuleSchema = z
  .object({
    /** Slack channel id (`C0123…`) or name (`#llm-alerts`). */
    channel: z.string().min(1),
    /** Severities this rule takes. Default: all. */
    severities: z.array(severity).optional(),
    /** Route globs this rule takes. Default: all routes. */
    routes: z.array(glob).optional(),
    /** Finding-kind globs this rule takes (`slo.*`). Default: all kinds. */
    kinds: z.array(glob).optional(),
  })
  .strict();

export const silenceSchema = z
  .object({
    /** Shown in the message and the logs; default: derived from the matchers. */
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').optional(),
    /** Finding-kind glob. Default `*`. */
    kind: glob.default('*'),
    /** Route glob. Default `*`. */
    route: glob.default('*'),
    /** Subject (feature, metric, suite) glob. Default `*`. */
    subject: glob.default('*'),
    /** One exact fingerprint, when set. */
    fingerprint: z.string().optional(),
    /** RFC 3339 expiry. Required: a silence without an end is a forgotten silence. */
    expiresAt: z.iso.datetime({ offset: true }),
    /** Why, and who; shown to whoever wonders why nothing fired. */
    comment: z.string().default(''),
    createdBy: z.string().default('config'),
  })
  .strict();

export const dependencyRuleSchema = z
  .object({
    /** Kinds that, while firing, make the dependent findings untrustworthy. */
    when: z.array(glob).min(1),
    /** Kinds suppressed while a `when` finding fires (the `when` kinds themselves never are). */
    suppress: z.array(glob).min(1),
    /**
     * `route`: a cause suppresses dependents on its own route (a cause on route `*` on every route).
     * `global`: on every route. Default `route`.
     */
    scope: z.enum(['route', 'global']).default('route'),
  })
  .strict();

export const linkTemplateSchema = z
  .object({
    /** Button text, at most 75 characters (Slack's limit). */
    label: z.string().min(1).max(75),
    /** URL with `{route}`, `{from}`, `{to}` (ISO), `{from_ms}`, `{to_ms}`, `{request_ids}`, `{run_id}`, `{kind}`, `{subject}`. */
    url: z.string().min(1),
  })
  .strict();

export const severityPolicySchema = z
  .object({
    /** KS D at or above which a numeric drift is critical. Default 0.3. */
    criticalKsD: z.number().min(0).max(1).default(0.3),
    /** Jensen-Shannon distance at or above which a categorical drift is critical. Default 0.3. */
    criticalJsDistance: z.number().min(0).max(1).default(0.3),
    /** Relative change (|after/before − 1|) at or above which a rate or metric change is critical. Default 1 (×2). */
    criticalRelativeChange: z.number().min(0).default(1),
    /** |z| at or above which a sigma anomaly is critical. Default 8. */
    criticalSigma: z.number().positive().default(8),
    /** SLO burn rate at or above which a burn is critical (Google SRE fast burn, 2% of a 30-day budget in 1 h). Default 14.4. */
    criticalBurnRate: z.number().positive().default(14.4),
    /** SLO burn rate at or above which a burn is at least a warning. Default 6. */
    warningBurnRate: z.number().positive().default(6),
  })
  .strict();

export const redactionSchema = z
  .object({
    /** Extra patterns (JavaScript regular expressions, applied with the `g` flag) replaced by `[redacted]`. */
    patterns: z.array(z.string().min(1)).default([]),
    /** Turn off a built-in detector, e.g. `["phone"]` when numbers in prompts are false positives. Default: none. */
    disable: z.array(z.enum(['email', 'phone', 'card', 'iban', 'jwt', 'bearer', 'apiKey', 'awsKey', 'privateKey', 'urlCredentials'])).default([]),
  })
  .strict();

export const sinkSchema = z
  .object({
    /** JSON Lines file the embedded sink appends every message to. Default `.evalwatch/alerts.jsonl`. */
    path: z.string().min(1).default('.evalwatch/alerts.jsonl'),
    /** Also print a short text rendering on standard error. Default true. */
    console: z.boolean().default(true),
  })
  .strict();

export const alertsConfigSchema = z
  .object({
    /** Default Slack channel when no `channels` rule matches. Without `SLACK_BOT_TOKEN` alerts go to the sink. */
    slackChannel: z.string().optional(),
    /**
     * Channel rules, first match wins; e.g. criticals to `#oncall`, `slo.*` to `#finops`. An
     * incident stays in the channel it opened in; an escalation to critical is also posted, with a
     * link to its thread, in the channel a critical would go to. Default: none.
     */
    channels: z.array(channelRuleSchema).default([]),
    /** Lowest severity that notifies; lower ones are tracked as incidents but not posted. Default `warning`. */
    minSeverity: severity.default('warning'),
    /**
     * Findings with fewer samples than this (`stats.n`, and `stats.m` for the baseline when present)
     * never notify: counted as `insufficient_data`. Default 50.
     */
    minSamples: z.number().int().min(0).default(50),
    /**
     * Least time between two notifying thread replies of one incident (still firing, reopened,
     * new member, resolved). An escalation to critical is the one exception. Default `4h`.
     */
    renotify: duration.default('4h'),
    /**
     * A resolved incident that fires again within this time is reopened (same message, same
     * thread) instead of a new incident: a flapping metric stays one incident. Default `4h`.
     */
    cooldown: duration.default('4h'),
    /**
     * A member absent from this many consecutive measured reports of its pipeline counts as clear.
     * A finding with `state: 'resolved'` clears at once (its pipeline already applied hysteresis). Default 2.
     */
    resolveAfterRuns: z.number().int().min(1).default(2),
    /** `route`: the findings of one pipeline family on one route form one incident. `fingerprint`: one incident per finding. Default `route`. */
    groupBy: z.enum(['route', 'fingerprint']).default('route'),
    /** Dependency suppression. Default: judge/provider outages suppress the quality findings that rely on them. */
    dependencies: z.array(dependencyRuleSchema).default([
      { when: ['judge.unhealthy', 'judge.unavailable'], suppress: ['judge.*', 'golden.*'], scope: 'route' },
      { when: ['provider.outage'], suppress: ['drift.*', 'judge.*', 'golden.*', 'cost.*'], scope: 'route' },
    ]),
    /** Silences from the config; `evalwatch silence` adds more in the results store. Default: none. */
    silences: z.array(silenceSchema).default([]),
    /** Investigation links on every alert. Default: none (the run report link is always added). */
    links: z.array(linkTemplateSchema).default([]),
    /** Base URL of the runbooks; `#<anchor>` is appended per finding kind. Default: the runbooks in this repository. */
    runbookBaseUrl: z.string().default('https://github.com/evalwatch/evalwatch/blob/main/docs/runbooks.md'),
    /** Link template of the run report, e.g. `https://reports.example.com/{run_id}`. Default: none (store location shown as text). */
    reportUrl: z.string().optional(),
    /**
     * Public base URL under which the results store's keys are served (a static site or CDN in
     * front of the bucket): alerts link to `<base>/runs/<date>/<run-id>/report.html#<finding>`.
     * Default: none (a presigned S3 link on the S3 store, a `file://` path on the fs store).
     */
    reportBaseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as "https://reports.example.com/evalwatch"' }).optional(),
    /** Lifetime of presigned S3 links to report.html (S3 store, no `reportUrl`/`reportBaseUrl`); at most `7d`, S3's limit. Default `7d`. */
    reportLinkExpiry: duration.default('7d').refine((d) => parseDuration(d) <= 7 * 86_400_000, 'at most "7d" (S3 presigned URLs expire within 7 days)'),
    severityPolicy: severityPolicySchema.default(severityPolicySchema.parse({})),
    redaction: redactionSchema.default(redactionSchema.parse({})),
    /** The embedded sink used without a Slack token (and by `--inline` runs). */
    sink: sinkSchema.default(sinkSchema.parse({})),
    /** Characters of each example snippet shown. Default 200. */
    snippetChars: z.number().int().min(20).max(1000).default(200),
  })
  .strict();

/** What a user writes under `alerts:`. */
export type AlertsConfigInput = z.input<typeof alertsConfigSchema>;
/** The validated alerts configuration, defaults filled in. */
export type AlertsConfig = z.output<typeof alertsConfigSchema>;
export type SilenceConfig = z.output<typeof silenceSchema>;
export type DependencyRule = z.output<typeof dependencyRuleSchema>;
export type ChannelRule = z.output<typeof channelRuleSchema>;

/**
 * Parses an alerts configuration with every default filled in.
 *
 * @example
 * const alerts = resolveAlertsConfig({ slackChannel: '#llm-alerts', renotify: '8h' });
 * alerts.cooldown; // '4h'
 */
export function resolveAlertsConfig(input: AlertsConfigInput = {}): AlertsConfig {
  return alertsConfigSchema.parse(input);
}

/** Durations of an {@link AlertsConfig} in milliseconds. */
export interface AlertTimings {
  readonly renotifyMs: number;
  readonly cooldownMs: number;
}

/**
 * The durations of a config in milliseconds.
 *
 * @example
 * alertTimings(resolveAlertsConfig()).renotifyMs; // 14_400_000
 */
export function alertTimings(config: AlertsConfig): AlertTimings {
  return { renotifyMs: parseDuration(config.renotify), cooldownMs: parseDuration(config.cooldown) };
}
