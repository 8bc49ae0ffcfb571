import { describe, expect, it } from 'vitest';
import { resolveAlertsConfig, type AlertsConfigInput } from '../../src/alerts/config.ts';
import { findingId, routeFindings } from '../../src/alerts/router.ts';
import type { AlertAction, Incident } from '../../src/alerts/types.ts';
import type { Finding, RunReport } from '../../src/report/types.ts';
import { finding, HOUR, report, T0 } from './fixtures.ts';

/** Routes reports in order, keeping state like the store would. */
function session(configInput: AlertsConfigInput = {}) {
  const config = resolveAlertsConfig(configInput);
  let state: Incident[] = [];
  const all: AlertAction[] = [];
  return {
    config,
    get state() {
      return state;
    },
    actions: all,
    route(r: RunReport, now = Date.parse(r.window.end) + 120_000) {
      const res = routeFindings({ runReport: r, now, config, incidents: state });
      const byKey = new Map(state.map((i) => [i.groupKey, i]));
      for (const i of res.incidents) byKey.set(i.groupKey, i);
      state = [...byKey.values()];
      all.push(...res.actions);
      return res;
    },
  };
}

describe('routeFindings', () => {
  it('opens one incident per route and family, grouping findings of a run', () => {
    const s = session();
    const res = s.route(report(T0 + HOUR, [finding(), finding({ subject: 'latency_total_ms' }), finding({ route: 'search' })]));
    expect(res.actions.map((a) => a.type)).toEqual(['open', 'open']);
    const chat = res.incidents.find((i) => i.route === 'chat');
    expect(Object.keys(chat?.members ?? {})).toHaveLength(2);
    expect(chat?.channel).toBe('#alerts');
  });

  it('routing the same report twice yields no actions the second time', () => {
    const s = session();
    const r = report(T0 + HOUR, [finding()]);
    expect(s.route(r).actions).toHaveLength(1);
    const again = s.route(r);
    expect(again.actions).toHaveLength(0);
    expect(again.incidents).toHaveLength(0);
  });

  it('a stale report (older window) changes nothing', () => {
    const s = session();
    s.route(report(T0 + 2 * HOUR, [finding()]));
    const old = s.route(report(T0 + HOUR, []));
    expect(old.actions).toHaveLength(0);
    expect(s.state[0]?.status).toBe('open');
  });

  it('updates in place while firing, resolves on an explicit resolved finding', () => {
    const s = session();
    s.route(report(T0 + HOUR, [finding()]));
    const u = s.route(report(T0 + 2 * HOUR, [finding({ current: { p50: 450 } })]));
    expect(u.actions.map((a) => a.type)).toEqual(['update']);
    const r = s.route(report(T0 + 3 * HOUR, [finding({ state: 'resolved' })]));
    expect(r.actions.map((a) => a.type)).toEqual(['resolve']);
    expect(s.state[0]?.status).toBe('resolved');
    // The resolve notice waits for the renotify budget (4 h after the open) and then goes out once.
    const later = s.route(report(T0 + 5 * HOUR, []));
    expect(later.actions.map((a) => a.type)).toEqual(['reply']);
    expect(later.actions[0]?.incident.followUps.at(-1)?.reason).toBe('resolved');
    expect(s.route(report(T0 + 6 * HOUR, [])).actions).toHaveLength(0);
  });

  it('clears an absent member only after resolveAfterRuns measured reports', () => {
    const s = session({ resolveAfterRuns: 2 });
    s.route(report(T0 + HOUR, [finding()]));
    expect(s.route(report(T0 + 2 * HOUR, [])).actions).toHaveLength(0);
    expect(s.route(report(T0 + 3 * HOUR, [], { status: 'unmeasurable' })).actions).toHaveLength(0);
    expect(s.route(report(T0 + 4 * HOUR, [])).actions.map((a) => a.type)).toEqual(['resolve']);
  });

  it('never clears from another pipeline or an unmeasurable report', () => {
    const s = session({ resolveAfterRuns: 1 });
    s.route(report(T0 + HOUR, [finding()]));
    s.route(report(T0 + 2 * HOUR, [], { pipeline: 'judge' }));
    s.route(report(T0 + 3 * HOUR, [], { status: 'failed' }));
    expect(s.state[0]?.status).toBe('open');
  });

  it('a metric flapping every hour for a day stays one incident with bounded replies', () => {
    const s = session();
    for (let h = 1; h <= 24; h++) {
      s.route(report(T0 + h * HOUR, [finding({ state: h % 2 ? 'firing' : 'resolved' })]));
    }
    const ids = new Set(s.actions.map((a) => a.incident.id));
    expect(ids.size).toBe(1);
    expect(s.actions.filter((a) => a.type === 'open')).toHaveLength(1);
    const replies = new Set(s.actions.flatMap((a) => a.followUps));
    expect(replies.size).toBeLessThanOrEqual(6);
  });

  it('opens a new incident after the cooldown', () => {
    const s = session();
    s.route(report(T0 + HOUR, [finding()]));
    s.route(report(T0 + 2 * HOUR, [finding({ state: 'resolved' })]));
    const again = s.route(report(T0 + 10 * HOUR, [finding()]));
    expect(again.actions.map((a) => a.type)).toEqual(['open']);
    expect(new Set(s.actions.map((a) => a.incident.id)).size).toBe(2);
  });

  it('renotifies a long-firing incident at most every 4 h', () => {
    const s = session();
    for (let h = 1; h <= 13; h++) s.route(report(T0 + h * HOUR, [finding()]));
    const replies = s.state[0]?.followUps ?? [];
    expect(replies.map((f) => f.reason)).toEqual(['renotify', 'renotify', 'renotify']);
    expect(replies[1]!.at - replies[0]!.at).toBeGreaterThanOrEqual(4 * HOUR);
  });

  it('escalates to critical at once, broadcast, on a large effect', () => {
    const s = session();
    s.route(report(T0 + HOUR, [finding()]));
    const res = s.route(report(T0 + 2 * HOUR, [finding({ stats: { test: 'ks2samp', effect: { ksD: 0.45 }, n: 5000, m: 30000 } })]));
    expect(res.actions[0]?.incident.severity).toBe('critical');
    expect(res.actions[0]?.incident.followUps.at(-1)).toMatchObject({ reason: 'escalated', broadcast: true });
  });

  it('also posts an escalation in the critical channel when a rule sends criticals elsewhere', () => {
    const s = session({ channels: [{ channel: '#oncall', severities: ['critical'] }], slackChannel: '#llm' });
    s.route(report(T0 + HOUR, [finding()]));
    const res = s.route(report(T0 + 2 * HOUR, [finding({ stats: { test: 'ks2samp', effect: { ksD: 0.45 }, n: 5000, m: 30000 } })]));
    // The incident stays in its channel (one message, one thread); the on-call channel hears of it.
    expect(res.actions[0]?.incident).toMatchObject({ severity: 'critical', channel: '#llm' });
    expect(res.actions[0]?.incident.followUps.at(-1)).toMatchObject({ reason: 'escalated', broadcast: true, alsoTo: '#oncall' });
  });

  it('does not cross-post an escalation whose critical channel is the incident\'s own', () => {
    const s = session({ channels: [{ channel: '#oncall', severities: ['critical'], routes: ['search'] }], slackChannel: '#llm' });
    s.route(report(T0 + HOUR, [finding()]));
    const res = s.route(report(T0 + 2 * HOUR, [finding({ stats: { test: 'ks2samp', effect: { ksD: 0.45 }, n: 5000, m: 30000 } })]));
    const last = res.actions[0]?.incident.followUps.at(-1);
    expect(last).toMatchObject({ reason: 'escalated' });
    expect(last).not.toHaveProperty('alsoTo');
  });

  it('guards small samples, counts them as insufficient_data', () => {
    const s = session({ minSamples: 100 });
    const res = s.route(report(T0 + HOUR, [finding({ stats: { test: 'ks2samp', n: 40, m: 5000 } })]));
    expect(res.actions).toHaveLength(0);
    expect(res.suppressed).toMatchObject([{ reason: 'insufficient_data' }]);
  });

  it('suppresses judge and golden findings while the judge is unhealthy, and says so', () => {
    const s = session();
    const unhealthy = finding({ kind: 'judge.unhealthy', route: '*', subject: 'judge', severity: 'critical', stats: { test: 'health' } });
    const score = finding({ kind: 'judge.score', subject: 'helpfulness', route: 'chat' });
    const res = s.route(report(T0 + HOUR, [unhealthy, score], { pipeline: 'judge' }));
    expect(res.actions).toHaveLength(1);
    expect(res.actions[0]?.incident.family).toBe('judge');
    expect(res.suppressed).toMatchObject([{ reason: 'dependency', detail: findingId(unhealthy.fingerprint) }]);
    expect(res.actions[0]?.incident.suppressed).toHaveLength(1);
    // A golden regression in a later run is held back by the still-open judge incident.
    const g = s.route(report(T0 + 2 * HOUR, [finding({ kind: 'golden.regression', subject: 'suite-a' })], { pipeline: 'golden' }));
    expect(g.actions.filter((a) => a.incident.family === 'golden')).toHaveLength(0);
  });

  it('honours silences until they expire', () => {
    const s = session({ silences: [{ kind: 'drift.*', route: 'chat', expiresAt: new Date(T0 + 3 * HOUR).toISOString(), comment: 'model migration' }] });
    const res = s.route(report(T0 + HOUR, [finding()]));
    expect(res.actions).toHaveLength(0);
    expect(res.suppressed[0]?.reason).toBe('silenced');
    expect(s.route(report(T0 + 4 * HOUR, [finding()])).actions.map((a) => a.type)).toEqual(['open']);
  });

  it('tracks info incidents without posting, routes criticals to their channel', () => {
    const s = session({ channels: [{ channel: '#oncall', severities: ['critical'] }], slackChannel: '#llm' });
    const info = s.route(report(T0 + HOUR, [finding({ severity: 'info', stats: { test: 'ks', effect: { ksD: 0.12 }, n: 900, m: 900 } })]));
    expect(info.actions.map((a) => a.type)).toEqual(['track']);
    const crit = s.route(report(T0 + 2 * HOUR, [finding({ route: 'search', severity: 'critical' })]));
    expect(crit.actions[0]).toMatchObject({ type: 'open', incident: { channel: '#oncall' } });
  });

  it('redacts findings before they enter an incident', () => {
    const s = session();
    const f: Finding = finding({ summary: 'refusals up for jane.doe@example.com', current: { snippet: 'card 4111 1111 1111 1111' } });
    const res = s.route(report(T0 + HOUR, [f]));
    expect(res.incidents).toHaveLength(1);
    const json = JSON.stringify(res.incidents);
    expect(json).toContain('[email]');
    expect(json).toContain('[card]');
    expect(json).not.toContain('jane.doe@example.com');
    expect(json).not.toContain('4111 1111 1111 1111');
  });
});
