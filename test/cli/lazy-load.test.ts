import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/evalwatch.js');

// A resolve hook, registered ahead of tsx, that appends every module URL the process resolves to
// the file named by EVALWATCH_TRACE.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  appendFileSync(process.env.EVALWATCH_TRACE, r.url + '\\n');
  return r;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

const HEAVY = ['bullmq', 'ioredis', 'openai', '@slack/web-api', '@aws-sdk/client-s3', 'express', '@bull-board/api', 'prom-client'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-lazy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The npm packages a CLI invocation loads, with its exit code. */
async function packagesLoaded(args: string[]): Promise<{ code: number | null; packages: Set<string> }> {
  const trace = path.join(dir, `trace-${args.join('-').replace(/\W+/g, '_')}.txt`);
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, EVALWATCH_TRACE: trace, EVALWATCH_LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  const urls = (await readFile(trace, 'utf8')).split('\n');
  const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  return { code: r.status, packages };
}

describe('CLI start-up', () => {
  it('--help loads commander and no client library', async () => {
    const { code, packages } = await packagesLoaded(['--help']);
    expect(code).toBe(0);
    expect(packages.has('commander')).toBe(true);
    for (const p of [...HEAVY, 'zod', 'jiti', 'pino']) expect(packages.has(p), p).toBe(false);
  });

  it('silence list on the fs store loads no client library (no AWS SDK, Redis, Slack or OpenAI)', async () => {
    const { code, packages } = await packagesLoaded(['silence', 'list']);
    expect(code).toBe(0);
    expect(packages.has('zod')).toBe(true);
    for (const p of HEAVY) expect(packages.has(p), p).toBe(false);
  });
});
