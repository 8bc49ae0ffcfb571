import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Slack-Web-API-compatible server for tests, driven through the real `@slack/web-api`
 * `WebClient` (`slackApiUrl: server.url`). It speaks `auth.test`, `chat.postMessage`,
 * `chat.update`, `chat.getPermalink`, `conversations.history` and `conversations.replies` with
 * form or JSON bodies and bearer (or `token` field) auth, rejects payloads over Slack's Block Kit
 * limits the way Slack does (`invalid_blocks`, `msg_too_long`, `msg_blocks_too_long`, …), can
 * answer 429 with `Retry-After` for a while, can lose responses after recording a message (a crash
 * between Slack's write and our bookkeeping), and records every message for assertions.
 *
 * The limit checks here are written independently of `src/alerts/limits.ts` on purpose: a test
 * that validated with the code under test would not catch its mistakes.
 */

export interface RecordedMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  replyBroadcast: boolean;
  /** Every `chat.update` applied, oldest first. */
  edits: { text?: string; blocks?: unknown[]; at: number }[];
  postedAt: number;
}

export interface RecordedCall {
  method: string;
  status: number;
  ok: boolean;
  error?: string;
  at: number;
  /** Problems found in the payload, for rejected calls. */
  problems?: string[];
}

export interface SlackServerOptions {
  /** Tokens accepted. Default `['xoxb-test']`. */
  readonly tokens?: readonly string[];
  /** Wall-clock of the server (ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Channels that do not exist: posting there answers `channel_not_found`. Default none. */
  readonly missingChannels?: readonly string[];
}

export interface RateLimitPlan {
  /** The `Retry-After` header value in seconds (what Slack would say). */
  readonly retryAfterSec: number;
  /** Answer 429 to this many calls… */
  readonly calls?: number;
  /** …or until this much wall-clock time has passed (ms). */
  readonly forMs?: number;
  /** Only these methods. Default: chat.postMessage and chat.update. */
  readonly methods?: readonly string[];
}

export interface SlackTestServer {
  readonly url: string;
  readonly messages: RecordedMessage[];
  readonly calls: RecordedCall[];
  /** Top-level messages of a channel (or of all channels). */
  topLevel(channel?: string): RecordedMessage[];
  /** Replies in a thread. */
  replies(threadTs: string): RecordedMessage[];
  /** Answer 429 for a while. */
  rateLimit(plan: RateLimitPlan): void;
  /** Record the next `n` posted messages, then destroy the connection instead of answering. */
  loseResponses(n: number): void;
  /** Hold every response this long (ms); 0 to stop. */
  setDelay(ms: number): void;
  /** Rejected calls (not ok, not 429). */
  rejected(): RecordedCall[];
  close(): Promise<void>;
}

const LIMIT = {
  blocks: 50,
  header: 150,
  section: 3000,
  fields: 10,
  field: 2000,
  contextEls: 10,
  text: 3000,
  actionsEls: 25,
  buttonText: 75,
  url: 3000,
  value: 2000,
  id: 255,
  /** Observed threshold of msg_blocks_too_long. */
  blocksChars: 13_000,
  msgText: 40_000,
} as const;

type Obj = Record<string, unknown>;

