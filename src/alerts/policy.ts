import type { Finding, Severity } from '../report/types.ts';
import type { AlertsConfig, ChannelRule, SilenceConfig } from './config.ts';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * Orders severities: negative when `a` is lower.
 *
 * @example
 * compareSeverity('critical', 'warning'); // 1
 */
export function compareSeverity(a: Severity, b: Severity): number {
  return Math.sign(SEVERITY_RANK[a] - SEVERITY_RANK[b]);
}

/**
 * The higher of two severities.
 *
 * @example
 * maxSeverity('info', 'warning'); // 'warning'
 */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return compareSeverity(a, b) >= 0 ? a : b;
}

const globCache = new Map<string, RegExp>();

/**
 * Matches `*` globs (any run of characters); everything else is literal.
 *
 * @example
 * globMatch('drift.*', 'drift.numeric'); // true
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(value);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Looks a number up in `stats.effect` first, then `stats`, under any of the given names. */
export function statNumber(finding: Finding, ...names: string[]): number | undefined {
  const effect = finding.stats.effect ?? {};
  for (const n of names) {
    const v = num(effect[n]) ?? num(finding.stats[n]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * The severity the router uses: the pipeline's own, raised to critical by a large effect or a fast
 * SLO burn (never lowered: a pipeline may know more than the numbers show).
 *
 * @example
 * policySeverity({ ...finding, severity: 'warning', stats: { test: 'ks', effect: { ksD: 0.42 } } }, config.severityPolicy);
 * // 'critical'
 */
export function policySeverity(finding: Finding, policy: AlertsConfig['severityPolicy']): Severity {
  let s: Severity = finding.severity;
  const ksD = statNumber(finding, 'ksD', 'ks_d', 'D');
  const js = statNumber(finding, 'jsDistance', 'js', 'jensenShannon');
  const rel = statNumber(finding, 'relativeChange', 'relChange', 'relative_change');
  const z = statNumber(finding, 'z', 'sigma', 'zScore');
  const burn = statNumber(finding, 'burnRate', 'burn_rate');
  if (burn !== undefined && burn >= policy.warningBurnRate) s = maxSeverity(s, 'warning');
  const large =
    (ksD !== undefined && ksD >= policy.criticalKsD) ||
    (js !== undefined && js >= policy.criticalJsDistance) ||
    (rel !== undefined && Math.abs(rel) >= policy.criticalRelativeChange) ||
    (z !== undefined && Math.abs(z) >= policy.criticalSigma) ||
    (burn !== undefined && burn >= policy.criticalBurnRate);
  return large ? 'critical' : s;
}

/**
 * The minimum-sample guard: `true` when the finding rests on fewer samples than required. A finding
 * without `stats.n` (an outage, a budget) is not a sample statistic and passes.
 *
 * @example
 * tooFewSamples({ ...finding, stats: { test: 'ks', n: 12, m: 4000 } }, 50); // true
 */
export function tooFewSamples(finding: Finding, minSamples: number): boolean {
  const n = num(finding.stats.n);
  const m = num(finding.stats.m);
  return (n !== undefined && n < minSamples) || (m !== undefined && m < minSamples);
}

/**
 * The Slack channel of an incident: the first matching rule, else `slackChannel`, else `#alerts`
 * (only ever seen by the console/file sink, which needs a name too).
 *
 * @example
 * channelFor(config, { severity: 'critical', route: 'chat', kind: 'drift.rate' }); // '#oncall'
 */
export function channelFor(config: Pick<AlertsConfig, 'channels' | 'slackChannel'>, what: { severity: Severity; route: string; kind: string }): string {
  const matches = (rule: ChannelRule) =>
    (!rule.severities || rule.severities.includes(what.severity)) &&
    (!rule.routes || rule.routes.some((r) => globMatch(r, what.route))) &&
    (!rule.kinds || rule.kinds.some((k) => globMatch(k, what.kind)));
  return config.channels.find(matches)?.channel ?? config.slackChannel ?? '#alerts';
}

/** A silence with its id and expiry resolved. */
export interface ActiveSilence extends SilenceConfig {
  readonly id: string;
  readonly expiresAtMs: number;
}

/**
 * The silence that covers a finding at `now`, if any. Expired silences never match.
 *
 * @example
 * silenceFor(silences, finding, Date.now())?.id;
 */
export function silenceFor(silences: readonly ActiveSilence[], finding: Finding, now: number): ActiveSilence | undefined {
  return silences.find(
    (s) =>
      s.expiresAtMs > now &&
      (s.fingerprint === undefined || s.fingerprint === finding.fingerprint) &&
      globMatch(s.kind, finding.kind) &&
      globMatch(s.route, finding.route) &&
      globMatch(s.subject, finding.subject),
  );
}

/**
 * Gives config silences an id and a parsed expiry.
 *
 * @example
 * const active = activeSilences(config.silences);
 */
export function activeSilences(silences: readonly SilenceConfig[]): ActiveSilence[] {
  return silences.map((s) => ({
    ...s,
    id: s.id ?? `cfg-${[s.kind, s.route, s.subject, s.fingerprint ?? ''].join('_').replace(/[^A-Za-z0-9._-]/g, '-')}`,
    expiresAtMs: Date.parse(s.expiresAt),
  }));
}

/**
 * The pipeline family of a kind: its first dotted segment.
 *
 * @example
 * familyOf('drift.numeric'); // 'drift'
 */
export function familyOf(kind: string): string {
  const dot = kind.indexOf('.');
  return dot < 0 ? kind : kind.slice(0, dot);
}
