import type { ResultsStore } from '../store/types.ts';
import { minimalMessage, renderCrossPost, renderFollowUp, renderIncident, type RenderOptions, type SlackMessage } from './blocks.ts';
import { withReportLink } from './links.ts';
import { classifySlackError, type PostRequest, type SlackPoster } from './slack.ts';
import type { Incident } from './types.ts';

/**
 * Delivery of one incident to Slack, exactly once per message, independent of the queue:
 *
 * - the incident's message is posted once, then edited in place (`chat.update`) to each newer
 *   revision; older revisions arriving late change nothing;
 * - thread replies (follow-ups, overflow) are posted once each, in order, after the parent;
 * - "once" comes from our own store, since Slack has no idempotency key: a claim is written with
 *   `putIfAbsent` before posting and a sent record after. A claim without a sent record means a
 *   post may have happened and its answer was lost (crash, timeout): the message metadata is
 *   looked up in the channel before posting again.
 */

export interface DeliveryOptions {
  readonly store: ResultsStore;
  readonly poster: SlackPoster;
  readonly render: RenderOptions;
  /** The injected clock. */
  readonly now: () => number;
  /** Awaited before every Slack write, for per-channel pacing. Default: none. */
  readonly pace?: (channel: string) => Promise<void>;
  /** Told about a 429 so every worker holds the channel. Default: none. */
  readonly onRateLimited?: (channel: string, retryAfterMs: number) => Promise<void>;
  /**
   * A claim younger than this whose owner has not finished is left alone (the owner may be
   * mid-post); an older one is reconciled. Keep it above the Slack timeout. Default 120000.
   */
  readonly claimStaleMs?: number;
  /** Written into claims, for whoever investigates. Default `pid-<pid>`. */
  readonly owner?: string;
  /** Results-store prefix of delivery records. Default `alerts/delivery/`. */
  readonly prefix?: string;
}

/** Where an incident's message lives in Slack, and how far it is delivered. */
export interface DeliveryRecord {
  readonly v: 1;
  readonly incidentId: string;
  /** Channel id as Slack answered it (needed by `chat.update`). */
  channel: string;
  ts: string;
  /** Revision the message shows. */
  rev: number;
  /** Last follow-up posted. */
  followUpSeq: number;
  /** Whether the overflow thread messages were posted. */
  overflowDone: boolean;
}

export interface SyncOutcome {
  posted: number;
  updated: number;
  /** Messages found already posted (a retry after a lost answer) and not posted again. */
  reconciled: number;
  /** The incident does not notify, or the snapshot is older than what Slack shows. */
  skipped: boolean;
  /**
   * Copies for another channel (`FollowUp.alsoTo`) that Slack refused for good (a channel that
   * does not exist, a bot not invited), with the reason. Not retried: the incident's own message
   * and thread go on, and the caller reports them.
   */
  refused: string[];
}

/** Another worker is posting this message right now; try again at `retryAt`. */
export class DeliveryBusyError extends Error {
  readonly code = 'ALERT_DELIVERY_BUSY';
  constructor(readonly messageId: string, readonly retryAt: number) {
    super(`message ${messageId} is being posted by another worker; retry after ${new Date(retryAt).toISOString()}`);
    this.name = 'DeliveryBusyError';
  }
}

/** Slack answered 429: nothing was posted; retry at `retryAt`. Not a failure of the job. */
export class RateLimitedDelayError extends Error {
  readonly code = 'ALERT_RATE_LIMITED';
  constructor(readonly channel: string, readonly retryAt: number) {
    super(`Slack rate-limited channel ${channel}; retry after ${new Date(retryAt).toISOString()}`);
    this.name = 'RateLimitedDelayError';
  }
}

/** Slack refused for a reason retrying will not fix (token, channel, scope). */
export class PermanentDeliveryError extends Error {
  readonly code = 'ALERT_DELIVERY_REFUSED';
  constructor(readonly slackError: string, readonly messageId: string) {
    super(`Slack refused message ${messageId}: ${slackError}${hint(slackError)}`);
    this.name = 'PermanentDeliveryError';
  }
}

