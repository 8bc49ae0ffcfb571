import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../../judge/retry.ts';
import type { Limiter } from '../../judge/limiter.ts';
import type { TargetErrorKind, TargetOptions } from './types.ts';

/** One attempt's outcome, as the target classified it. */
export type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly kind: TargetErrorKind; readonly message: string; readonly retryable: boolean; readonly retryAfterMs?: number };

/** The outcome of {@link withRetries}. */
export type Settled<T> = { ok: true; value: T; attempts: number } | { ok: false; kind: TargetErrorKind; message: string; attempts: number };

/**
 * Runs `attempt` under the target's limiter until it succeeds, fails for good, or `maxAttempts`
 * are spent. Waits honour the server's `retry-after` (a 429 also pauses every other call of the
 * target, since the provider limits the client, not one request); a `retry-after` longer than
 * `maxBackoffMs` gives up at once rather than stall the run. Never throws.
 *
 * @example
 * const r = await withRetries(limiter, 3, opts, 'prod', (signal) => callOnce(signal), signal);
 */
export async function withRetries<T>(
  limiter: Limiter,
  maxAttempts: number,
  options: TargetOptions,
  target: string,
  attempt: () => Promise<Attempt<T>>,
  signal?: AbortSignal,
): Promise<Settled<T>> {
  const maxMs = options.maxBackoffMs ?? 30_000;
  for (let n = 1; ; n++) {
    if (signal?.aborted) return { ok: false, kind: 'aborted', message: 'the run was cancelled', attempts: n - 1 };
    let permit;
    try {
      permit = await limiter.acquire(0, signal);
    } catch {
      return { ok: false, kind: 'aborted', message: 'the run was cancelled', attempts: n - 1 };
    }
    let result: Attempt<T>;
    try {
      result = await attempt();
    } finally {
      permit.release();
    }
    if (result.ok) return { ok: true, value: result.value, attempts: n };
    if (!result.retryable || signal?.aborted) return { ok: false, kind: signal?.aborted ? 'aborted' : result.kind, message: result.message, attempts: n };
    if (n >= maxAttempts) return { ok: false, kind: result.kind, message: `gave up after ${n} attempts: ${result.message}`, attempts: n };
    if (result.retryAfterMs !== undefined && result.retryAfterMs > maxMs) {
      return { ok: false, kind: result.kind, message: `the target asked to wait ${Math.round(result.retryAfterMs / 1000)} s, longer than ${Math.round(maxMs / 1000)} s: ${result.message}`, attempts: n };
    }
    const delayMs = backoffDelay(n, result.retryAfterMs, {
      baseMs: options.backoffMs ?? 500,
      maxMs,
      ...(options.random ? { random: options.random } : {}),
    });
    if (result.kind === 'rate_limited') limiter.pauseFor(delayMs);
    options.onEvent?.({ type: 'retry', target, attempt: n, delayMs, reason: result.kind, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}) });
    try {
      await sleep(delayMs, undefined, signal ? { signal } : {});
    } catch {
      return { ok: false, kind: 'aborted', message: 'the run was cancelled', attempts: n };
    }
  }
}

/**
 * Sorts an HTTP status into an error kind: 429 rate limited, 408 a timeout, 409/5xx a server
 * error (all retryable); any other 4xx a client error no retry can fix.
 *
 * @example
 * statusKind(503); // { kind: 'server_error', retryable: true }
 */
export function statusKind(status: number): { kind: TargetErrorKind; retryable: boolean } {
  if (status === 429) return { kind: 'rate_limited', retryable: true };
  if (status === 408) return { kind: 'timeout', retryable: true };
  if (status === 409 || status >= 500) return { kind: 'server_error', retryable: true };
  return { kind: 'client_error', retryable: false };
}
