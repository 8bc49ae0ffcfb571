import { describe, expect, it } from 'vitest';
import { openaiTarget, targetFingerprint, type TargetEvent } from '../../../src/golden/target/index.ts';
import { useOpenAiServer } from '../../helpers/use-openai-server.ts';
import { goldenCase, openaiConfig } from './helpers.ts';

const server = useOpenAiServer({ script: undefined, latencyMs: 0, requestsPerSecond: undefined, completion: undefined });

const fast = { backoffMs: 5, random: () => 0.5 };

describe('OpenAI-compatible target through the local server', () => {
  it('sends the model snapshot, system prompt and parameters, and returns output, tokens, cost, latency', async () => {
    const cfg = openaiConfig(server.url, { system: 'Answer in one line.', temperature: 0.2, maxTokens: 64, seed: 3, topP: 0.9, pricing: { inputPerMTok: 1, outputPerMTok: 2 } });
    const out = await openaiTarget('t', cfg, fast).call(goldenCase('c1', 'what is the refund window for shoes'));
    expect(out.error).toBeUndefined();
    expect(out.output).toBe('Answer: what is the refund window for shoes');
    expect(out.tokens?.input).toBeGreaterThan(0);
    expect(out.costUsd).toBeGreaterThan(0);
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
    const body = server.requests[0]!.body as Record<string, any>;
    expect(body.model).toBe('target-2025-01-01');
    expect(body.messages).toEqual([
      { role: 'system', content: 'Answer in one line.' },
      { role: 'user', content: 'what is the refund window for shoes' },
    ]);
    expect([body.temperature, body.max_tokens, body.seed, body.top_p]).toEqual([0.2, 64, 3, 0.9]);
  });

  it('keeps a chat input that has its own system turn as written', async () => {
    const cfg = openaiConfig(server.url, { system: 'ignored here', maxTokensParam: 'max_completion_tokens' });
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'hi there' },
    ];
    await openaiTarget('t', cfg, fast).call(goldenCase('c', messages));
    const body = server.requests[0]!.body as Record<string, any>;
    expect(body.messages).toEqual(messages);
    expect(body.max_completion_tokens).toBe(1024);
    expect(body.max_tokens).toBeUndefined();
  });

  it('waits the retry-after of a 429, then succeeds', async () => {
    server.queue({ kind: 'rate_limit', retryAfterMs: 120 });
    const events: TargetEvent[] = [];
    const t0 = performance.now();
    const out = await openaiTarget('t', openaiConfig(server.url), { ...fast, onEvent: (e) => events.push(e) }).call(goldenCase('c', 'hello'));
    expect(out.output).toContain('hello');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    expect(events).toEqual([expect.objectContaining({ reason: 'rate_limited', retryAfterMs: 120, attempt: 1 })]);
    expect(server.requests).toHaveLength(2);
  });

  it('classifies a 5xx storm after maxAttempts as server_error (unmeasured, not a fail)', async () => {
    server.set({ script: () => ({ kind: 'status', status: 503, message: 'overloaded' }) });
    const out = await openaiTarget('t', openaiConfig(server.url, { maxAttempts: 3 }), fast).call(goldenCase('c', 'x'));
    expect(out.output).toBeUndefined();
    expect(out.error?.kind).toBe('server_error');
    expect(out.error?.message).toMatch(/gave up after 3 attempts/);
    expect(server.requests).toHaveLength(3);
  });

  it('times out a hanging endpoint', async () => {
    server.set({ script: () => ({ kind: 'hang' }) });
    const out = await openaiTarget('t', openaiConfig(server.url, { timeoutMs: 150, maxAttempts: 2 }), fast).call(goldenCase('c', 'x'));
    expect(out.error?.kind).toBe('timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 401 or an unknown model: client_error', async () => {
    server.set({ script: () => ({ kind: 'status', status: 404, code: 'model_not_found', message: 'no such model' }) });
    const out = await openaiTarget('t', openaiConfig(server.url), fast).call(goldenCase('c', 'x'));
    expect(out.error?.kind).toBe('client_error');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up at once when retry-after is longer than maxBackoffMs', async () => {
    server.queue({ kind: 'rate_limit', retryAfterSeconds: 120 });
    const out = await openaiTarget('t', openaiConfig(server.url), { ...fast, maxBackoffMs: 1_000 }).call(goldenCase('c', 'x'));
    expect(out.error?.kind).toBe('rate_limited');
    expect(out.error?.message).toMatch(/asked to wait 120 s/);
  });

  it('fingerprints what changes answers, not pacing or keys', () => {
    const a = openaiConfig('http://x/v1', { system: 'S' });
    expect(targetFingerprint(a)).toBe(targetFingerprint(openaiConfig('http://x/v1', { system: 'S', concurrency: 50, requestsPerSecond: 3, apiKeyEnv: 'OTHER' })));
    expect(targetFingerprint(a)).not.toBe(targetFingerprint(openaiConfig('http://x/v1', { system: 'S2' })));
    expect(targetFingerprint(a)).not.toBe(targetFingerprint(openaiConfig('http://x/v1', { system: 'S', model: 'target-2025-06-01' })));
    expect(targetFingerprint(a)).not.toBe(targetFingerprint(openaiConfig('http://x/v1', { system: 'S', temperature: 0.7 })));
  });
});
