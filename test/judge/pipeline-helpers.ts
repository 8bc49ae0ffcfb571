import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { configSchema } from '../../src/config/schema.ts';
import { defaultJudgeConfig, type JudgeConfigInput } from '../../src/judge/config.ts';
import type { JudgeDeps } from '../../src/judge/context.ts';
import type { PipelineContext, RunRequest } from '../../src/pipeline/types.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createFsStore } from '../../src/store/fs-store.ts';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 10, 23);

const TOPICS = [
  'glaciers carve valleys through granite mountains',
  'volcanoes release magma during eruptions',
  'photosynthesis converts sunlight into chemical energy',
  'tides follow the gravitational pull of the moon',
  'bridges distribute weight across steel cables',
  'bees communicate flower locations through dancing',
];

export interface CaptureSpec {
  route: string;
  n: number;
  /** Share of on-topic answers. Default 1. */
  good?: number;
  sampleRate?: number;
  flagged?: number;
  context?: boolean;
  /** Text put before every prompt of the route (to script the server per route). Default none. */
  promptPrefix?: string;
}

/** Writes hive-partitioned JSONL captures for one day and returns their root. */
export function writeCaptures(root: string, day: number, specs: CaptureSpec[]): void {
  for (const s of specs) {
    const lines: string[] = [];
    for (let i = 0; i < s.n; i++) {
      const topic = TOPICS[i % TOPICS.length]!;
      const good = (i * 7919) % 1000 < (s.good ?? 1) * 1000;
      const flagged = i < (s.flagged ?? 0);
      lines.push(
        JSON.stringify({
          request_id: `${s.route}-${day}-${i}`,
          timestamp: new Date(day + 10 * 3_600_000 + i * 1000).toISOString(),
          route: s.route,
          model: 'target-model',
          prompt: `${s.promptPrefix ?? ''}Explain why ${topic}.`,
          response: good ? `Here is why ${topic}: the process explained step by step.` : 'Our store opens at nine and closes at six on weekdays.',
          ...(s.context ? { context: [`Background: ${topic}.`] } : {}),
          sample_rate: s.sampleRate ?? 1,
          ...(flagged ? { captured_reason: 'explicit_flag' } : {}),
        }),
      );
    }
    const dir = path.join(root, `dt=${new Date(day).toISOString().slice(0, 10)}`, 'hour=10');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${s.route}.jsonl`), `${lines.join('\n')}\n`);
  }
}

export interface Setup {
  dir: string;
  captures: string;
  ctx: PipelineContext;
}

/** A temp folder with captures/ and results/, and a pipeline context over them. */
export function setup(): Setup {
  const dir = mkdtempSync(path.join(tmpdir(), 'evalwatch-judge-'));
  const captures = path.join(dir, 'captures');
  mkdirSync(captures, { recursive: true });
  const config = configSchema.parse({ captures: { source: { kind: 'fs', path: captures } }, store: { kind: 'fs', path: path.join(dir, 'results') } });
  const ctx: PipelineContext = {
    config,
    source: createFsSource({ root: captures, keyTemplate: 'hive' }),
    store: createFsStore({ root: path.join(dir, 'results'), fsync: false }),
    now: () => T0 + 2 * DAY,
    logger: silentLogger(),
  };
  return { dir, captures, ctx };
}

/** Judge deps against the local server with the shipped rubrics the overlap judge can grade. */
export function deps(url: string, extra: JudgeConfigInput = {}, more: Partial<JudgeDeps> = {}): JudgeDeps {
  return {
    apiKey: 'test-key',
    baseDir: process.cwd(),
    judge: defaultJudgeConfig({
      baseURL: url,
      model: 'judge-test-2025-01-01',
      backoffMs: 5,
      timeoutMs: 5_000,
      concurrency: 16,
      rateLimit: { enabled: false },
      rubrics: ['relevance', 'faithfulness', 'refusal'],
      ...extra,
    }),
    ...more,
  };
}

export function dayRun(day: number, id = `judge-${day}`): RunRequest {
  return { runId: id, pipeline: 'judge', window: { start: day, end: day + DAY }, requestedAt: day + DAY + 3_600_000 };
}
