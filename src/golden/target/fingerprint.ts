import { createHash } from 'node:crypto';
import type { GoldenTargetConfig } from '../config.ts';

/**
 * JSON with object keys sorted at every depth, so two equal configs hash alike whatever order
 * their keys were written in. `undefined` members are dropped, as `JSON.stringify` does.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The part of a target's config that can change its answers: kind, endpoint, model snapshot,
 * system prompt and sampling parameters (OpenAI), or URL, method, headers as written (an
 * `env:NAME` reference, never the secret), body template and answer path (HTTP). Pacing,
 * timeouts, attempts, API key names and prices are left out: they change how fast or how
 * expensively we ask, not what comes back.
 *
 * @example
 * targetIdentity({ kind: 'openai', model: 'gpt-4o-2024-08-06', ... }); // { kind, baseURL, model, ... }
 */
export function targetIdentity(cfg: GoldenTargetConfig): Record<string, unknown> {
  if (cfg.kind === 'openai') {
    return {
      kind: cfg.kind,
      baseURL: cfg.baseURL,
      model: cfg.model,
      system: cfg.system,
      temperature: cfg.temperature,
      maxTokens: cfg.maxTokens,
      maxTokensParam: cfg.maxTokensParam,
      topP: cfg.topP,
      seed: cfg.seed,
      extraBody: cfg.extraBody,
    };
  }
  return { kind: cfg.kind, url: cfg.url, method: cfg.method, headers: cfg.headers, body: cfg.body, answerPath: cfg.answerPath };
}

/**
 * sha256 (hex) of {@link targetIdentity}: part of a suite run's fingerprint, so a new model
 * snapshot or system prompt re-baselines instead of reading as a quality change.
 *
 * @example
 * targetFingerprint(cfg.golden.targets.prod); // 64 hex digits
 */
export function targetFingerprint(cfg: GoldenTargetConfig): string {
  return createHash('sha256').update(canonicalJson(targetIdentity(cfg))).digest('hex');
}
