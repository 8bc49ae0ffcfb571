import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { retryAfter } from '../../judge/retry.ts';
import type { OpenAITargetConfig } from '../config.ts';
import type { GoldenCase, TargetOutput } from '../types.ts';
import { targetFingerprint, targetIdentity } from './fingerprint.ts';
import { targetLimiter } from './limiter.ts';
import { statusKind, withRetries, type Attempt } from './retry.ts';
import type { Target, TargetOptions } from './types.ts';

/**
 * The chat messages a case sends: a string `input` becomes one user turn after the target's
 * system prompt; chat messages are sent as written, with the system prompt prepended only when
 * they have no system turn of their own.
 *
 * @example
 * caseMessages('Hi', 'Be brief.'); // [{ role: 'system', … }, { role: 'user', content: 'Hi' }]
 */
export function caseMessages(input: GoldenCase['input'], system?: string): ChatCompletionMessageParam[] {
  const head: ChatCompletionMessageParam[] = system !== undefined ? [{ role: 'system', content: system }] : [];
  if (typeof input === 'string') return [...head, { role: 'user', content: input }];
  const hasSystem = input.some((m) => m.role === 'system');
  return [...(hasSystem ? [] : head), ...input.map((m) => ({ role: m.role, content: m.content }) as ChatCompletionMessageParam)];
}

/**
 * An OpenAI-compatible chat model as a golden target, through the `openai` SDK (its own retries
 * off: ours honour `retry-after` and pace the whole target after a 429). The model snapshot,
 * system prompt and parameters come from the config and are fingerprinted.
 *
 * @example
 * const target = openaiTarget('prod', cfg.golden.targets.prod, { env: process.env });
 * const out = await target.call(goldenCase);
 */
export function openaiTarget(name: string, cfg: OpenAITargetConfig, options: TargetOptions = {}): Target {
  const env = options.env ?? process.env;
  const clock = options.clock ?? (() => performance.now());
  const client = new OpenAI({ apiKey: env[cfg.apiKeyEnv] ?? 'no-key', baseURL: cfg.baseURL, maxRetries: 0, timeout: cfg.timeoutMs });
  const limiter = targetLimiter(cfg);

  const body = (c: GoldenCase): ChatCompletionCreateParamsNonStreaming => ({
    ...(cfg.extraBody ?? {}),
    model: cfg.model,
    messages: caseMessages(c.input, cfg.system),
    temperature: cfg.temperature,
    ...(cfg.maxTokensParam === 'max_tokens' ? { max_tokens: cfg.maxTokens } : { max_completion_tokens: cfg.maxTokens }),
    ...(cfg.topP !== undefined ? { top_p: cfg.topP } : {}),
    ...(cfg.seed !== undefined ? { seed: cfg.seed } : {}),
  });

  const once = async (c: GoldenCase, signal?: AbortSignal): Promise<Attempt<{ completion: ChatCompletion; latencyMs: number }>> => {
    const start = clock();
    try {
      const completion = await client.chat.completions.create(body(c), { ...(signal ? { signal } : {}), timeout: cfg.timeoutMs, maxRetries: 0 });
      return { ok: true, value: { completion, latencyMs: clock() - start } };
    } catch (err) {
      return classify(err);
    }
  };

  return {
    name,
    kind: 'openai',
    concurrency: cfg.concurrency,
    fingerprint: targetFingerprint(cfg),
    identity: targetIdentity(cfg),
    async call(c, signal) {
      const r = await withRetries(limiter, cfg.maxAttempts, options, name, () => once(c, signal), signal);
      if (!r.ok) return { error: { kind: r.kind, message: r.message } };
      const { completion, latencyMs } = r.value;
      const message = completion.choices?.[0]?.message;
      const text = message?.content ?? message?.refusal ?? undefined;
      if (typeof text !== 'string') return { error: { kind: 'bad_response', message: 'the reply has no message content' }, latencyMs };
      const out: TargetOutput = { output: text, latencyMs };
      const usage = completion.usage;
      if (usage) {
        out.tokens = { input: usage.prompt_tokens, output: usage.completion_tokens };
        if (cfg.pricing) out.costUsd = (usage.prompt_tokens * cfg.pricing.inputPerMTok + usage.completion_tokens * cfg.pricing.outputPerMTok) / 1e6;
      }
      return out;
    },
  };
}

function classify(err: unknown): Attempt<never> {
  if (err instanceof APIUserAbortError) return { ok: false, kind: 'aborted', message: 'aborted', retryable: false };
  if (err instanceof APIConnectionTimeoutError) return { ok: false, kind: 'timeout', message: 'request timed out', retryable: true };
  if (err instanceof APIConnectionError) return { ok: false, kind: 'network', message: err.message, retryable: true };
  if (err instanceof APIError) {
    const { kind, retryable } = statusKind(err.status ?? 0);
    // No quota is a 429 that waiting does not cure.
    const quota = String(err.code ?? '') === 'insufficient_quota';
    const wait = retryAfter(err.headers);
    return { ok: false, kind, message: `${err.status ?? '?'} ${err.message}`, retryable: retryable && !quota, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  if (err instanceof SyntaxError) return { ok: false, kind: 'bad_response', message: `the reply is not JSON: ${err.message}`, retryable: false };
  return { ok: false, kind: 'network', message: err instanceof Error ? err.message : String(err), retryable: true };
}
