import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/** What to do about a failed judge request. */
export type Failure =
  /** Transient: retry after a backoff (or the server's `retry-after`). */
  | { readonly action: 'retry'; readonly reason: 'rate_limited' | 'server_error' | 'timeout' | 'network'; readonly retryAfterMs?: number; readonly message: string }
  /** The endpoint refuses the whole run: stop judging, one `judge.unavailable` finding. */
  | { readonly action: 'stop'; readonly reason: 'auth' | 'forbidden' | 'model_not_found' | 'insufficient_quota'; readonly status?: number; readonly message: string }
  /** The endpoint rejects this output mode (`response_format` / `tools`): fall back to the next one. */
  | { readonly action: 'fallback'; readonly message: string }
  /** This item cannot be judged (input too long, bad request): it is unmeasured, the run goes on. */
  | { readonly action: 'skip'; readonly reason: 'input_too_long' | 'bad_request' | 'aborted'; readonly message: string };

/**
 * Sorts an error of the `openai` SDK (or the network) into what our single retry layer does.
 *
 * @example
 * const f = classifyError(err);
 * if (f.action === 'retry') await sleep(backoffDelay(attempt, f.retryAfterMs, opts));
 */
export function classifyError(err: unknown): Failure {
  if (err instanceof APIUserAbortError) return { action: 'skip', reason: 'aborted', message: 'aborted' };
  if (err instanceof APIConnectionTimeoutError) return { action: 'retry', reason: 'timeout', message: 'request timed out' };
  if (err instanceof APIConnectionError) return { action: 'retry', reason: 'network', message: err.message };
  if (!(err instanceof APIError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { action: 'retry', reason: 'network', message };
  }
  const status = err.status ?? 0;
  const code = String(err.code ?? '');
  const message = err.message;
  const text = `${code} ${err.type ?? ''} ${err.param ?? ''} ${message}`.toLowerCase();
  if (status === 429 && (code === 'insufficient_quota' || text.includes('insufficient_quota'))) {
    return { action: 'stop', reason: 'insufficient_quota', status, message };
  }
  if (status === 401) return { action: 'stop', reason: 'auth', status, message };
  if (status === 403) return { action: 'stop', reason: 'forbidden', status, message };
  if (status === 404) return { action: 'stop', reason: 'model_not_found', status, message };
  if (status === 429) {
    const retryAfterMs = retryAfter(err.headers);
    return { action: 'retry', reason: 'rate_limited', message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status === 408 || status === 409 || status >= 500) {
    const retryAfterMs = retryAfter(err.headers);
    return { action: 'retry', reason: 'server_error', message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status === 413 || code === 'context_length_exceeded' || text.includes('context length') || text.includes('maximum context')) {
    return { action: 'skip', reason: 'input_too_long', message };
  }
  if (status === 400 && /response_format|json_schema|structured output|tool_choice|\btools?\b/.test(text)) {
    return { action: 'fallback', message };
  }
  return { action: 'skip', reason: 'bad_request', message };
}

/**
 * The server's requested wait in ms from `retry-after-ms` (OpenAI), or `retry-after` in seconds
 * or as an HTTP date. `undefined` when absent or unreadable.
 *
 * @example
 * retryAfter(new Headers({ 'retry-after': '2' })); // 2000
 */
export function retryAfter(headers: Headers | undefined, now: () => number = Date.now): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const v = headers.get('retry-after');
  if (v === null || v.trim() === '') return undefined;
  if (Number.isFinite(Number(v))) return Math.max(0, Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

export interface BackoffOptions {
  /** First backoff in ms. Default 500. */
  readonly baseMs?: number;
  /** Longest wait in ms, also the cap on a server's `retry-after`. Default 60,000. */
  readonly maxMs?: number;
  /** Uniform random in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Wait before retry number `attempt` (1 = first retry): the server's `retry-after` when given
 * (plus a little jitter so a fleet does not return in lockstep), else full-jitter exponential.
 *
 * @example
 * backoffDelay(1, 2000, {}); // 2000..2100
 * backoffDelay(3, undefined, { baseMs: 100 }); // 0..400
 */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 60_000;
  const random = options.random ?? Math.random;
  if (retryAfterMs !== undefined) return Math.min(max, retryAfterMs + random() * Math.min(100, retryAfterMs * 0.05 + 10));
  return Math.min(max, random() * base * 2 ** (attempt - 1));
}
