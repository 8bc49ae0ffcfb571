import { Limiter } from '../../judge/limiter.ts';
import type { GoldenTargetConfig } from '../config.ts';

/**
 * The judge's first-come-first-served limiter, set up for a target: `concurrency` calls in
 * flight, and when `requestsPerSecond` is set a request bucket with one second of burst. No
 * token bucket: a target is paced by requests, not by model tokens.
 *
 * @example
 * const limiter = targetLimiter({ concurrency: 16, requestsPerSecond: 50 });
 */
export function targetLimiter(cfg: Pick<GoldenTargetConfig, 'concurrency' | 'requestsPerSecond'>): Limiter {
  const rps = cfg.requestsPerSecond;
  return new Limiter({
    enabled: rps !== undefined,
    requestsPerSecond: rps ?? 1,
    burst: Math.max(1, Math.ceil(rps ?? 1)),
    tokensPerMinute: Number.MAX_SAFE_INTEGER,
    concurrency: cfg.concurrency,
  });
}
