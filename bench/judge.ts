import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { JudgeClient, type JudgeOutcome } from '../src/judge/client.ts';
import { defaultJudgeConfig } from '../src/judge/config.ts';
import { parseRubric } from '../src/judge/rubric.ts';
import { buildJudgeMessages } from '../src/judge/prompt.ts';
import { outputSchema } from '../src/judge/output-schema.ts';

/** Options of the judge throughput benchmark. */
export interface JudgeBenchOptions {
  /** Items judged. Default 1,500 (15 s at the limit). */
  readonly items?: number;
  /** Server latency per request (ms). Default 150. */
  readonly latencyMs?: number;
  /** Server request limit (req/s); the client is configured to the same limit. Default 100. */
  readonly limit?: number;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number, d = 3) => Number(x.toFixed(d));

/**
 * Judges `items` captures through the real SDK against the local OpenAI-compatible server with
 * a fixed latency and a request-rate limit, and prints JSON: sustained judged items/s as a
 * fraction of the limit (target ≥ 0.95), items lost (target 0), 429s seen, and p50/p99 of our
 * own time per item outside the HTTP call (prompt building, parsing, validation) and of the
 * SDK + loopback overhead (time in `create()` minus the server's `openai-processing-ms`).
 *
 * @example
 * // npx tsx bench/judge.ts
 * const result = await main({ items: 500 });
 */
export async function main(options: JudgeBenchOptions = {}): Promise<Record<string, unknown>> {
  const items = options.items ?? 1_500;
  const latencyMs = options.latencyMs ?? 150;
  const limit = options.limit ?? 100;
  // The server runs in its own process so that its work does not count as the client's.
  const server = await startServerProcess({ latencyMs, requestsPerSecond: limit });
  let rateLimited = 0;
  try {
    const rubric = parseRubric(
      `name: bench
description: Benchmark rubric.
requires: [prompt, response]
dimensions:
  - { name: relevance, type: integer, range: [1, 5], pass: 4, description: How well the response addresses the request. }
  - { name: grounded, type: boolean, description: Whether the response sticks to the request. }
template: "Request:\\n{{prompt}}\\nResponse:\\n{{response}}"
`,
      'bench.yaml',
    );
    const item = (i: number) => ({
      id: `bench-${i}`,
      route: `route-${i % 5}`,
      prompt: `Question ${i}: how do glaciers carve valleys through granite mountains over thousands of years?`,
      response: `Answer ${i}: glaciers carve valleys by plucking and abrading granite as the ice moves over thousands of years.`,
    });

    // Reference, same run and machine: the bare SDK with prebuilt bodies, started on a fixed
    // 1/limit grid. What any client could reach here; ours is reported against it too.
    const sdk = new OpenAI({ baseURL: server.url, apiKey: 'bench', maxRetries: 0 });
    const schema = outputSchema(rubric);
    const bodies = Array.from({ length: items }, (_, i) => ({
      model: 'judge-test-2025-01-01',
      messages: buildJudgeMessages(rubric, item(i), 'json_schema', schema),
      response_format: { type: 'json_schema' as const, json_schema: { name: 'judgment', strict: true, schema } },
    }));
    const r0 = performance.now();
    const refResults = await Promise.all(
      bodies.map(
        (body, i) =>
          new Promise<boolean>((resolve) =>
            setTimeout(() => {
              sdk.chat.completions.create(body).then(
                () => resolve(true),
                () => resolve(false),
              );
            }, (i * 1000) / limit),
          ),
      ),
    );
    const refElapsed = (performance.now() - r0) / 1000;
    const refPerSecond = refResults.filter(Boolean).length / refElapsed;
    await new Promise((r) => setTimeout(r, 1_100)); // let the server's bucket refill

    const client = new JudgeClient({
      config: defaultJudgeConfig({
        baseURL: server.url,
        model: 'judge-test-2025-01-01',
        concurrency: 64,
        rateLimit: { enabled: true, requestsPerSecond: limit, burst: 10, tokensPerMinute: 1e9 },
        backoffMs: 50,
      }),
      apiKey: 'bench',
      onEvent: (e) => {
        if (e.type === 'retry' && e.reason === 'rate_limited') rateLimited++;
      },
    });
    const t0 = performance.now();
    const outcomes: JudgeOutcome[] = await Promise.all(
      Array.from({ length: items }, (_, i) => client.judge(rubric, item(i))),
    );
    const elapsedS = (performance.now() - t0) / 1000;
    const scored = outcomes.filter((o) => o.status === 'scored').length;
    const own = outcomes.map((o) => o.timing.ownMs);
    const overhead = outcomes.map((o) => Math.max(0, o.timing.httpMs - o.timing.serverMs));
    const itemsPerSecond = scored / elapsedS;
    const result = {
      bench: 'judge',
      items,
      latencyMs,
      limitPerSecond: limit,
      elapsedSeconds: round(elapsedS),
      judgedPerSecond: round(itemsPerSecond, 2),
      fractionOfLimit: round(itemsPerSecond / limit),
      target: 0.95,
      reference: { judgedPerSecond: round(refPerSecond, 2), fractionOfLimit: round(refPerSecond / limit) },
      ratioToReference: round(itemsPerSecond / refPerSecond),
      lost: items - scored,
      rateLimited429: rateLimited,
      loadAverage1m: round((await import('node:os')).loadavg()[0] ?? NaN, 2),
      ownMsPerItem: { p50: round(quantile(own, 0.5)), p99: round(quantile(own, 0.99)) },
      sdkAndLoopbackMsPerItem: { p50: round(quantile(overhead, 0.5)), p99: round(quantile(overhead, 0.99)) },
    };
    return result;
  } finally {
    server.child.kill();
  }
}

async function startServerProcess(options: { latencyMs: number; requestsPerSecond: number }): Promise<{ url: string; child: ChildProcess }> {
  const helper = new URL('../test/helpers/openai-server.ts', import.meta.url).href;
  const code = `import { startOpenAiServer } from ${JSON.stringify(helper)}; const s = await startOpenAiServer(${JSON.stringify(options)}); console.log('READY ' + s.url);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      if (l.startsWith('READY ')) resolve(l.slice(6).trim());
    });
    child.once('exit', (c) => reject(new Error(`the benchmark server exited with ${c}`)));
  });
  return { url, child };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
