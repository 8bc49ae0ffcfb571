import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeJudges } from '../../src/judge/bridge.ts';
import { JudgeClient } from '../../src/judge/client.ts';
import { Limiter } from '../../src/judge/limiter.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { offTopic, onTopic, testJudgeConfig, testRubric } from './fixtures.ts';

let oldServer: OpenAiServer;
let newServer: OpenAiServer;
beforeAll(async () => {
  oldServer = await startOpenAiServer({ judge: 'overlap' });
  newServer = await startOpenAiServer({ judge: () => ({ relevance: { reasoning: 'always 5', score: 5 }, grounded: { reasoning: 'yes', score: true } }) });
});
afterAll(async () => {
  await oldServer.close();
  await newServer.close();
});

describe('judge bridge', () => {
  it('re-scores a frozen sample with both judges and reports agreement and offset', async () => {
    const rubric = testRubric();
    const items = [onTopic, offTopic, { ...offTopic, id: 'r3' }, { ...onTopic, id: 'r4' }];
    const b = await bridgeJudges({
      rubric,
      items,
      oldJudge: new JudgeClient({ config: testJudgeConfig(oldServer.url) }),
      newJudge: new JudgeClient({ config: testJudgeConfig(newServer.url) }),
      oldFingerprint: 'old',
      newFingerprint: 'new',
    });
    const rel = b.dimensions.find((d) => d.dimension === 'relevance')!;
    expect(b.unmeasured).toBe(0);
    expect(rel.n).toBe(4);
    expect(rel.passAgreement).toBe(0.5);
    expect(rel.exactAgreement).toBe(0.5);
    expect(rel.offset!.mean).toBe(2); // (0 + 4 + 4 + 0) / 4
    expect(rel.offset!.ci[0]).toBeLessThan(2);
  });
});

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
