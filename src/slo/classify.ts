import { createHash } from 'node:crypto';
import type { ReadRecord } from '../captures/record.ts';
import type { RecordCost } from './pricing.ts';
import type { SloConfig } from './slo-config.ts';

/**
 * Turns one capture record into a good or bad event of an SLO (or no event). A record is an event
 * of an SLO when its route matches and it carries the field the SLO reads; records without it are
 * counted as `skipped`, never as good or bad.
 */

/** The verdict on one record: `true` good, `false` bad, `undefined` not an event. */
export type Verdict = boolean | undefined;

/** A compiled SLO over capture records (judge SLOs read scores instead and have no classifier). */
export interface RecordSlo {
  readonly name: string;
  /** Hash of what decides good vs bad: another definition's history is not comparable. */
  readonly def: string;
  matchesRoute(route: string): boolean;
  classify(r: ReadRecord, cost: RecordCost): Verdict;
}

/**
 * A matcher for a route name or glob (`*` = any characters) or a list of them.
 *
 * @example
 * routeMatcher(['answer', 'chat-*'])('chat-v2'); // true
 */
export function routeMatcher(route: string | readonly string[]): (route: string) => boolean {
  const globs = typeof route === 'string' ? [route] : route;
  if (globs.includes('*')) return () => true;
  const res = globs.map((g) => new RegExp(`^${g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return (name) => res.some((re) => re.test(name));
}

/**
 * Hash of the parts of an SLO that decide which records are events and which are good (not the
 * target, period or alert rules, which can change without invalidating history).
 *
 * @example
 * definitionHash(slo); // 'c0ffee12…' (16 hex digits)
 */
export function definitionHash(slo: SloConfig): string {
  const { name: _n, description: _d, target: _t, period: _p, alerts: _a, minEvents: _m, ...rest } = slo;
  const canonical = JSON.stringify(Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * Whether a `downstream_status` matches one of the good statuses (`200` or a class `2xx`).
 *
 * @example
 * statusMatches('204', ['2xx', '3xx']); // true
 */
export function statusMatches(status: string, good: readonly string[]): boolean {
  const s = status.trim();
  return good.some((g) => (g.endsWith('xx') ? s.length === 3 && s[0] === g[0] && /^\d{3}$/.test(s) : s === g));
}

/**
 * Compiles the record-based SLOs of the config (judge SLOs are left out).
 *
 * @example
 * const slos = compileRecordSlos(config.slos);
 * slos[0]?.classify(record, cost); // true | false | undefined
 */
export function compileRecordSlos(slos: readonly SloConfig[]): RecordSlo[] {
  const out: RecordSlo[] = [];
  for (const slo of slos) {
    const base = { name: slo.name, def: definitionHash(slo), matchesRoute: routeMatcher(slo.route) };
    switch (slo.kind) {
      case 'latency': {
        const field = slo.metric === 'ttft' ? 'latency_to_first_token_ms' : 'latency_total_ms';
        const max = slo.thresholdMs;
        out.push({ ...base, classify: (r) => (r[field] === undefined ? undefined : (r[field] as number) <= max) });
        break;
      }
      case 'availability': {
        const good = slo.goodStatuses;
        out.push({ ...base, classify: (r) => (r.downstream_status === undefined ? undefined : statusMatches(r.downstream_status, good)) });
        break;
      }
      case 'cost_per_request': {
        const max = slo.maxUsd;
        out.push({ ...base, classify: (_r, c) => ('usd' in c ? c.usd <= max : undefined) });
        break;
      }
      case 'schema_valid':
        out.push({ ...base, classify: (r) => (r.schema_validated === undefined || r.schema_validated === null ? undefined : r.schema_validated) });
        break;
      case 'judge':
        break;
    }
  }
  return out;
}
