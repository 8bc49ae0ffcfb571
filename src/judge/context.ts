import path from 'node:path';
import { readEnv } from '../config/env.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import { judgeConfigSchema, type JudgeConfig } from './config.ts';
import type { Limiter } from './limiter.ts';
import type { JudgeEvent } from './client.ts';

/** What the judge pipeline needs beyond the pipeline context; every field has a default. */
export interface JudgeDeps {
  /** API key. Default `readEnv().judgeApiKey` (`EVALWATCH_JUDGE_API_KEY`, else `OPENAI_API_KEY`). */
  readonly apiKey?: string;
  /** Judge options. Default `config.judge` (validated with `judgeConfigSchema`), else all defaults. */
  readonly judge?: JudgeConfig;
  /** Folder that a relative `rubricsDir` resolves against. Default the working directory. */
  readonly baseDir?: string;
  /** One limiter shared by every client of the process. Default: one per client. */
  readonly limiter?: Limiter;
  /**
   * Client events (calls with their usage, retries, fallbacks, circuit break), for metrics
   * (`judgeMetricsListener`) and tests; called in addition to the debug log of each event.
   * Default: the debug log only.
   */
  readonly onEvent?: (event: JudgeEvent) => void;
}

/**
 * The judge options of a validated config: `config.judge` once the lead mounts
 * `judgeConfigSchema` there; the defaults until then.
 *
 * @example
 * const cfg = judgeConfigOf(ctx.config);
 */
export function judgeConfigOf(config: EvalwatchConfig, deps: JudgeDeps = {}): JudgeConfig {
  if (deps.judge) return deps.judge;
  return judgeConfigSchema.parse((config as EvalwatchConfig & { judge?: unknown }).judge ?? {});
}

/**
 * The API key for the judge, from the deps or the environment.
 *
 * @example
 * const key = judgeApiKey({});
 */
export function judgeApiKey(deps: JudgeDeps): string | undefined {
  return deps.apiKey ?? readEnv().judgeApiKey;
}

/**
 * Whether a judge can be called: an API key is set, or the endpoint is on this machine (a local
 * vLLM/Ollama/test server needs none).
 *
 * @example
 * judgeConfigured('https://api.openai.com/v1', undefined); // false
 */
export function judgeConfigured(baseURL: string, apiKey: string | undefined): boolean {
  if (apiKey) return true;
  const host = new URL(baseURL).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

/**
 * How to configure a judge, for the report and the demo.
 */
export const HOW_TO_CONFIGURE_JUDGE =
  'no judge is configured: set EVALWATCH_JUDGE_API_KEY (or OPENAI_API_KEY) in the environment, and judge.baseURL / judge.model in worker.config.ts for an endpoint other than OpenAI (any OpenAI-compatible server works: vLLM, Ollama, Azure, a gateway)';

/**
 * The rubrics folder as an absolute path.
 *
 * @example
 * rubricsPath(cfg, '/srv/app'); // '/srv/app/evals'
 */
export function rubricsPath(cfg: JudgeConfig, baseDir = process.cwd()): string {
  return path.resolve(baseDir, cfg.rubricsDir);
}
