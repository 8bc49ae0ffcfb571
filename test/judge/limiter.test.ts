import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/judge/limiter.ts';

describe('limiter', () => {
  it('never lets more than `concurrency` requests hold a permit, in arrival order', async () => {
    const limiter = new Limiter({ enabled: false, concurrency: 2 });
    const order: number[] = [];
    let max = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const permit = await limiter.acquire();
        order.push(i);
        max = Math.max(max, limiter.active);
        await new Promise((r) => setImmediate(r));
        permit.release();
      }),
    );
    expect(max).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('an aborted waiter leaves the queue', async () => {
    const limiter = new Limiter({ enabled: false, concurrency: 1 });
    const held = await limiter.acquire();
    const ac = new AbortController();
    const waiting = limiter.acquire(0, ac.signal);
    expect(limiter.waiting).toBe(1);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(0);
    held.release();
  });

  it('a request bucket of one with an empty clock window waits for a refill', async () => {
    let t = 0;
    const limiter = new Limiter({ requestsPerSecond: 10, burst: 1, now: () => t });
    await limiter.acquire();
    let got = false;
    const next = limiter.acquire().then((p) => {
      got = true;
      return p;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(false);
    t = 100; // one token's worth of the fake clock
    (await next).release();
    expect(got).toBe(true);
  });
});
