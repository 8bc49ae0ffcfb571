import { readEnv } from '../../config/env.ts';
import { JudgeClient, type JudgeEvent } from '../../judge/client.ts';
import type { BudgetMeter } from '../../judge/budget-meter.ts';
import type { JudgeConfig } from '../../judge/config.ts';
import { judgeConfigured } from '../../judge/context.ts';
import type { Limiter } from '../../judge/limiter.ts';
import type { GoldenConfig } from '../config.ts';
import { OpenAIEmbedder } from './embeddings.ts';
import type { ScoreDeps } from './score-case.ts';

export interface CreateScoreDepsOptions {
  /** Environment for API keys. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Clock (ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Judge budget of the run. Default: none. */
  readonly budget?: BudgetMeter;
  /** A limiter shared with other judge clients of the process. Default: the client's own. */
  readonly limiter?: Limiter;
  /** Judge client events (metrics, logs). Default: none. */
  readonly onEvent?: (event: JudgeEvent) => void;
  readonly signal?: AbortSignal;
}

/**
 * The scorers' dependencies from the config: a judge client when a judge can be called (an API key
 * is set or the endpoint is local), an embedder when the embeddings endpoint can be (same rule,
 * key from `golden.embeddings.apiKeyEnv`). Without one, the assertions that need it are
 * `unmeasured` with a reason that says what to configure.
 *
 * @example
 * const deps = createScoreDeps({ judge: config.judge, golden: config.golden });
 * await scoreCase(c, out, deps, suite.defaultAssert);
 */
export function createScoreDeps(config: { judge: JudgeConfig; golden: GoldenConfig }, options: CreateScoreDepsOptions = {}): ScoreDeps {
  const env = options.env ?? process.env;
  const judgeKey = readEnv(env).judgeApiKey;
  const emb = config.golden.embeddings;
  const embKey = env[emb.apiKeyEnv]?.trim() || undefined;
  return {
    now: options.now ?? Date.now,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(judgeConfigured(config.judge.baseURL, judgeKey)
      ? {
          judge: {
            client: new JudgeClient({
              config: config.judge,
              ...(judgeKey ? { apiKey: judgeKey } : {}),
              ...(options.limiter ? { limiter: options.limiter } : {}),
              ...(options.onEvent ? { onEvent: options.onEvent } : {}),
            }),
            ...(options.budget ? { budget: options.budget } : {}),
          },
        }
      : {}),
    ...(judgeConfigured(emb.baseURL, embKey) ? { embeddings: new OpenAIEmbedder({ config: emb, ...(embKey ? { apiKey: embKey } : {}) }) } : {}),
  };
}
