import type { EvalwatchEnv } from '../config/env.ts';
import { redactUrl } from '../config/env.ts';
import type { CaptureSource } from '../captures/source.ts';
import type { ResultsStore } from '../store/types.ts';

/** The outcome of one `doctor` check: `skipped` means not configured, which is not a failure. */
export interface CheckResult {
  readonly component: string;
  readonly status: 'ok' | 'fail' | 'skipped';
  readonly detail: string;
}

export interface DoctorDeps {
  readonly env: EvalwatchEnv;
  readonly source: CaptureSource;
  readonly store: ResultsStore;
  /** Slack API base URL (tests point it at a local server). Default Slack's. */
  readonly slackApiUrl?: string;
  /** The judge endpoint and model; omitted when no judge is configured. */
  readonly judge?: { readonly baseURL: string; readonly model: string; readonly configured: boolean; readonly howTo: string };
  /** Per-check timeout. Default 3000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Checks every configured component once, concurrently, each bounded by a timeout.
 *
 * @example
 * for (const r of await runDoctor(deps)) console.log(`${r.status} ${r.component}: ${r.detail}`);
 */
export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const timeoutMs = deps.timeoutMs ?? 3000;
  // Client libraries are loaded here, only for the checks that use them, and before any timer
  // starts: importing one on a busy machine must not count against that check's timeout.
  const [{ Redis }, openai, slack] = await Promise.all([
    import('ioredis'),
    deps.judge?.configured ? import('openai') : null,
    deps.env.slackToken ? import('@slack/web-api') : null,
  ]);
  const checks: [string, () => Promise<Outcome>][] = [
    ['redis', async () => ok(await checkRedis(Redis, deps.env.redisUrl, timeoutMs))],
    ['store', async () => (await deps.store.check(), ok(`writable at ${deps.store.describe()}`))],
    ['captures', async () => (await deps.source.check(), ok(`readable at ${deps.source.describe()}`))],
    ['judge', () => checkJudge(openai?.default, deps.judge, deps.env.judgeApiKey, timeoutMs)],
    ['slack', () => checkSlack(slack?.WebClient, deps.env.slackToken, deps.slackApiUrl)],
  ];
  return Promise.all(
    checks.map(async ([component, run]): Promise<CheckResult> => {
      try {
        return { component, ...(await withTimeout(run(), timeoutMs, component)) };
      } catch (err) {
        return { component, status: 'fail', detail: (err as Error).message };
      }
    }),
  );
}

type Outcome = Pick<CheckResult, 'status' | 'detail'>;
const ok = (detail: string): Outcome => ({ status: 'ok', detail });
const skipped = (detail: string): Outcome => ({ status: 'skipped', detail });

async function checkRedis(Redis: typeof import('ioredis').Redis, url: string, timeoutMs: number): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {
    // reported through the rejected connect() below
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const policy = (await redis.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
    const evicts = policy[1] && policy[1] !== 'noeviction' ? ` (warning: maxmemory-policy ${policy[1]}; BullMQ needs noeviction)` : '';
    return `ping ok at ${redactUrl(url)}, Redis ${version}${evicts}`;
  } catch (err) {
    throw new Error(
      `cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}. Set REDIS_URL, or start one locally: ` +
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    );
  } finally {
    redis.disconnect();
  }
}

async function checkJudge(OpenAI: typeof import('openai').default | undefined, judge: DoctorDeps['judge'], apiKey: string | undefined, timeoutMs: number): Promise<Outcome> {
  if (!OpenAI || !judge || !judge.configured) return skipped(judge?.howTo ?? 'no judge configured');
  // One retry layer is ours elsewhere; here a single attempt says whether the endpoint answers.
  const client = new OpenAI({ baseURL: judge.baseURL, apiKey: apiKey ?? 'none', maxRetries: 0, timeout: timeoutMs });
  const models = await client.models.list();
  const ids = models.data.map((m) => m.id);
  const known = ids.length === 0 || ids.includes(judge.model);
  return ok(`${judge.baseURL} answers; model ${judge.model}${known ? '' : ' NOT listed by the endpoint (check judge.model)'}`);
}

async function checkSlack(WebClient: typeof import('@slack/web-api').WebClient | undefined, token: string | undefined, slackApiUrl: string | undefined): Promise<Outcome> {
  if (!WebClient || !token) return skipped('SLACK_BOT_TOKEN not set; alerts go to the console and a file');
  const client = new WebClient(token, { retryConfig: { retries: 0 }, ...(slackApiUrl ? { slackApiUrl } : {}) });
  const auth = await client.auth.test();
  return ok(`token ok for team ${auth.team ?? '?'} as ${auth.user ?? '?'}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
