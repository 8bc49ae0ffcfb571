import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';

/** The metadata event type our messages carry, so a lost response can be reconciled. */
export const ALERT_EVENT_TYPE = 'evalwatch_alert';

/** One message to post. */
export interface PostRequest {
  readonly channel: string;
  readonly text: string;
  readonly blocks: Record<string, unknown>[];
  /** Reply in this thread. */
  readonly threadTs?: string;
  /** Also show the reply in the channel. */
  readonly broadcast?: boolean;
  /** Our id of the message (`<incident>.main`, `<incident>.f3`); carried as Slack message metadata. */
  readonly messageId: string;
}

/**
 * What delivery needs from Slack. `createWebApiPoster` implements it over `@slack/web-api`; the
 * embedded sink implements it over the console and a file.
 */
export interface SlackPoster {
  /** Posts a message; resolves the channel id and ts Slack assigned. */
  post(request: PostRequest): Promise<{ channel: string; ts: string }>;
  /** Edits a message in place. */
  update(request: { channel: string; ts: string; text: string; blocks: Record<string, unknown>[] }): Promise<void>;
  /**
   * Looks for a message we posted (by its metadata `messageId`) since `sinceMs`, in a thread when
   * `threadTs` is given. `undefined` when not found or when the lookup is not possible (scope).
   */
  find(request: { channel: string; messageId: string; sinceMs: number; threadTs?: string }): Promise<string | undefined>;
  /**
   * A link to a message that opens it in Slack, for messages that point at another channel's
   * thread. `undefined` when Slack gives none; optional, the sink has no links.
   */
  permalink?(request: { channel: string; ts: string }): Promise<string | undefined>;
}

export interface SlackClientOptions {
  /** The bot token, `SLACK_BOT_TOKEN`. */
  readonly token: string;
  /** API base URL, for tests. Default Slack's. */
  readonly slackApiUrl?: string;
  /** HTTP timeout per call (ms). Default 10000. */
  readonly timeoutMs?: number;
  /** Where the client's own warnings go. Default: dropped (we log outcomes ourselves). */
  readonly logger?: SlackLogger;
}

/**
 * A `WebClient` set up for the outbox: its own retries are off and a 429 is rejected at once
 * (`rejectRateLimitedCalls`), so there is one retry layer, ours, which honours `Retry-After`
 * across every worker and keeps the job in Redis while it waits.
 *
 * @example
 * const client = createSlackClient({ token: env.slackToken! });
 * const poster = createWebApiPoster(client);
 */
export function createSlackClient(options: SlackClientOptions): WebClient {
  return new WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    logLevel: LogLevel.ERROR,
    logger: options.logger ?? quietLogger(),
  });
}

/**
 * The {@link SlackPoster} over a `WebClient`. Messages carry `metadata` with our message id, so
 * `find` can tell whether a post whose response was lost reached Slack (needs `channels:history`,
 * or `groups:history` for private channels; without it `find` returns `undefined` and delivery
 * posts again: a possible duplicate rather than a lost alert).
 *
 * @example
 * const poster = createWebApiPoster(createSlackClient({ token }));
 * const { ts } = await poster.post({ channel: 'C0123', text: 'hi', blocks: [], messageId: 'inc-1.main' });
 */
export function createWebApiPoster(client: WebClient): SlackPoster {
  return {
    async post(r) {
      const res = await client.chat.postMessage({
        channel: r.channel,
        text: r.text,
        blocks: r.blocks as never,
        unfurl_links: false,
        unfurl_media: false,
        ...(r.threadTs ? { thread_ts: r.threadTs, ...(r.broadcast ? { reply_broadcast: true } : {}) } : {}),
        metadata: { event_type: ALERT_EVENT_TYPE, event_payload: { message_id: r.messageId } },
      } as never);
      if (!res.ts) throw new SlackDeliveryError('slack_no_ts', 'chat.postMessage answered ok without a ts');
      return { channel: String(res.channel ?? r.channel), ts: res.ts };
    },
    async update(r) {
      await client.chat.update({ channel: r.channel, ts: r.ts, text: r.text, blocks: r.blocks as never });
    },
    async find(r) {
      try {
        const oldest = String(Math.max(0, Math.floor(r.sinceMs / 1000) - 60));
        const res = r.threadTs
          ? await client.conversations.replies({ channel: r.channel, ts: r.threadTs, oldest, include_all_metadata: true, limit: 200 })
          : await client.conversations.history({ channel: r.channel, oldest, include_all_metadata: true, limit: 200 });
        const hit = (res.messages ?? []).find((m) => {
          const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
          return meta?.event_type === ALERT_EVENT_TYPE && meta.event_payload?.message_id === r.messageId;
        });
        return hit?.ts;
      } catch (err) {
        const c = classifySlackError(err);
        if (c.kind === 'rate_limited' || c.kind === 'transient') throw err;
        return undefined;
      }
    },
    async permalink(r) {
      // A nicety on a message that is sent either way: no link rather than a held-back alert.
      try {
        return (await client.chat.getPermalink({ channel: r.channel, message_ts: r.ts })).permalink;
      } catch {
        return undefined;
      }
    },
  };
}

/** How to handle a failed Slack call. */
export type SlackFailure =
  /** 429: wait `retryAfterMs`, then retry; nothing was posted. */
  | { kind: 'rate_limited'; retryAfterMs: number }
  /** Network, timeout, 5xx: retry; the message may or may not have been posted. */
  | { kind: 'transient'; error: string }
  /** Slack refused the payload (limits); nothing was posted; send a smaller one. */
  | { kind: 'payload'; error: string }
  /** The message to update or the thread is gone; post anew. */
  | { kind: 'missing'; error: string }
  /** Configuration (token, channel, scope): retrying will not help until someone fixes it. */
  | { kind: 'permanent'; error: string };

const PAYLOAD_ERRORS = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'msg_blocks_too_long', 'too_many_attachments', 'invalid_metadata_format', 'invalid_metadata_schema', 'metadata_too_large']);
const MISSING_ERRORS = new Set(['message_not_found', 'thread_not_found', 'cant_update_message', 'edit_window_closed']);
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/**
 * Classifies an error thrown by `@slack/web-api`.
 *
 * @example
 * classifySlackError(err); // { kind: 'rate_limited', retryAfterMs: 30000 }
 */
export function classifySlackError(err: unknown): SlackFailure {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (e?.code === ErrorCode.RateLimitedError) return { kind: 'rate_limited', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
  if (e?.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown';
    if (code === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 1000 };
    if (PAYLOAD_ERRORS.has(code)) return { kind: 'payload', error: code };
    if (MISSING_ERRORS.has(code)) return { kind: 'missing', error: code };
    if (TRANSIENT_ERRORS.has(code)) return { kind: 'transient', error: code };
    return { kind: 'permanent', error: code };
  }
  if (e?.code === ErrorCode.HTTPError && (e.statusCode ?? 500) < 500 && e.statusCode !== 408) {
    return { kind: 'permanent', error: `http_${String(e.statusCode)}` };
  }
  return { kind: 'transient', error: e?.message ?? String(err) };
}

/** A Slack call failed in a way delivery reports rather than retries. */
export class SlackDeliveryError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SlackDeliveryError';
  }
}

function quietLogger(): SlackLogger {
  let level = LogLevel.ERROR;
  const noop = () => {};
  return { debug: noop, info: noop, warn: noop, error: noop, setLevel: (l) => (level = l), getLevel: () => level, setName: noop };
}
