import { JSONPath } from 'jsonpath-plus';
import { resolveEnvRef, type HttpTargetConfig } from '../config.ts';
import type { GoldenCase, TargetOutput } from '../types.ts';
import { targetFingerprint, targetIdentity } from './fingerprint.ts';
import { targetLimiter } from './limiter.ts';
import { statusKind, withRetries, type Attempt } from './retry.ts';
import { renderBody, renderString, TemplateError } from './template.ts';
import type { Target, TargetOptions } from './types.ts';
import { retryAfter } from '../../judge/retry.ts';

interface Reply {
  text: string;
  json: unknown;
  isJson: boolean;
  latencyMs: number;
}

/**
 * Evaluates a JSONPath (jsonpath-plus, script evaluation off) and returns the first match, or
 * `undefined` when nothing matches. `$` is the whole document.
 *
 * @example
 * firstMatch('$.choices[0].text', { choices: [{ text: 'hi' }] }); // 'hi'
 */
export function firstMatch(path: string, json: unknown): unknown {
  if (path === '$') return json;
  const hits = JSONPath({ path, json: json as object, wrap: true, eval: false }) as unknown[];
  return hits.length ? hits[0] : undefined;
}

/**
 * The team's own HTTP service as a golden target, so a golden run tests the whole pipeline
 * (retrieval, prompt assembly, post-processing), not only the model. URL, headers and body are
 * templates over the case (`{{input}}`, `{{vars.x}}`); the answer is read with a JSONPath.
 * Header values `env:NAME` come from the environment at call time and never enter the
 * fingerprint's secret-free identity.
 *
 * @example
 * const target = httpTarget('rag', { kind: 'http', url: 'http://svc/ask', body: { q: '{{input}}' }, answerPath: '$.answer', ... });
 * const out = await target.call(goldenCase);
 */
export function httpTarget(name: string, cfg: HttpTargetConfig, options: TargetOptions = {}): Target {
  const env = options.env ?? process.env;
  const clock = options.clock ?? (() => performance.now());
  const limiter = targetLimiter(cfg);

  const request = (c: GoldenCase): { url: string; init: RequestInit } => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg.headers)) headers[k.toLowerCase()] = renderString(resolveEnvRef(v, env), c);
    const url = renderString(cfg.url, c, encodeURIComponent);
    if (cfg.method === 'GET') return { url, init: { method: 'GET', headers } };
    const rendered = renderBody(cfg.body, c);
    const isText = typeof cfg.body === 'string';
    headers['content-type'] ??= isText ? 'text/plain; charset=utf-8' : 'application/json';
    return { url, init: { method: cfg.method, headers, body: isText ? String(rendered) : JSON.stringify(rendered) } };
  };

  const once = async (url: string, init: RequestInit, signal?: AbortSignal): Promise<Attempt<Reply>> => {
    const timeout = AbortSignal.timeout(cfg.timeoutMs);
    const start = clock();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) return { ok: false, kind: 'aborted', message: 'the run was cancelled', retryable: false };
      if (timeout.aborted) return { ok: false, kind: 'timeout', message: `no answer within ${cfg.timeoutMs} ms`, retryable: true };
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, kind: 'network', message: cause?.code ?? cause?.message ?? (err as Error).message, retryable: true };
    }
    const latencyMs = clock() - start;
    if (!res.ok) {
      const { kind, retryable } = statusKind(res.status);
      const wait = retryAfter(res.headers);
      return { ok: false, kind, message: `${res.status} ${res.statusText}: ${text.slice(0, 200)}`, retryable, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
    }
    try {
      return { ok: true, value: { text, json: JSON.parse(text) as unknown, isJson: true, latencyMs } };
    } catch {
      return { ok: true, value: { text, json: undefined, isJson: false, latencyMs } };
    }
  };

  return {
    name,
    kind: 'http',
    concurrency: cfg.concurrency,
    fingerprint: targetFingerprint(cfg),
    identity: targetIdentity(cfg),
    async call(c, signal) {
      let req: { url: string; init: RequestInit };
      try {
        req = request(c);
      } catch (err) {
        // A template that names a missing var, or an unset env header: the case cannot be sent,
        // which is a config error of this target, not a property of the answer.
        const what = err instanceof TemplateError ? 'body/url template' : 'headers';
        return { error: { kind: 'client_error', message: `${what}: ${(err as Error).message}` } };
      }
      const r = await withRetries(limiter, cfg.maxAttempts, options, name, () => once(req.url, req.init, signal), signal);
      if (!r.ok) return { error: { kind: r.kind, message: r.message } };
      const { text, json, isJson, latencyMs } = r.value;
      if (cfg.answerPath === '$' && !isJson) return { output: text, latencyMs };
      if (!isJson) return { error: { kind: 'bad_response', message: `the reply is not JSON, so answerPath ${cfg.answerPath} cannot apply: ${text.slice(0, 120)}` }, latencyMs };
      const answer = firstMatch(cfg.answerPath, json);
      if (answer === undefined || answer === null) {
        return { error: { kind: 'bad_response', message: `answerPath ${cfg.answerPath} matched nothing in ${text.slice(0, 120)}` }, latencyMs };
      }
      const out: TargetOutput = { output: typeof answer === 'string' ? answer : JSON.stringify(answer), latencyMs };
      const num = (p?: string) => {
        if (!p) return undefined;
        const v = Number(firstMatch(p, json));
        return Number.isFinite(v) ? v : undefined;
      };
      const input = num(cfg.usagePaths?.input);
      const output = num(cfg.usagePaths?.output);
      if (input !== undefined || output !== undefined) out.tokens = { ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}) };
      const cost = num(cfg.usagePaths?.costUsd);
      if (cost !== undefined) out.costUsd = cost;
      return out;
    },
  };
}
