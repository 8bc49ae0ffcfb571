import type { GoldenCase, TargetOutput } from '../types.ts';

/**
 * Why a target call produced no output. Every kind makes the case `unmeasured`, never a fail:
 * a down service says nothing about the quality of its answers.
 * - `timeout`: no answer within `timeoutMs` (after the retries).
 * - `rate_limited`: 429 after the retries (or a `retry-after` longer than we wait).
 * - `server_error`: 5xx / 408 / 409 after the retries.
 * - `network`: connection refused, reset, DNS.
 * - `bad_response`: a 2xx that does not hold an answer (not JSON, the answer path matches nothing).
 * - `client_error`: a 4xx no retry can fix (401, 403, 404, 400): the target config is wrong.
 * - `aborted`: the run was cancelled.
 */
export type TargetErrorKind = 'timeout' | 'rate_limited' | 'server_error' | 'network' | 'bad_response' | 'client_error' | 'aborted';

/** Something a target did that a log, a metric or a test may want to see. */
export interface TargetEvent {
  readonly type: 'retry';
  readonly target: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: TargetErrorKind;
  readonly retryAfterMs?: number;
}

/** A system under test: one call per case, never throws for a failed call. */
export interface Target {
  /** Name in `config.golden.targets`. */
  readonly name: string;
  readonly kind: 'openai' | 'http';
  /** Calls in flight at once (`concurrency` of its config). */
  readonly concurrency: number;
  /** sha256 of the config that changes answers (see `targetFingerprint`). */
  readonly fingerprint: string;
  /** The fingerprinted fields, so a re-baseline can say what changed. */
  readonly identity: Record<string, unknown>;
  /**
   * Runs one case. A failed call resolves to `{ error: { kind, message } }`.
   *
   * @example
   * const out = await target.call(goldenCase, signal);
   * if (out.error) unmeasured(out.error.kind);
   */
  call(c: GoldenCase, signal?: AbortSignal): Promise<TargetOutput>;
}

/** Options every target factory takes. */
export interface TargetOptions {
  /** Environment for `env:NAME` header values and API keys. Default `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** Clock for latencies (ms). Default `performance.now`. */
  readonly clock?: () => number;
  /** Uniform random in [0, 1) for backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** First backoff in ms (doubling, full jitter). Default 500. */
  readonly backoffMs?: number;
  /** Longest backoff, also the longest `retry-after` honoured (ms). Default 30,000. */
  readonly maxBackoffMs?: number;
  /** Retries, for logs and tests. Default none. */
  readonly onEvent?: (event: TargetEvent) => void;
}
