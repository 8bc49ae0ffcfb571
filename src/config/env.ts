/**
 * Secrets and deployment settings come from the environment only, never from a config file,
 * so config files can be committed and logged. Nothing here is ever logged in full.
 */
export interface EvalwatchEnv {
  /** `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  readonly redisUrl: string;
  /** `EVALWATCH_JUDGE_API_KEY`, else `OPENAI_API_KEY`. */
  readonly judgeApiKey?: string;
  /** `SLACK_BOT_TOKEN`. Without it alerts go to the console and a file. */
  readonly slackToken?: string;
  /** `EVALWATCH_DASHBOARD_TOKEN`: bearer token of the queue dashboard; disabled when unset. */
  readonly dashboardToken?: string;
}

/**
 * Reads the environment once; pass the result down instead of reading `process.env` deep inside.
 *
 * @example
 * const env = readEnv(process.env);
 * new Redis(env.redisUrl);
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env): EvalwatchEnv {
  const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  return {
    redisUrl: nonEmpty(source.REDIS_URL) ?? 'redis://127.0.0.1:6379',
    judgeApiKey: nonEmpty(source.EVALWATCH_JUDGE_API_KEY) ?? nonEmpty(source.OPENAI_API_KEY),
    slackToken: nonEmpty(source.SLACK_BOT_TOKEN),
    dashboardToken: nonEmpty(source.EVALWATCH_DASHBOARD_TOKEN),
  };
}

/**
 * Hides the password of a URL for logs and `doctor` output.
 *
 * @example
 * redactUrl('redis://:s3cret@redis:6379'); // 'redis://:***@redis:6379'
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
