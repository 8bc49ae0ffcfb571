import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoldenSection } from '../../../src/golden/run/report.ts';
import { readSuiteRecord } from '../../../src/golden/run/records.ts';
import { createRunClient } from '../../../src/queue/client.ts';
import { runIdFor } from '../../../src/queue/names.ts';
import { startQueueWorker } from '../../../src/queue/worker.ts';
import { createContext } from '../../../src/runtime/context.ts';
import { assertTestRedis, deletePrefix, TEST_REDIS_URL, testPrefix } from '../../helpers/redis.ts';
import { startOpenAiServer, type OpenAiServer } from '../../helpers/openai-server.ts';
import { arithmeticSuite, caseOf, silentLogger, workspace, type Workspace } from './helpers.ts';

let server: OpenAiServer;
let ws: Workspace;
const prefix = testPrefix();
beforeAll(async () => {
  await assertTestRedis();
  server = await startOpenAiServer();
  server.set({ completion: (req) => `A${caseOf(req)}` });
  ws = await workspace(server.url);
});
afterAll(async () => {
  await deletePrefix(prefix);
  await server.close();
  await ws.cleanup();
});

describe('the golden pipeline in the queue-backed worker (real Redis, registry lookup)', () => {
  it('runs one unit per suite and writes the report and each suite\'s results', async () => {
    await ws.writeSuite('arith', arithmeticSuite(30));
    await writeFile(path.join(ws.suitesDir, 'recorded.yaml'), 'name: recorded\ncases:\n  - id: r1\n    input: hi\n    output: hello\n    assert: [{ type: equals, value: hello }]\n');
    const base = ws.config();
    const config = { ...base, redis: { prefix } };
    const end = Date.UTC(2026, 10, 24, 3, 30);
    const ctx = createContext({ config, logger: silentLogger, now: () => end + 60_000 });
    const options = { lockDurationMs: 5_000, stalledIntervalMs: 1_000, backoffMs: 50, attempts: 2 };
    const worker = await startQueueWorker({ ctx, redisUrl: TEST_REDIS_URL, options });
    const client = await createRunClient({ redisUrl: TEST_REDIS_URL, prefix, store: ctx.store, options });
    try {
      const window = { start: end - 24 * 3_600_000, end };
      const run = { runId: runIdFor('golden', window), pipeline: 'golden' as const, window, requestedAt: end };
      await client.enqueue(run);
      const done = await client.wait(run, { pollMs: 50, timeoutMs: 30_000 });
      expect(done.phase).toBe('finished');
      const report = done.report!;
      expect(report.coverage).toMatchObject({ unitsPlanned: 2, unitsDone: 2, unitsFailed: 0 });
      const suites = (report.sections.golden as GoldenSection).suites;
      expect(suites.map((s) => [s.suite, s.verdict.verdict, s.verdict.passRate?.pass])).toEqual([
        ['arith', 'rebaselined', 30],
        ['recorded', 'rebaselined', 1],
      ]);
      expect((await readSuiteRecord(ctx.store, 'arith', run.runId))?.results).toHaveLength(30);
    } finally {
      await client.close();
      await worker.close();
    }
  });
});