function hint(code: string): string {
  switch (code) {
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
    case 'account_inactive':
      return ' — check SLACK_BOT_TOKEN';
    case 'channel_not_found':
      return ' — check alerts.slackChannel / alerts.channels (use the channel id, C…)';
    case 'not_in_channel':
      return ' — invite the bot to the channel (/invite @evalwatch)';
    case 'missing_scope':
      return ' — the bot needs chat:write (and channels:history to reconcile lost answers)';
    default:
      return '';
  }
}

const decoder = new TextDecoder();

interface Claim {
  owner: string;
  at: number;
  state: 'posting' | 'uncertain';
}

/**
 * Brings an incident's Slack message and thread up to the given snapshot. Idempotent: calling it
 * again, from any worker, after any crash, posts nothing twice.
 *
 * @example
 * await syncIncident({ store, poster, render: { config, redactor }, now: Date.now }, action.incident);
 */
export async function syncIncident(options: DeliveryOptions, incident: Incident): Promise<SyncOutcome> {
  const out: SyncOutcome = { posted: 0, updated: 0, reconciled: 0, skipped: false, refused: [] };
  if (!incident.notify) return { ...out, skipped: true };
  const prefix = `${options.prefix ?? 'alerts/delivery/'}${incident.id}/`;
  const recordKey = `${prefix}message.json`;
  const write = (rec: DeliveryRecord) => options.store.put(recordKey, JSON.stringify(rec), { contentType: 'application/json' });
  let rec = await readJson<DeliveryRecord>(options.store, recordKey);
  const rendered = renderIncident(incident, await withReportLink(options.render, incident));

  if (!rec) {
    const main = await postOnce(options, prefix, out, `${incident.id}.main`, { channel: incident.channel, ...rendered.main }, minimalMessage(incident, options.render.redactor));
    rec = { v: 1, incidentId: incident.id, channel: main.channel, ts: main.ts, rev: incident.rev, followUpSeq: 0, overflowDone: false };
    await write(rec);
  } else if (rec.rev < incident.rev) {
    await options.pace?.(rec.channel);
    try {
      await options.poster.update({ channel: rec.channel, ts: rec.ts, ...rendered.main });
    } catch (err) {
      const c = classifySlackError(err);
      if (c.kind === 'payload') {
        await options.poster.update({ channel: rec.channel, ts: rec.ts, ...minimalMessage(incident, options.render.redactor) }).catch((e2: unknown) => rethrow(options, rec as DeliveryRecord, e2, `${incident.id}.main`));
      } else if (c.kind === 'missing') {
        // Someone deleted the message: post it again rather than lose the update.
        const again = await postOnce(options, prefix, out, `${incident.id}.main-r${incident.rev}`, { channel: rec.channel, ...rendered.main }, minimalMessage(incident, options.render.redactor));
        rec.channel = again.channel;
        rec.ts = again.ts;
        out.updated -= 1;
      } else {
        await rethrow(options, rec, err, `${incident.id}.main`);
      }
    }
    out.updated += 1;
    rec.rev = incident.rev;
    await write(rec);
  } else if (rec.rev > incident.rev) {
    out.skipped = true;
  }

  if (!rec.overflowDone) {
    for (const [i, msg] of rendered.overflow.entries()) {
      await postOnce(options, prefix, out, `${incident.id}.d${i}`, { channel: rec.channel, threadTs: rec.ts, ...msg }, undefined);
    }
    rec.overflowDone = true;
    await write(rec);
  }
  for (const f of incident.followUps) {
    if (f.seq <= rec.followUpSeq) continue;
    const msg = renderFollowUp(f, options.render.redactor);
    await postOnce(options, prefix, out, `${incident.id}.f${f.seq}`, { channel: rec.channel, threadTs: rec.ts, broadcast: f.broadcast, ...msg }, undefined);
    if (f.alsoTo) {
      // Before the sequence moves on: a crash here posts it on the next sync (postOnce dedupes).
      const link = await options.poster.permalink?.({ channel: rec.channel, ts: rec.ts });
      const cross = renderCrossPost(f, incident, { channel: rec.channel, ...(link ? { link } : {}) }, options.render.redactor);
      try {
        await postOnce(options, prefix, out, `${incident.id}.f${f.seq}.x`, { channel: f.alsoTo, ...cross }, undefined);
      } catch (err) {
        // A misconfigured on-call channel must not hold back the incident's own thread.
        if (!(err instanceof PermanentDeliveryError)) throw err;
        out.refused.push(err.message);
      }
    }
    rec.followUpSeq = f.seq;
    await write(rec);
  }
  return out;
}

