import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { parseDuration } from '../../src/config/duration.ts';
import { readEnv, redactUrl } from '../../src/config/env.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectConfigError(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('loadConfig', () => {
  it('uses the embedded default when there is no config file', async () => {
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.path).toBeNull();
    expect(loaded.config.captures.source).toEqual({ kind: 'fs', path: path.join(dir, 'captures') });
    expect(loaded.config.store).toEqual({ kind: 'fs', path: path.join(dir, '.evalwatch/results') });
    expect(loaded.config.drift.alpha).toBe(0.01);
  });

  it('loads worker.config.ts with defineConfig imported from "evalwatch"', async () => {
    await writeFile(
      path.join(dir, 'worker.config.ts'),
      `import { defineConfig } from 'evalwatch';\n` +
        `const alpha: number = 0.05;\n` +
        `export default defineConfig({ captures: { source: { kind: 'fs', path: 'in' } }, drift: { alpha } });\n`,
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.path).toBe(path.join(dir, 'worker.config.ts'));
    expect(loaded.config.drift.alpha).toBe(0.05);
    expect(loaded.config.captures.source).toEqual({ kind: 'fs', path: path.join(dir, 'in') });
  });

  it('loads --config PATH for .json and .mjs', async () => {
    await writeFile(path.join(dir, 'c.json'), JSON.stringify({ name: 'from-json' }));
    await writeFile(path.join(dir, 'c.mjs'), `export default { name: 'from-mjs' };\n`);
    expect((await loadConfig({ cwd: dir, path: 'c.json' })).config.name).toBe('from-json');
    expect((await loadConfig({ cwd: dir, path: 'c.mjs' })).config.name).toBe('from-mjs');
  });

  it('names the file and every offending key path', async () => {
    const file = path.join(dir, 'bad.config.ts');
    await writeFile(
      file,
      `export default { drift: { alpha: 2 }, captures: { source: { kind: 's3' } }, schedules: { x: { pipeline: 'drift', cron: '* * * * *', tz: 'Mars/Olympus', window: '1h' } }, nope: 1 };\n`,
    );
    const err = await expectConfigError(loadConfig({ path: file }));
    expect(err.message).toContain(file);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'drift.alpha: expected a value < 1, got 2',
        'captures.source.bucket: required: expected string',
        expect.stringMatching(/^schedules\.x\.tz: an IANA time zone .*got "Mars\/Olympus"$/),
        expect.stringMatching(/^\(top level\): unknown key "nope"/),
      ]),
    );
  });

  it('reports a missing file, a file without default export, and a syntax error clearly', async () => {
    expect((await expectConfigError(loadConfig({ cwd: dir, path: 'missing.ts' }))).message).toMatch(/missing\.ts: config file not found/);
    await writeFile(path.join(dir, 'nodefault.mjs'), 'export const x = 1;\n');
    expect((await expectConfigError(loadConfig({ cwd: dir, path: 'nodefault.mjs' }))).message).toMatch(/no default export/);
    await writeFile(path.join(dir, 'broken.ts'), 'export default {{;\n');
    expect((await expectConfigError(loadConfig({ cwd: dir, path: 'broken.ts' }))).message).toMatch(/broken\.ts: could not be loaded/);
    await writeFile(path.join(dir, 'c.yaml'), 'a: 1\n');
    expect((await expectConfigError(loadConfig({ cwd: dir, path: 'c.yaml' }))).message).toMatch(/unsupported config file type/);
  });

  it('validates durations and S3 blocks', () => {
    expect(() => parseConfig({ drift: { baseline: '7 days' } }, 'x')).toThrow(/drift\.baseline: a duration such as/);
    const c = parseConfig({ store: { kind: 's3', bucket: 'b', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true, serverSideEncryption: 'aws:kms' } }, 'x');
    expect(c.store).toMatchObject({ kind: 's3', bucket: 'b', prefix: '', forcePathStyle: true, serverSideEncryption: 'aws:kms' });
  });
});

describe('environment and durations', () => {
  it('reads secrets from the environment only and redacts URLs', () => {
    const env = readEnv({ REDIS_URL: 'redis://:pw@host:6380', OPENAI_API_KEY: 'sk-x', SLACK_BOT_TOKEN: ' ' });
    expect(env.redisUrl).toBe('redis://:pw@host:6380');
    expect(env.judgeApiKey).toBe('sk-x');
    expect(env.slackToken).toBeUndefined();
    expect(redactUrl(env.redisUrl)).toBe('redis://:***@host:6380');
    expect(readEnv({}).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('4w')).toBe(28 * 86_400_000);
    expect(() => parseDuration('1y')).toThrow(/not a duration/);
  });
});
