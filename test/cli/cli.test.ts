import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';

const BIN = fileURLToPath(new URL('../../bin/evalwatch.js', import.meta.url));

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, EVALWATCH_LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evalwatch CLI', () => {
  it('prints help for the program and for every command', () => {
    const top = cli(['--help'], dir);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['doctor', 'demo', 'report', 'run', 'worker', 'silence']));
    // The binary itself once more for one command; the rest from the same program in-process
    // (one process per command made this test slow for no extra coverage).
    expect(cli(['doctor', '--help'], dir).stdout).toContain('Usage: evalwatch doctor');
    const program = buildProgram();
    for (const c of commands) {
      const command = program.commands.find((x) => x.name() === c);
      expect(command, c).toBeDefined();
      expect(command!.helpInformation()).toContain(`Usage: evalwatch ${c}`);
    }
  });

  it('exits 3 with the key path on a bad config', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ drift: { alpha: 'high' } }));
    const r = cli(['doctor', '--config', file], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}: invalid configuration`);
    expect(r.stderr).toContain('drift.alpha: expected number, got "high"');
  });

  it('exits 3 on an unknown command or option', () => {
    expect(cli(['frobnicate'], dir).code).toBe(3);
    expect(cli(['doctor', '--nope'], dir).code).toBe(3);
  });

  it('doctor prints one line per component and fails with a clear reason when Redis is unreachable', () => {
    const r = cli(['doctor'], dir, { REDIS_URL: 'redis://127.0.0.1:1' });
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(['config', 'redis', 'store', 'captures', 'judge', 'slack']);
    expect(r.stdout).toMatch(/^fail\s+redis\s+cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/?: .*redis-server --daemonize yes/m);
    expect(r.stdout).toMatch(/^skipped\s+slack\s+SLACK_BOT_TOKEN not set/m);
    expect(r.code).toBe(2);
  });
});