async function postOnce(
  options: DeliveryOptions,
  prefix: string,
  out: SyncOutcome,
  messageId: string,
  request: Omit<PostRequest, 'messageId'>,
  fallback: SlackMessage | undefined,
): Promise<{ channel: string; ts: string }> {
  const { store, poster } = options;
  const sentKey = `${prefix}sent/${messageId}.json`;
  const claimKey = `${prefix}claims/${messageId}.json`;
  const sent = await readJson<{ channel: string; ts: string }>(store, sentKey);
  if (sent) {
    out.reconciled += 1;
    return sent;
  }
  const owner = options.owner ?? `pid-${process.pid}`;
  const now = options.now();
  const claim: Claim = { owner, at: now, state: 'posting' };
  if (!(await store.putIfAbsent(claimKey, JSON.stringify(claim)))) {
    const prior = await readJson<Claim>(store, claimKey);
    const staleMs = options.claimStaleMs ?? 120_000;
    if (prior && prior.state === 'posting' && now - prior.at < staleMs) throw new DeliveryBusyError(messageId, prior.at + staleMs);
    // The earlier attempt may have posted and lost the answer: look before posting again.
    const found = await poster.find({ channel: request.channel, messageId, sinceMs: prior?.at ?? now - staleMs, ...(request.threadTs ? { threadTs: request.threadTs } : {}) });
    if (found) {
      const rec = { channel: request.channel, ts: found };
      await store.put(sentKey, JSON.stringify(rec));
      out.reconciled += 1;
      return rec;
    }
    await store.put(claimKey, JSON.stringify(claim));
  }
  let body: Omit<PostRequest, 'messageId'> = request;
  for (let attempt = 0; ; attempt++) {
    await options.pace?.(body.channel);
    try {
      const res = await poster.post({ ...body, messageId });
      await store.put(sentKey, JSON.stringify(res));
      out.posted += 1;
      return res;
    } catch (err) {
      const c = classifySlackError(err);
      if (c.kind === 'transient') {
        // The post may have landed: leave the claim for the next attempt to reconcile.
        await store.put(claimKey, JSON.stringify({ ...claim, state: 'uncertain' } satisfies Claim));
        throw err;
      }
      if (c.kind === 'payload' && attempt === 0) {
        body = fallback ? { ...body, ...fallback } : { ...body, text: body.text, blocks: [] };
        continue;
      }
      if (c.kind === 'missing' && body.threadTs && attempt === 0) {
        // The thread is gone (parent deleted): the reply goes to the channel instead of nowhere.
        const { threadTs: _gone, broadcast: _b, ...rest } = body;
        body = rest;
        continue;
      }
      // Slack answered, so nothing was posted: free the claim.
      await store.delete(claimKey);
      if (c.kind === 'rate_limited') {
        await options.onRateLimited?.(body.channel, c.retryAfterMs);
        throw new RateLimitedDelayError(body.channel, options.now() + c.retryAfterMs);
      }
      throw new PermanentDeliveryError(c.kind === 'permanent' || c.kind === 'payload' || c.kind === 'missing' ? c.error : 'unknown', messageId);
    }
  }
}

async function rethrow(options: DeliveryOptions, rec: DeliveryRecord, err: unknown, messageId: string): Promise<never> {
  const c = classifySlackError(err);
  if (c.kind === 'rate_limited') {
    await options.onRateLimited?.(rec.channel, c.retryAfterMs);
    throw new RateLimitedDelayError(rec.channel, options.now() + c.retryAfterMs);
  }
  if (c.kind === 'transient') throw err;
  throw new PermanentDeliveryError(c.error, messageId);
}

async function readJson<T>(store: ResultsStore, key: string): Promise<T | null> {
  const bytes = await store.get(key);
  return bytes ? (JSON.parse(decoder.decode(bytes)) as T) : null;
}

/**
 * Reads the delivery record of an incident; `null` before its first post.
 *
 * @example
 * const rec = await readDeliveryRecord(store, incident.id);
 * rec?.rev === incident.rev; // delivered
 */
export function readDeliveryRecord(store: ResultsStore, incidentId: string, prefix = 'alerts/delivery/'): Promise<DeliveryRecord | null> {
  return readJson<DeliveryRecord>(store, `${prefix}${incidentId}/message.json`);
}
