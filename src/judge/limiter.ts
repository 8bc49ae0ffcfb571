/**
 * In-process pacing of calls to one provider: a request token bucket, a model-token bucket and a
 * concurrency cap, served first come first served. The queue layer's BullMQ limiter paces jobs
 * across workers; this one paces calls inside a process (the inline path, the benchmark, a unit
 * that makes many calls), and can be switched off when the queue already limits.
 */
export interface LimiterOptions {
  /** Apply the two buckets; the concurrency cap applies either way. Default `true`. */
  readonly enabled?: boolean;
  /** Requests per second. Default 5. */
  readonly requestsPerSecond?: number;
  /** Requests that may start at once after an idle spell. Default 5. */
  readonly burst?: number;
  /** Model tokens per minute; a request larger than a minute's worth waits for a full bucket. Default 200,000. */
  readonly tokensPerMinute?: number;
  /** Calls in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Clock in ms. Default `performance.now`. */
  readonly now?: () => number;
}

/** Returned by `acquire`: call `release` when the request is over, with its real token count if known. */
export interface Permit {
  release(actualTokens?: number): void;
}

interface Waiter {
  readonly tokens: number;
  resolve(p: Permit): void;
  reject(e: unknown): void;
  readonly signal?: AbortSignal;
  onAbort?: () => void;
}

/** A first-come-first-served limiter for one provider. */
export class Limiter {
  private readonly enabled: boolean;
  private readonly rps: number;
  private readonly burst: number;
  private readonly tpm: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private reqTokens: number;
  private modelTokens: number;
  private last: number;
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * @example
   * const limiter = new Limiter({ requestsPerSecond: 100, concurrency: 32 });
   * const permit = await limiter.acquire(1200);
   * try { await call(); } finally { permit.release(usage.total_tokens); }
   */
  constructor(options: LimiterOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.rps = options.requestsPerSecond ?? 5;
    this.burst = Math.max(1, options.burst ?? 5);
    this.tpm = options.tokensPerMinute ?? 200_000;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.now = options.now ?? (() => performance.now());
    this.reqTokens = this.burst;
    this.modelTokens = this.tpm;
    this.last = this.now();
  }

  /** Requests waiting for a permit. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Requests holding a permit. */
  get active(): number {
    return this.inFlight;
  }

  /**
   * Waits for a permit to send one request of about `tokens` model tokens.
   *
   * @example
   * const permit = await limiter.acquire(estimateTokens, signal);
   */
  acquire(tokens = 0, signal?: AbortSignal): Promise<Permit> {
    return new Promise<Permit>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const w: Waiter = { tokens, resolve, reject, ...(signal ? { signal } : {}) };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.pump();
    });
  }

  /**
   * Holds every request until `until` (ms on this limiter's clock): after a 429 the provider
   * wants the whole client to back off, not only the request that was refused.
   *
   * @example
   * limiter.pauseFor(retryAfterMs);
   */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.pump();
  }

  private refill(t: number): void {
    const dt = Math.max(0, t - this.last);
    this.last = t;
    this.reqTokens = Math.min(this.burst, this.reqTokens + (dt * this.rps) / 1000);
    this.modelTokens = Math.min(this.tpm, this.modelTokens + (dt * this.tpm) / 60_000);
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length && this.inFlight < this.concurrency) {
      const head = this.queue[0]!;
      const t = this.now();
      let waitMs = 0;
      if (this.enabled) {
        this.refill(t);
        if (t < this.pausedUntil) waitMs = this.pausedUntil - t;
        const need = Math.min(head.tokens, this.tpm);
        if (this.reqTokens < 1) waitMs = Math.max(waitMs, ((1 - this.reqTokens) * 1000) / this.rps);
        if (this.modelTokens < need) waitMs = Math.max(waitMs, ((need - this.modelTokens) * 60_000) / this.tpm);
      }
      if (waitMs > 0) {
        this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(waitMs)));
        return;
      }
      this.queue.shift();
      if (head.signal && head.onAbort) head.signal.removeEventListener('abort', head.onAbort);
      if (this.enabled) {
        this.reqTokens -= 1;
        this.modelTokens -= Math.min(head.tokens, this.tpm);
      }
      this.inFlight++;
      let released = false;
      const estimated = Math.min(head.tokens, this.tpm);
      head.resolve({
        release: (actualTokens?: number) => {
          if (released) return;
          released = true;
          this.inFlight--;
          // Settle the estimate against the real usage; a larger real count becomes debt.
          if (this.enabled && actualTokens !== undefined) this.modelTokens -= actualTokens - estimated;
          this.pump();
        },
      });
    }
  }
}
