/**
 * Alert noise benchmark (prints JSON). Drives the real router with synthetic finding streams:
 *
 * 1. null scenario: hourly drift runs for many simulated weeks with no real change. Each run tests
 *    routes × features; under the null the run's family-wise false-breach probability is the FDR
 *    level α (Benjamini-Hochberg controls FWER = α when every null is true), spread over the tests.
 *    Breaches pass the drift pipeline's hysteresis (fire after k of m windows, or at once for a
 *    large effect; resolve after `resolveAfter` clean windows): the real `stepHysteresis`.
 *    Compared with a naive notifier that posts every firing finding of every run.
 * 2. flapping: one metric crossing its threshold every hour for a day, (a) raw, without upstream
 *    hysteresis (firing / resolved alternating), (b) through the hysteresis.
 *
 * Until `bench/drift-scenarios.ts` exports its null-scenario findings this synthetic stream stands
 * in for it; swap `nullWeek` for that generator when it exists.
 *
 *   npx tsx bench/alerts.ts [--weeks 200] [--seed 1]
 */
import { resolveAlertsConfig } from '../src/alerts/config.ts';
import { routeFindings } from '../src/alerts/router.ts';
import type { AlertAction, Incident } from '../src/alerts/types.ts';
import { emptyHysteresisState, stepHysteresis } from '../src/drift/hysteresis.ts';
import type { Finding, RunReport } from '../src/report/types.ts';
// The hourly drift report the alert tests use (a run id and window per hour; findings as given).
import { report } from '../test/alerts/fixtures.ts';
import { mulberry32 } from '../src/stats/index.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-05T00:00:00Z');

