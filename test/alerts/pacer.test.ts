import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChannelHeldError, createChannelPacer } from '../../src/alerts/pacer.ts';
import { REDIS_URL } from './setup.ts';

const redis = new Redis(REDIS_URL);
const prefix = `ewtest-pacer-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
});

describe('per-channel pacer (Redis, injected clock)', () => {
  it('gives each write to a channel its own slot one interval apart, channels independent', async () => {
    let now = 1_000_000;
    const slept: number[] = [];
    const pacer = createChannelPacer({ redis, prefix, intervalMs: 1000, maxWaitMs: 5000, now: () => now, sleep: async (ms) => void slept.push(ms) });
    for (let i = 0; i < 4; i++) await pacer.acquire('C1');
    await pacer.acquire('C2');
    expect(slept).toEqual([1000, 2000, 3000]);
    now += 10_000;
    await pacer.acquire('C1');
    expect(slept).toHaveLength(3);
  });

  it('a 429 hold defers every worker past Retry-After without reserving slots', async () => {
    const now = 2_000_000;
    const pacer = createChannelPacer({ redis, prefix, intervalMs: 1000, maxWaitMs: 5000, now: () => now, sleep: async () => undefined });
    await pacer.hold('C9', now + 30_000);
    await expect(pacer.acquire('C9')).rejects.toBeInstanceOf(ChannelHeldError);
    await expect(pacer.acquire('C9')).rejects.toMatchObject({ retryAt: now + 30_000 });
  });
});

afterAll(() => redis.disconnect());
