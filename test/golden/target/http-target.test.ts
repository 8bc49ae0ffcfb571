import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpTarget, renderBody, targetFingerprint, type TargetEvent } from '../../../src/golden/target/index.ts';
import { goldenCase, httpConfig, json, startService, type LocalService } from './helpers.ts';

let svc: LocalService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc.close();
});
beforeEach(() => {
  svc.seen.length = 0;
});

const fast = { backoffMs: 5, random: () => 0.5 };

describe('HTTP target against a small local service', () => {
  it('renders the body template with the case, sends env headers, reads the answer by JSONPath', async () => {
    svc.handler = (req, res) => {
      const body = JSON.parse(req.body) as { question: string };
      json(res, 200, { data: { answers: [{ text: `echo ${body.question}` }] }, usage: { in: 12, out: 5 }, cost: 0.0001 });
    };
    const cfg = httpConfig(`${svc.url}/ask?tenant={{tenant}}`, {
      headers: { authorization: 'env:SVC_TOKEN', 'x-case': '{{id}}' },
      body: { question: '{{input}}', user: { tenant: '{{tenant}}', n: '{{n}}' }, note: 'case {{id}} for {{vars.tenant}}' },
      answerPath: '$.data.answers[0].text',
      usagePaths: { input: '$.usage.in', output: '$.usage.out', costUsd: '$.cost' },
    });
    const out = await httpTarget('svc', cfg, { ...fast, env: { SVC_TOKEN: 'Bearer s3cret' } }).call(goldenCase('c1', 'is it raining', { tenant: 'a b', n: 3 }));
    expect(out).toMatchObject({ output: 'echo is it raining', tokens: { input: 12, output: 5 }, costUsd: 0.0001 });
    const seen = svc.seen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/ask?tenant=a%20b');
    expect(seen.headers.authorization).toBe('Bearer s3cret');
    expect(seen.headers['x-case']).toBe('c1');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ question: 'is it raining', user: { tenant: 'a b', n: 3 }, note: 'case c1 for a b' });
  });

  it('sends chat messages as an array when the placeholder is the whole string', () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    expect(renderBody({ messages: '{{input}}', text: 'x {{input}}' }, goldenCase('c', messages))).toEqual({ messages, text: `x ${JSON.stringify(messages)}` });
  });

  it('a plain-text reply with answerPath $ is the answer; with another path it is bad_response', async () => {
    svc.handler = (_req, res) => res.end('plain answer');
    expect((await httpTarget('svc', httpConfig(svc.url), fast).call(goldenCase('c', 'q'))).output).toBe('plain answer');
    const out = await httpTarget('svc', httpConfig(svc.url, { answerPath: '$.answer' }), fast).call(goldenCase('c', 'q'));
    expect(out.error?.kind).toBe('bad_response');
  });

  it('an answer path that matches nothing is bad_response, not an empty answer', async () => {
    svc.handler = (_req, res) => json(res, 200, { result: 'x' });
    const out = await httpTarget('svc', httpConfig(svc.url, { answerPath: '$.answer' }), fast).call(goldenCase('c', 'q'));
    expect(out.output).toBeUndefined();
    expect(out.error).toMatchObject({ kind: 'bad_response', message: expect.stringMatching(/matched nothing/) });
  });

  it('retries a 429 after retry-after and a 502, then answers', async () => {
    let n = 0;
    svc.handler = (_req, res) => {
      n++;
      if (n === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
      if (n === 2) return json(res, 502, { error: 'bad gateway' });
      json(res, 200, { answer: 'finally' });
    };
    const events: TargetEvent[] = [];
    const out = await httpTarget('svc', httpConfig(svc.url, { answerPath: '$.answer' }), { ...fast, onEvent: (e) => events.push(e) }).call(goldenCase('c', 'q'));
    expect(out.output).toBe('finally');
    expect(events.map((e) => e.reason)).toEqual(['rate_limited', 'server_error']);
  });

  it('classifies a hang as timeout and a closed port as network', async () => {
    svc.handler = () => undefined; // never answers
    const hang = await httpTarget('svc', httpConfig(svc.url, { timeoutMs: 100, maxAttempts: 2 }), fast).call(goldenCase('c', 'q'));
    expect(hang.error?.kind).toBe('timeout');
    expect(svc.seen).toHaveLength(2);
    const down = await httpTarget('svc', httpConfig('http://127.0.0.1:9/x', { maxAttempts: 1 }), fast).call(goldenCase('c', 'q'));
    expect(down.error?.kind).toBe('network');
  });

  it('a 400 or a missing template var is a client_error without retries', async () => {
    svc.handler = (_req, res) => json(res, 400, { error: 'bad' });
    const bad = await httpTarget('svc', httpConfig(svc.url), fast).call(goldenCase('c', 'q'));
    expect(bad.error?.kind).toBe('client_error');
    expect(svc.seen).toHaveLength(1);
    const missing = await httpTarget('svc', httpConfig(svc.url, { body: { q: '{{nope}}' } }), fast).call(goldenCase('c', 'q'));
    expect(missing.error).toMatchObject({ kind: 'client_error', message: expect.stringMatching(/nope/) });
    const noEnv = await httpTarget('svc', httpConfig(svc.url, { headers: { a: 'env:EW_UNSET_VAR' } }), { ...fast, env: {} }).call(goldenCase('c', 'q'));
    expect(noEnv.error?.message).toMatch(/EW_UNSET_VAR/);
  });

  it('keeps at most `concurrency` requests in flight and paces to requestsPerSecond', async () => {
    let inFlight = 0;
    let peak = 0;
    svc.handler = (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, { answer: 'ok' });
      }, 20);
    };
    const target = httpTarget('svc', httpConfig(svc.url, { concurrency: 3, answerPath: '$.answer' }), fast);
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => target.call(goldenCase(`c${i}`, 'q'))));
    expect(outs.every((o) => o.output === 'ok')).toBe(true);
    expect(peak).toBe(3);

    const paced = httpTarget('svc', httpConfig(svc.url, { concurrency: 50, requestsPerSecond: 20, answerPath: '$.answer' }), fast);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 30 }, (_, i) => paced.call(goldenCase(`p${i}`, 'q'))));
    // 20 in the first second's burst, then 10 more at 20/s: at least ~0.5 s.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
  });

  it('fingerprints url, body and header templates, not the secret behind env:', () => {
    const a = httpConfig('http://svc/ask', { headers: { authorization: 'env:TOKEN' } });
    expect(targetFingerprint(a)).toBe(targetFingerprint(httpConfig('http://svc/ask', { headers: { authorization: 'env:TOKEN' }, concurrency: 2 })));
    expect(targetFingerprint(a)).not.toBe(targetFingerprint(httpConfig('http://svc/ask', { headers: { authorization: 'env:TOKEN' }, body: { q: '{{input}}' } })));
    expect(targetFingerprint(a)).not.toBe(targetFingerprint(httpConfig('http://svc/v2/ask', { headers: { authorization: 'env:TOKEN' } })));
  });
});
