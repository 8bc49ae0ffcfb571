import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResultsStore } from '../store/types.ts';
import { renderFollowUp, renderIncident, type RenderOptions } from './blocks.ts';
import { DeliveryBusyError, RateLimitedDelayError, syncIncident } from './delivery.ts';
import { plainDates, unescapeMrkdwn } from './format.ts';
import { withReportLink } from './links.ts';
import type { PostRequest, SlackPoster } from './slack.ts';
import type { AlertAction } from './types.ts';

/**
 * The embedded default without a Slack token: the same messages, as JSON Lines in a file (what
 * Slack would have received, blocks and all) and as short text on the console.
 */
export interface SinkOptions {
  /** JSON Lines file appended to. Default: none (console only). */
  readonly path?: string;
  /** Where the text rendering goes. Default standard error; `null` for none. */
  readonly console?: NodeJS.WritableStream | null;
  /** The injected clock. Default `Date.now`. */
  readonly now?: () => number;
}

/** One line of the sink file. */
export interface SinkEntry {
  readonly at: string;
  readonly op: 'post' | 'update';
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  readonly messageId?: string;
  readonly text: string;
  readonly blocks: Record<string, unknown>[];
}

export interface AlertSink extends SlackPoster {
  /** Entries written by this sink instance. */
  readonly entries: SinkEntry[];
}

/**
 * A console + file sink that speaks the same {@link SlackPoster} interface as Slack, so delivery,
 * dedup and rendering are the same code with or without a token.
 *
 * @example
 * const sink = createFileSink({ path: '.evalwatch/alerts.jsonl' });
 * await deliverInline(actions, sink, { store, render: { config: config.alerts, redactor } });
 */
export function createFileSink(options: SinkOptions = {}): AlertSink {
  const now = options.now ?? Date.now;
  const out = options.console === undefined ? process.stderr : options.console;
  const entries: SinkEntry[] = [];
  let seq = 0;
  const write = async (e: SinkEntry) => {
    entries.push(e);
    if (options.path) {
      await mkdir(dirname(options.path), { recursive: true });
      await appendFile(options.path, `${JSON.stringify(e)}\n`);
    }
    out?.write(textOf(e));
  };
  return {
    entries,
    async post(r: PostRequest) {
      seq += 1;
      const ts = `${Math.floor(now() / 1000)}.${String(seq).padStart(6, '0')}`;
      await write({ at: new Date(now()).toISOString(), op: 'post', channel: r.channel, ts, ...(r.threadTs ? { threadTs: r.threadTs } : {}), messageId: r.messageId, text: r.text, blocks: r.blocks });
      return { channel: r.channel, ts };
    },
    async update(r) {
      await write({ at: new Date(now()).toISOString(), op: 'update', channel: r.channel, ts: r.ts, text: r.text, blocks: r.blocks });
    },
    async find(r) {
      const inMemory = entries.find((e) => e.messageId === r.messageId);
      if (inMemory) return inMemory.ts;
      if (!options.path) return undefined;
      const text = await readFile(options.path, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line.includes(r.messageId)) continue;
        try {
          const e = JSON.parse(line) as SinkEntry;
          if (e.messageId === r.messageId) return e.ts;
        } catch {
          // A torn last line after a crash: ignore it.
        }
      }
      return undefined;
    },
  };
}

function textOf(e: SinkEntry): string {
  const lines: string[] = [];
  const where = e.threadTs ? `${e.channel} (thread ${e.threadTs})` : e.channel;
  lines.push(`[evalwatch alert${e.op === 'update' ? ' updated' : ''}] ${where}: ${plainDates(e.text)}`);
  for (const b of e.blocks) {
    const t = (b as { text?: { text?: string } }).text?.text;
    if (b.type !== 'section' || !t) continue;
    // A terminal is not Slack: show `>` rather than `&gt;`, and skip the bold headline that repeats the text.
    const plain = unescapeMrkdwn(t);
    if (!e.text.includes(plain.replace(/^\*(.*)\*$/s, '$1'))) lines.push(`    ${plainDates(plain).replace(/\n/g, '\n    ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface DeliverInlineOptions {
  readonly render: RenderOptions;
  /** With a store, delivery is exactly-once across repeated inline runs (same records as the outbox). Default: none. */
  readonly store?: ResultsStore;
  readonly now?: () => number;
}

/**
 * Delivers routing actions in this process, without Redis: to the sink without a token (the
 * embedded default, `--inline` runs, the demo), or to Slack through a poster. Resolves messages written.
 *
 * @example
 * const { actions } = await routeAndRecord({ store, runReport, config: config.alerts, now: Date.now });
 * await deliverInline(actions, createFileSink({ path: config.alerts.sink.path }), { store, render: { config: config.alerts, redactor } });
 */
export async function deliverInline(actions: readonly AlertAction[], sink: SlackPoster, options: DeliverInlineOptions): Promise<number> {
  const now = options.now ?? Date.now;
  let written = 0;
  if (options.store) {
    for (const a of actions) {
      for (let tries = 0; ; tries++) {
        try {
          const r = await syncIncident({ store: options.store, poster: sink, render: options.render, now, claimStaleMs: 0 }, a.incident);
          written += r.posted + r.updated;
          break;
        } catch (err) {
          // A real Slack poster can rate-limit an inline run too: wait as told, a few times.
          if ((err instanceof RateLimitedDelayError || err instanceof DeliveryBusyError) && tries < 5) {
            await new Promise((r) => setTimeout(r, Math.min(60_000, Math.max(0, err.retryAt - now()))));
            continue;
          }
          throw err;
        }
      }
    }
    return written;
  }
  // Without a store there is nothing to dedup against: print what routing decided, in order.
  const threads = new Map<string, { channel: string; ts: string }>();
  for (const a of actions) {
    if (!a.incident.notify) continue;
    const rendered = renderIncident(a.incident, await withReportLink(options.render, a.incident));
    let where = threads.get(a.incident.id);
    if (a.type === 'open' || !where) {
      where = await sink.post({ channel: a.incident.channel, ...rendered.main, messageId: `${a.incident.id}.main` });
      threads.set(a.incident.id, where);
      written += 1;
      for (const [i, m] of rendered.overflow.entries()) {
        await sink.post({ channel: where.channel, threadTs: where.ts, ...m, messageId: `${a.incident.id}.d${i}` });
        written += 1;
      }
    } else {
      await sink.update({ channel: where.channel, ts: where.ts, ...rendered.main });
      written += 1;
    }
    for (const seq of a.followUps) {
      const f = a.incident.followUps.find((x) => x.seq === seq);
      if (!f) continue;
      await sink.post({ channel: where.channel, threadTs: where.ts, broadcast: f.broadcast, ...renderFollowUp(f, options.render.redactor), messageId: `${a.incident.id}.f${seq}` });
      written += 1;
    }
  }
  return written;
}
