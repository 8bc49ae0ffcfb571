import { afterEach, describe, expect, it } from 'vitest';
import { readDeliveryRecord } from '../../src/alerts/delivery.ts';
import { loadIncidents } from '../../src/alerts/state.ts';
import { finding, HOUR, report, T0 } from './fixtures.ts';
import { drained, harness, type Harness } from './setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** Top-level messages per our message id (from metadata): each must be exactly 1. */
function postsPerMessageId(hh: Harness): Map<string, number> {
  const m = new Map<string, number>();
  for (const msg of hh.slack.messages) {
    const id = String(msg.metadata?.event_payload.message_id);
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

describe('alert outbox through the real WebClient', () => {
  it('posts once, updates in place, resolves, with replies in the thread', async () => {
    h = await harness();
    const o = h.outbox();
    o.startWorker();
    await o.enqueue(await h.route(report(T0 + HOUR, [finding()]), T0 + HOUR + 60_000));
    await h.waitFor(() => drained(o), 'open delivered');
    await o.enqueue(await h.route(report(T0 + 2 * HOUR, [finding({ current: { p50: 470 } })]), T0 + 2 * HOUR + 60_000));
    await h.waitFor(() => drained(o), 'update delivered');
    await o.enqueue(await h.route(report(T0 + 3 * HOUR, [finding({ state: 'resolved' })]), T0 + 3 * HOUR + 60_000));
    await h.waitFor(() => drained(o), 'resolve delivered');
    await o.enqueue(await h.route(report(T0 + 6 * HOUR, []), T0 + 6 * HOUR + 60_000));
    await h.waitFor(() => drained(o), 'resolve notice delivered');

    const top = h.slack.topLevel();
    expect(top).toHaveLength(1);
    const msg = top[0]!;
    expect(msg.edits).toHaveLength(2);
    expect(JSON.stringify(msg.blocks)).toContain('RESOLVED');
    expect(msg.text).toMatch(/^\[RESOLVED\]/);
    const replies = h.slack.replies(msg.ts);
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining('Resolved')]);
    expect(h.slack.rejected()).toEqual([]);
    const { incidents } = await loadIncidents(h.store);
    const rec = await readDeliveryRecord(h.store, incidents[0]!.id);
    expect(rec).toMatchObject({ rev: incidents[0]!.rev, followUpSeq: 1 });
  });

  it('posts an escalation to critical in the on-call channel too, linking to the thread, once', async () => {
    h = await harness({ slackChannel: 'C0LLM', channels: [{ channel: 'C0ONCALL', severities: ['critical'] }] });
    const o = h.outbox();
    o.startWorker();
    await o.enqueue(await h.route(report(T0 + HOUR, [finding()]), T0 + HOUR + 60_000));
    await h.waitFor(() => drained(o), 'open delivered');
    const big = finding({ stats: { test: 'ks2samp', effect: { ksD: 0.45 }, n: 5000, m: 30000 } });
    const escalation = await h.route(report(T0 + 2 * HOUR, [big]), T0 + 2 * HOUR + 60_000);
    await o.enqueue(escalation);
    await h.waitFor(() => drained(o), 'escalation delivered');
    // A second delivery of the same snapshot (a retried job, another worker) posts nothing more.
    await o.enqueue(escalation);
    await h.waitFor(() => drained(o), 'redelivery drained');

    const main = h.slack.topLevel().filter((m) => m.channel === 'C0LLM');
    expect(main).toHaveLength(1);
    const thread = h.slack.replies(main[0]!.ts);
    expect(thread).toMatchObject([{ replyBroadcast: true, text: expect.stringContaining('Escalated to *critical*') }]);
    const oncall = h.slack.topLevel().filter((m) => m.channel === 'C0ONCALL');
    expect(oncall).toHaveLength(1);
    expect(oncall[0]!.text).toContain('Escalated to *critical*');
    const link = `https://evalwatch-test.slack.com/archives/C0LLM/p${main[0]!.ts.replace('.', '')}`;
    expect(JSON.stringify(oncall[0]!.blocks)).toContain(`<${link}|Incident thread> in <#C0LLM>`);
    expect([...postsPerMessageId(h).values()].every((n) => n === 1)).toBe(true);
    expect(h.slack.rejected()).toEqual([]);
  });

  it('delivers the incident and its later replies when the on-call channel refuses the escalation', async () => {
    h = await harness({ slackChannel: 'C0LLM', channels: [{ channel: 'C0GONE', severities: ['critical'] }] }, { missingChannels: ['C0GONE'] });
    const logged: string[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (o: { err?: string }, msg: string) => logged.push(`${msg}: ${o.err}`) };
    const o = h.outbox({ logger: logger as never });
    o.startWorker();
    await o.enqueue(await h.route(report(T0 + HOUR, [finding()]), T0 + HOUR + 60_000));
    await h.waitFor(() => drained(o), 'open delivered');
    const big = finding({ stats: { test: 'ks2samp', effect: { ksD: 0.45 }, n: 5000, m: 30000 } });
    await o.enqueue(await h.route(report(T0 + 2 * HOUR, [big]), T0 + 2 * HOUR + 60_000));
    await h.waitFor(() => drained(o), 'escalation delivered');
    await o.enqueue(await h.route(report(T0 + 3 * HOUR, [{ ...big, state: 'resolved' }]), T0 + 3 * HOUR + 60_000));
    await o.enqueue(await h.route(report(T0 + 8 * HOUR, []), T0 + 8 * HOUR + 60_000));
    await h.waitFor(() => drained(o), 'resolve notice delivered');

    const main = h.slack.topLevel('C0LLM');
    expect(main).toHaveLength(1);
    expect(h.slack.replies(main[0]!.ts).map((r) => r.text)).toEqual([expect.stringContaining('Escalated'), expect.stringContaining('Resolved')]);
    expect(logged).toEqual([expect.stringMatching(/copy for another channel.*channel_not_found — check alerts\.slackChannel \/ alerts\.channels/)]);
    // drained() above also means no sync job failed.
  });

  it('rides out a 429 storm with Retry-After: 30 (scaled), nothing dropped, nothing duplicated', async () => {
    h = await harness();
    const o = h.outbox({ timeScale: 0.001 });
    const findings = Array.from({ length: 20 }, (_, i) => finding({ route: `route-${i}` }));
    const actions = await h.route(report(T0 + HOUR, findings), T0 + HOUR + 60_000);
    h.slack.rateLimit({ retryAfterSec: 30, calls: 40 });
    expect(await o.enqueue(actions)).toBe(20);
    o.startWorker();
    await h.waitFor(() => drained(o), 'storm drained', 30_000);
    expect(h.slack.calls.filter((c) => c.status === 429).length).toBe(40);
    expect(h.slack.topLevel()).toHaveLength(20);
    expect([...postsPerMessageId(h).values()].every((n) => n === 1)).toBe(true);
    expect(h.slack.rejected()).toEqual([]);
  });

  it('reconciles a post whose answer was lost instead of posting it twice', async () => {
    h = await harness();
    const o = h.outbox({ claimStaleMs: 50 });
    const actions = await h.route(report(T0 + HOUR, [finding(), finding({ route: 'search' }), finding({ route: 'rag' })]), T0 + HOUR + 60_000);
    h.slack.loseResponses(3);
    await o.enqueue(actions);
    o.startWorker();
    await h.waitFor(() => drained(o), 'lost answers drained');
    expect(h.slack.calls.filter((c) => c.error === 'connection_lost')).toHaveLength(3);
    expect(h.slack.topLevel()).toHaveLength(3);
    expect(h.slack.calls.some((c) => c.method === 'conversations.history')).toBe(true);
  });

  it('survives a restart during delivery: a new worker finishes, no duplicates', async () => {
    h = await harness();
    const first = h.outbox({ concurrency: 4 });
    const actions = await h.route(report(T0 + HOUR, Array.from({ length: 12 }, (_, i) => finding({ route: `r${i}` }))), T0 + HOUR + 60_000);
    await first.enqueue(actions);
    h.slack.setDelay(150);
    first.startWorker();
    await h.waitFor(() => h!.slack.calls.length >= 1 || h!.slack.messages.length >= 1, 'delivery started');
    await first.close(true); // kill mid-delivery: in-flight jobs stay active until their lock expires
    h.slack.setDelay(0);
    const second = h.outbox({ concurrency: 4 });
    second.startWorker();
    await h.waitFor(() => drained(second), 'second worker drained', 30_000);
    expect(h.slack.topLevel()).toHaveLength(12);
    expect([...postsPerMessageId(h).values()].every((n) => n === 1)).toBe(true);
  });

  it('two workers on one queue deliver every revision once, latest content last', async () => {
    h = await harness();
    const a = h.outbox({ concurrency: 3, workerName: 'a' });
    const b = h.outbox({ concurrency: 3, workerName: 'b' });
    a.startWorker();
    b.startWorker();
    for (let hr = 1; hr <= 4; hr++) {
      const fs = Array.from({ length: 8 }, (_, i) => finding({ route: `r${i}`, current: { p50: 400 + hr * 10 } }));
      await a.enqueue(await h.route(report(T0 + hr * HOUR, fs), T0 + hr * HOUR + 60_000));
    }
    await h.waitFor(async () => (await drained(a)) && (await drained(b)), 'both drained', 30_000);
    expect(h.slack.topLevel()).toHaveLength(8);
    expect([...postsPerMessageId(h).values()].every((n) => n === 1)).toBe(true);
    for (const m of h.slack.topLevel()) expect(JSON.stringify(m.blocks)).toContain('440');
  });

  it('replays on start what routing recorded but never enqueued (crash between the two)', async () => {
    h = await harness();
    await h.route(report(T0 + HOUR, [finding()]), T0 + HOUR + 60_000); // recorded, not enqueued
    const o = h.outbox();
    o.startWorker();
    expect(await o.reconcile((await loadIncidents(h.store)).incidents)).toBe(1);
    await h.waitFor(() => drained(o), 'replayed');
    expect(h.slack.topLevel()).toHaveLength(1);
    expect(await o.reconcile((await loadIncidents(h.store)).incidents)).toBe(0);
  });
});