interface Params {
  weeks: number;
  seed: number;
  routes: number;
  features: number;
  alpha: number;
  /** Share of false breaches whose effect is large enough to fire without waiting (k of m). */
  largeEffectShare: number;
  k: number;
  m: number;
  resolveAfter: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const params: Params = {
  weeks: arg('weeks', 200),
  seed: arg('seed', 1),
  routes: 6,
  features: 12,
  alpha: 0.01,
  largeEffectShare: 0.3,
  k: 2,
  m: 3,
  resolveAfter: 3,
};

function finding(route: string, subject: string, state: Finding['state'], large: boolean): Finding {
  return {
    fingerprint: `drift.numeric|${route}|${subject}`,
    kind: 'drift.numeric',
    severity: large ? 'critical' : 'warning',
    route,
    subject,
    summary: `${route}: ${subject} shifted`,
    stats: { test: 'ks2samp', effect: { ksD: large ? 0.25 : 0.12 }, qValue: 0.004, n: 2000, m: 14000 },
    baseline: { p50: 300 },
    current: { p50: large ? 360 : 320 },
    examples: [],
    links: [],
    state,
  };
}

/**
 * The drift pipeline's own hysteresis (`stepHysteresis`), one fingerprint at a time: what a
 * subject's finding state is after this hour's breach or clean window.
 */
class Hysteresis {
  private state = emptyHysteresisState();
  private readonly fingerprint: string;
  constructor(key: string) {
    this.fingerprint = `bench|${key}`;
  }
  step(end: number, breach: boolean, large: boolean): Finding['state'] | undefined {
    const observation = { fingerprint: this.fingerprint, kind: 'drift.numeric', route: 'r', subject: 's', breach, large };
    const opts = { fireAfter: { k: params.k, m: params.m }, resolveAfter: params.resolveAfter };
    const { state, transitions } = stepHysteresis(this.state, [observation], end, HOUR, opts, end);
    this.state = state;
    const status = transitions.get(this.fingerprint)?.status;
    return status === undefined || status === 'clear' ? undefined : status;
  }
}

interface Tally {
  incidents: Set<string>;
  posts: number;
  replies: number;
  broadcastReplies: number;
  updates: number;
}

function tallyActions(t: Tally, actions: AlertAction[]): void {
  for (const a of actions) {
    if (!a.incident.notify) continue;
    t.incidents.add(a.incident.id);
    if (a.type === 'open') t.posts += 1;
    if (a.type === 'update' || a.type === 'resolve') t.updates += 1;
    for (const seq of a.followUps) {
      t.replies += 1;
      if (a.incident.followUps.find((f) => f.seq === seq)?.broadcast) t.broadcastReplies += 1;
    }
  }
}

function newTally(): Tally {
  return { incidents: new Set(), posts: 0, replies: 0, broadcastReplies: 0, updates: 0 };
}

/** Routes a sequence of reports, keeping state as the store would. */
function driveRouter(reports: RunReport[], tally: Tally): void {
  const config = resolveAlertsConfig({ slackChannel: 'C0ALERTS' });
  let state: Incident[] = [];
  for (const r of reports) {
    const res = routeFindings({ runReport: r, now: Date.parse(r.window.end) + 120_000, config, incidents: state });
    const byKey = new Map(state.map((i) => [i.groupKey, i]));
    for (const i of res.incidents) byKey.set(i.groupKey, i);
    state = [...byKey.values()];
    tallyActions(tally, res.actions);
  }
}

function nullScenario(): Record<string, unknown> {
  const rand = mulberry32(params.seed);
  const tests = params.routes * params.features;
  const perTest = params.alpha / tests;
  const hours = params.weeks * 168;
  const hyst = new Map<string, Hysteresis>();
  const reports: RunReport[] = [];
  let rawBreaches = 0;
  let naiveMessages = 0;
  for (let h = 1; h <= hours; h++) {
    const findings: Finding[] = [];
    for (let r = 0; r < params.routes; r++) {
      for (let f = 0; f < params.features; f++) {
        const key = `${r}|${f}`;
        let hy = hyst.get(key);
        const breach = rand() < perTest;
        const large = breach && rand() < params.largeEffectShare;
        if (breach) rawBreaches += 1;
        if (!hy && !breach) continue;
        if (!hy) {
          hy = new Hysteresis(key);
          hyst.set(key, hy);
        }
        const state = hy.step(T0 + h * HOUR, breach, large);
        if (state) findings.push(finding(`route-${r}`, `feature-${f}`, state, large));
        if (state === 'firing') naiveMessages += 1;
      }
    }
    reports.push(report(T0 + h * HOUR, findings));
  }
  const tally = newTally();
  driveRouter(reports, tally);
  const perWeek = (n: number) => Number((n / params.weeks).toFixed(3));
  return {
    weeks: params.weeks,
    testsPerRun: tests,
    alpha: params.alpha,
    rawFalseBreachesPerWeek: perWeek(rawBreaches),
    naiveMessagesPerWeek: perWeek(naiveMessages),
    router: {
      incidentsPerWeek: perWeek(tally.incidents.size),
      channelMessagesPerWeek: perWeek(tally.posts + tally.broadcastReplies),
      threadRepliesPerWeek: perWeek(tally.replies - tally.broadcastReplies),
      allNewMessagesPerWeek: perWeek(tally.posts + tally.replies),
      inPlaceUpdatesPerWeek: perWeek(tally.updates),
    },
  };
}

function flapping(throughHysteresis: boolean): Record<string, unknown> {
  const hy = new Hysteresis('flapping');
  const reports: RunReport[] = [];
  let naive = 0;
  for (let h = 1; h <= 24; h++) {
    const breach = h % 2 === 1;
    const state = throughHysteresis ? hy.step(T0 + h * HOUR, breach, false) : breach ? 'firing' : 'resolved';
    if (state === 'firing') naive += 1;
    reports.push(report(T0 + h * HOUR, state ? [finding('chat', 'output_tokens', state, false)] : []));
  }
  const tally = newTally();
  driveRouter(reports, tally);
  return {
    naiveMessages: naive,
    incidents: tally.incidents.size,
    channelMessages: tally.posts + tally.broadcastReplies,
    threadReplies: tally.replies - tally.broadcastReplies,
    inPlaceUpdates: tally.updates,
  };
}

const t0 = performance.now();
const out = {
  bench: 'alerts',
  params,
  nullScenario: nullScenario(),
  flappingHourlyForADay: { raw: flapping(false), throughDriftHysteresis: flapping(true) },
  targets: { channelMessagesPerWeekNull: '≤ 1', incidentsWhenFlapping: '≤ 1' },
  wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
