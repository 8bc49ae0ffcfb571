import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsSource } from '../../src/captures/fs-source.ts';
import { keyTemplate } from '../../src/captures/partitions.ts';
import { runDoctor } from '../../src/runtime/doctor.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';
import { startSlackServer, type SlackTestServer } from '../helpers/slack-server.ts';

let dir: string;
let openai: OpenAiServer;
let slack: SlackTestServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'evalwatch-doctor-'));
  openai = await startOpenAiServer({ models: ['judge-test-2025-01-01'] });
  slack = await startSlackServer();
});
afterAll(async () => {
  await openai.close();
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = () => ({
  source: createFsSource({ root: path.join(dir, 'captures'), keyTemplate: keyTemplate('hive') }),
  store: createFsStore({ root: path.join(dir, 'results') }),
});

describe('runDoctor', () => {
  it('checks every configured component: Redis, store, captures, the judge endpoint and Slack', async () => {
    const results = await runDoctor({
      ...deps(),
      env: { redisUrl: TEST_REDIS_URL, judgeApiKey: 'k', slackToken: 'xoxb-test' },
      slackApiUrl: slack.url,
      judge: { baseURL: openai.url, model: 'judge-test-2025-01-01', configured: true, howTo: 'set it' },
    });
    const by = Object.fromEntries(results.map((r) => [r.component, r]));
    expect(results.map((r) => r.component)).toEqual(['redis', 'store', 'captures', 'judge', 'slack']);
    expect(by.redis!.status).toBe('ok');
    expect(by.redis!.detail).toMatch(/^ping ok at redis:\/\/127\.0\.0\.1:6379\/?, Redis \d/);
    expect(by.store!.status).toBe('ok');
    expect(by.judge).toEqual({ component: 'judge', status: 'ok', detail: `${openai.url} answers; model judge-test-2025-01-01` });
    expect(by.slack).toEqual({ component: 'slack', status: 'ok', detail: 'token ok for team test as evalwatch' });
  });

  it('skips the judge and Slack when they are not configured, and says how to configure them', async () => {
    const results = await runDoctor({
      ...deps(),
      env: { redisUrl: TEST_REDIS_URL },
      judge: { baseURL: openai.url, model: 'judge-test-2025-01-01', configured: false, howTo: 'set EVALWATCH_JUDGE_API_KEY' },
    });
    const by = Object.fromEntries(results.map((r) => [r.component, r]));
    expect(by.judge).toEqual({ component: 'judge', status: 'skipped', detail: 'set EVALWATCH_JUDGE_API_KEY' });
    expect(by.slack).toEqual({ component: 'slack', status: 'skipped', detail: 'SLACK_BOT_TOKEN not set; alerts go to the console and a file' });
  });
});
