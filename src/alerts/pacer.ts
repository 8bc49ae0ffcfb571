import type { Redis } from 'ioredis';
import { shortHash } from './format.ts';

/**
 * Per-channel pacing shared by every worker through Redis: each Slack write reserves the next
 * free slot of its channel (at most one write per `intervalMs`), and a 429 pushes the channel's
 * next slot past its `Retry-After`, so no worker hammers a channel Slack has asked us to leave
 * alone. Slot arithmetic is done in one Lua call, with the caller's clock.
 */

// KEYS[1]: next free slot of the channel. ARGV: now, interval, max wait, ttl.
// Returns the slot reserved (≥ now), or -slot without reserving when it is further than max wait.
const RESERVE = `
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local slot = math.max(now, nextFree)
if slot - now > tonumber(ARGV[3]) then return -slot end
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[2])), 'PX', ARGV[4])
return slot
`;

// KEYS[1]: next free slot. ARGV: not-before, ttl. Only ever moves the slot later.
const HOLD = `
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = tonumber(ARGV[1])
if at > nextFree then redis.call('SET', KEYS[1], tostring(at), 'PX', ARGV[2]) end
return math.max(at, nextFree)
`;

export interface PacerOptions {
  readonly redis: Redis;
  /** Key prefix, e.g. `<bullmq prefix>:alerts`. */
  readonly prefix: string;
  /** Least time between two writes to one channel (ms). Default 1000 (Slack: ~1 message/s per channel). */
  readonly intervalMs?: number;
  /** A slot further away than this is not waited for in-process: the caller defers its job. Default 5000. */
  readonly maxWaitMs?: number;
  readonly now: () => number;
  /** Sleeps (ms), injected so tests can scale time. Default: setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ChannelPacer {
  /** Waits for the channel's next slot; throws {@link ChannelHeldError} when it is too far away. */
  acquire(channel: string): Promise<void>;
  /** Holds the channel until `untilMs` (after a 429). */
  hold(channel: string, untilMs: number): Promise<void>;
}

/** The channel's next slot is too far away to wait for in-process. */
export class ChannelHeldError extends Error {
  readonly code = 'ALERT_CHANNEL_HELD';
  constructor(readonly channel: string, readonly retryAt: number) {
    super(`channel ${channel} is paced or rate-limited until ${new Date(retryAt).toISOString()}`);
    this.name = 'ChannelHeldError';
  }
}

/**
 * A Redis-backed per-channel pacer.
 *
 * @example
 * const pacer = createChannelPacer({ redis, prefix: 'evalwatch:alerts', now: Date.now });
 * await pacer.acquire('C0123'); // returns when this worker may write to C0123
 */
export function createChannelPacer(options: PacerOptions): ChannelPacer {
  const interval = options.intervalMs ?? 1000;
  const maxWait = options.maxWaitMs ?? 5000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const key = (channel: string) => `${options.prefix}:pace:${shortHash(channel, 16)}`;
  const ttl = (ms: number) => String(Math.max(1000, Math.ceil(ms) + 60_000));
  return {
    async acquire(channel) {
      const now = options.now();
      const slot = Number(await options.redis.eval(RESERVE, 1, key(channel), String(now), String(interval), String(maxWait), ttl(maxWait + interval)));
      if (slot < 0) throw new ChannelHeldError(channel, -slot);
      if (slot > now) await sleep(slot - now);
    },
    async hold(channel, untilMs) {
      await options.redis.eval(HOLD, 1, key(channel), String(Math.ceil(untilMs)), ttl(untilMs - options.now()));
    },
  };
}
