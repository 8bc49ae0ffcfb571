import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { configSchema, type EvalwatchConfig } from '../../../src/config/schema.ts';
import { createFsStore } from '../../../src/store/fs-store.ts';
import type { ResultsStore } from '../../../src/store/types.ts';
import type { RecordedRequest } from '../../helpers/openai-server.ts';

/** A temp workspace: `golden/` folder, results store, a config pointing at a model URL. */
export interface Workspace {
  dir: string;
  suitesDir: string;
  store: ResultsStore;
  config(extra?: Record<string, unknown>): EvalwatchConfig;
  writeSuite(name: string, yaml: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function workspace(modelUrl?: string): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ew-golden-'));
  const suitesDir = path.join(dir, 'golden');
  await mkdir(suitesDir, { recursive: true });
  const storePath = path.join(dir, 'results');
  return {
    dir,
    suitesDir,
    store: createFsStore({ root: storePath }),
    config: (extra = {}) =>
      configSchema.parse({
        store: { kind: 'fs', path: storePath },
        captures: { source: { kind: 'fs', path: path.join(dir, 'captures') } },
        golden: {
          suitesDir,
          ...(modelUrl ? { targets: { model: { kind: 'openai', baseURL: modelUrl, model: 'target-2025-01-01', concurrency: 16, timeoutMs: 2_000, maxAttempts: 2 } } } : {}),
          ...extra,
        },
      }),
    writeSuite: (name, yaml) => writeFile(path.join(suitesDir, `${name}.yaml`), yaml),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A suite of `n` arithmetic cases: case i expects `A<i>`. */
export function arithmeticSuite(n: number, name = 'arith'): string {
  const lines = [`name: ${name}`, 'cases:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - id: q${String(i).padStart(3, '0')}`, `    input: "question ${i}"`, `    expected: A${i}`, '    assert:', '      - type: contains', `        value: A${i}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The case number a target request asks about. */
export function caseOf(req: RecordedRequest): number {
  const messages = req.body.messages as { content: string }[];
  return Number(/question (\d+)/.exec(messages[messages.length - 1]!.content)?.[1] ?? -1);
}

export const silentLogger = pino({ level: 'silent' });