function blockProblems(blocks: unknown): { error: string; problems: string[] } | undefined {
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', problems: ['blocks must be an array'] };
  const problems: string[] = [];
  if (blocks.length > LIMIT.blocks) problems.push(`more than ${LIMIT.blocks} blocks`);
  let chars = 0;
  const txt = (o: unknown, path: string, max: number, kinds: string[] = ['plain_text', 'mrkdwn']) => {
    if (!o || typeof o !== 'object') {
      problems.push(`${path}: missing text object`);
      return;
    }
    const t = o as Obj;
    if (!kinds.includes(String(t.type))) problems.push(`${path}: text type ${String(t.type)}`);
    if (typeof t.text !== 'string' || t.text.length === 0) problems.push(`${path}: empty text`);
    else {
      if (t.text.length > max) problems.push(`${path}: text longer than ${max}`);
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(t.text)) problems.push(`${path}: lone surrogate`);
      chars += t.text.length;
    }
  };
  blocks.forEach((raw, i) => {
    const b = (raw ?? {}) as Obj;
    const p = `[${i}]`;
    if (b.block_id !== undefined && (typeof b.block_id !== 'string' || b.block_id.length > LIMIT.id)) problems.push(`${p}: block_id`);
    switch (b.type) {
      case 'header':
        txt(b.text, `${p}.text`, LIMIT.header, ['plain_text']);
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) problems.push(`${p}: section needs text or fields`);
        if (b.text !== undefined) txt(b.text, `${p}.text`, LIMIT.section);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length > LIMIT.fields || b.fields.length === 0) problems.push(`${p}.fields: 1..${LIMIT.fields}`);
          else b.fields.forEach((f, j) => txt(f, `${p}.fields[${j}]`, LIMIT.field));
        }
        break;
      }
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > LIMIT.contextEls) problems.push(`${p}.elements: 1..${LIMIT.contextEls}`);
        else b.elements.forEach((e, j) => txt(e, `${p}.elements[${j}]`, LIMIT.text));
        break;
      case 'actions':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > LIMIT.actionsEls) problems.push(`${p}.elements: 1..${LIMIT.actionsEls}`);
        else
          (b.elements as Obj[]).forEach((e, j) => {
            const q = `${p}.elements[${j}]`;
            if (e.type !== 'button') problems.push(`${q}: unsupported element ${String(e.type)}`);
            txt(e.text, `${q}.text`, LIMIT.buttonText, ['plain_text']);
            if (e.url !== undefined && (typeof e.url !== 'string' || e.url.length > LIMIT.url || !/^https?:\/\//.test(e.url))) problems.push(`${q}.url`);
            if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > LIMIT.value)) problems.push(`${q}.value`);
            if (e.action_id !== undefined && (typeof e.action_id !== 'string' || e.action_id.length > LIMIT.id)) problems.push(`${q}.action_id`);
          });
        break;
      case 'divider':
        break;
      default:
        problems.push(`${p}: unsupported block type ${String(b.type)}`);
    }
  });
  if (problems.length) return { error: 'invalid_blocks', problems };
  if (chars > LIMIT.blocksChars) return { error: 'msg_blocks_too_long', problems: [`${chars} characters of block text`] };
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Obj> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) return raw ? (JSON.parse(raw) as Obj) : {};
  const params = new URLSearchParams(raw);
  const out: Obj = {};
  for (const [k, v] of params) out[k] = v;
  // Form bodies carry structured arguments as JSON strings (as the WebClient sends them).
  for (const k of ['blocks', 'metadata', 'attachments']) {
    if (typeof out[k] === 'string') {
      try {
        out[k] = JSON.parse(out[k] as string);
      } catch {
        out[k] = { __invalid: true };
      }
    }
  }
  return out;
}

/**
 * Starts the server on 127.0.0.1 and a random port.
 *
 * @example
 * const slack = await startSlackServer();
 * const client = new WebClient('xoxb-test', { slackApiUrl: slack.url });
 * await client.chat.postMessage({ channel: '#alerts', text: 'hi' });
 * slack.messages.length; // 1
 * await slack.close();
 */
export async function startSlackServer(options: SlackServerOptions = {}): Promise<SlackTestServer> {
  const tokens = new Set(options.tokens ?? ['xoxb-test']);
  const now = options.now ?? Date.now;
  const messages: RecordedMessage[] = [];
  const calls: RecordedCall[] = [];
  let plan: (RateLimitPlan & { until?: number; left?: number }) | undefined;
  let lose = 0;
  let delay = 0;
  let seq = 0;
  const base = Math.floor(now() / 1000);

  const reply = (res: ServerResponse, method: string, status: number, body: Obj, headers: Record<string, string> = {}) => {
    calls.push({
      method,
      status,
      ok: body.ok === true,
      ...(typeof body.error === 'string' ? { error: body.error } : {}),
      at: now(),
      ...(Array.isArray((body.response_metadata as Obj | undefined)?.messages) ? { problems: (body.response_metadata as Obj).messages as string[] } : {}),
    });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
    const body = await readBody(req);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : '';
    if (!token) return reply(res, method, 200, { ok: false, error: 'not_authed' });
    if (!tokens.has(token)) return reply(res, method, 200, { ok: false, error: 'invalid_auth' });

    const limited = plan && (plan.methods ?? ['chat.postMessage', 'chat.update']).includes(method);
    if (plan && limited) {
      const active = (plan.left !== undefined && plan.left > 0) || (plan.until !== undefined && now() < plan.until);
      if (active) {
        if (plan.left !== undefined) plan.left -= 1;
        return reply(res, method, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(plan.retryAfterSec) });
      }
      plan = undefined;
    }

    switch (method) {
      case 'auth.test':
        return reply(res, method, 200, { ok: true, url: 'https://evalwatch-test.slack.com/', team: 'test', user: 'evalwatch', team_id: 'T0001', user_id: 'U0001', bot_id: 'B0001' });
      case 'chat.postMessage': {
        const channel = body.channel;
        if (typeof channel !== 'string' || !channel || options.missingChannels?.includes(channel)) return reply(res, method, 200, { ok: false, error: 'channel_not_found' });
        const text = typeof body.text === 'string' ? body.text : undefined;
        if (!text && body.blocks === undefined) return reply(res, method, 200, { ok: false, error: 'no_text' });
        if (text && text.length > LIMIT.msgText) return reply(res, method, 200, { ok: false, error: 'msg_too_long' });
        if (body.blocks !== undefined) {
          const bad = (body.blocks as Obj).__invalid ? { error: 'invalid_blocks_format', problems: ['not JSON'] } : blockProblems(body.blocks);
          if (bad) return reply(res, method, 200, { ok: false, error: bad.error, response_metadata: { messages: bad.problems } });
        }
        const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
        if (threadTs && !messages.some((m) => m.ts === threadTs && m.channel === channel && !m.threadTs)) {
          return reply(res, method, 200, { ok: false, error: 'thread_not_found' });
        }
        seq += 1;
        const ts = `${base + seq}.${String(seq).padStart(6, '0')}`;
        const msg: RecordedMessage = {
          channel,
          ts,
          ...(threadTs ? { threadTs } : {}),
          ...(text !== undefined ? { text } : {}),
          ...(Array.isArray(body.blocks) ? { blocks: body.blocks as unknown[] } : {}),
          ...(body.metadata && typeof body.metadata === 'object' ? { metadata: body.metadata as RecordedMessage['metadata'] } : {}),
          replyBroadcast: body.reply_broadcast === true || body.reply_broadcast === 'true',
          edits: [],
          postedAt: now(),
        };
        messages.push(msg);
        if (lose > 0) {
          lose -= 1;
          calls.push({ method, status: 0, ok: false, error: 'connection_lost', at: now() });
          res.socket?.destroy();
          return;
        }
        return reply(res, method, 200, { ok: true, channel, ts, message: { text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) } });
      }
      case 'chat.update': {
        const msg = messages.find((m) => m.ts === body.ts && m.channel === body.channel);
        if (!msg) return reply(res, method, 200, { ok: false, error: 'message_not_found' });
        const text = typeof body.text === 'string' ? body.text : undefined;
        if (text && text.length > LIMIT.msgText) return reply(res, method, 200, { ok: false, error: 'msg_too_long' });
        if (body.blocks !== undefined) {
          const bad = (body.blocks as Obj).__invalid ? { error: 'invalid_blocks_format', problems: ['not JSON'] } : blockProblems(body.blocks);
          if (bad) return reply(res, method, 200, { ok: false, error: bad.error, response_metadata: { messages: bad.problems } });
        }
        msg.edits.push({ ...(text !== undefined ? { text } : {}), ...(Array.isArray(body.blocks) ? { blocks: body.blocks as unknown[] } : {}), at: now() });
        if (text !== undefined) msg.text = text;
        if (Array.isArray(body.blocks)) msg.blocks = body.blocks as unknown[];
        return reply(res, method, 200, { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text });
      }
      case 'chat.getPermalink': {
        const msg = messages.find((m) => m.ts === body.message_ts && m.channel === body.channel);
        if (!msg) return reply(res, method, 200, { ok: false, error: 'message_not_found' });
        return reply(res, method, 200, { ok: true, channel: msg.channel, permalink: `https://evalwatch-test.slack.com/archives/${msg.channel}/p${msg.ts.replace('.', '')}` });
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const channel = body.channel;
        const oldest = Number(body.oldest ?? 0);
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const list = messages
          .filter((m) => m.channel === channel && Number(m.ts) >= oldest)
          .filter((m) => (method === 'conversations.history' ? !m.threadTs || m.replyBroadcast : m.ts === body.ts || m.threadTs === body.ts))
          .sort((a, b) => Number(b.ts) - Number(a.ts))
          .slice(0, Number(body.limit ?? 100));
        return reply(res, method, 200, {
          ok: true,
          messages: list.map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(m.threadTs ? { thread_ts: m.threadTs } : {}), ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) })),
          has_more: false,
        });
      }
      default:
        return reply(res, method, 200, { ok: false, error: 'unknown_method' });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(err) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    messages,
    calls,
    topLevel: (channel) => messages.filter((m) => !m.threadTs && (channel === undefined || m.channel === channel)),
    replies: (threadTs) => messages.filter((m) => m.threadTs === threadTs),
    rateLimit(p) {
      plan = { ...p, ...(p.forMs !== undefined ? { until: now() + p.forMs } : {}), ...(p.calls !== undefined ? { left: p.calls } : {}) };
    },
    loseResponses(n) {
      lose = n;
    },
    setDelay(ms) {
      delay = ms;
    },
    rejected: () => calls.filter((c) => !c.ok && c.status !== 429 && c.error !== 'connection_lost'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
