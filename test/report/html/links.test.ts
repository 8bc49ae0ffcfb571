import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReportLinker } from '../../../src/alerts/links.ts';
import { configSchema, type EvalwatchConfigInput } from '../../../src/config/schema.ts';
import { writeReport } from '../../../src/pipeline/run-core.ts';
import type { RunRequest } from '../../../src/pipeline/types.ts';
import { findingAnchor } from '../../../src/report/html/index.ts';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../../../src/report/types.ts';
import { createInlineAlerting } from '../../../src/runtime/alerting.ts';
import { createFsStore } from '../../../src/store/fs-store.ts';
import { createS3Store } from '../../../src/store/s3-store.ts';
import type { ResultsStore } from '../../../src/store/types.ts';
import { startS3TestSetup, type S3TestSetup } from '../../helpers/s3-server.ts';
import { startSlackServer, type SlackTestServer } from '../../helpers/slack-server.ts';

/**
 * Slack alerts link to the finding's anchor in report.html: a public base URL, else a presigned
 * S3 URL (opened here without credentials), else a file:// URL on the fs store. Through the real
 * path: writeReport → inline alerting → routing → delivery → @slack/web-api → local Slack server.
 */

const HOUR = 3_600_000;
const END = Date.UTC(2026, 10, 23, 14);
const FP = '095db3d94797906c';
const run: RunRequest = { runId: 'drift-20261123T1400Z-1h', pipeline: 'drift', window: { start: END - HOUR, end: END }, requestedAt: END + 300_000 };

function report(): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: run.runId,
    pipeline: 'drift',
    window: { start: new Date(END - HOUR).toISOString(), end: new Date(END).toISOString() },
    startedAt: new Date(END).toISOString(),
    finishedAt: new Date(END + 60_000).toISOString(),
    status: 'ok',
    statusReasons: [],
    input: { objects: 2, objectsRead: 2, records: 400, populationRecords: 400, estimatedCalls: 400, rejected: {}, quarantined: 0, bytes: 1 },
    coverage: { objects: 2, objectsRead: 2, unitsPlanned: 2, unitsDone: 2, unitsFailed: 0 },
    findings: [
      {
        fingerprint: FP,
        kind: 'drift.numeric',
        severity: 'critical',
        route: 'answer',
        subject: 'output_tokens',
        summary: 'answer: output tokens p50 166 → 219 (+32%) since 11:00 UTC; KS D = 0.29, q < 1e-6; n = 145 vs 9,714',
        stats: { test: 'ks', statistic: 0.29, pValue: 1e-9, qValue: 1e-8, effect: { ksD: 0.29 }, n: 145, m: 9714 },
        baseline: { p50: 166 },
        current: { p50: 219 },
        examples: ['req-1'],
        links: [],
        state: 'firing',
      },
    ],
    unmeasured: [],
    sections: {},
  };
}

let slack: SlackTestServer;
let dir: string;
beforeAll(async () => {
  slack = await startSlackServer();
  dir = await mkdtemp(join(tmpdir(), 'evalwatch-html-links-'));
});
afterAll(async () => {
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes the report (JSON + HTML) and alerts on it through Slack; returns the posted message's buttons and context text. */
async function alertOn(store: ResultsStore, alerts: EvalwatchConfigInput['alerts']) {
  const config = configSchema.parse({ alerts: { slackChannel: '#llm-alerts', ...alerts } });
  const now = () => END + 300_000;
  const key = await writeReport({ store }, run, report());
  const before = slack.messages.length;
  const alerting = createInlineAlerting({ config, env: { redisUrl: '', slackToken: 'xoxb-test' }, store, logger: pino({ level: 'silent' }), now, slackApiUrl: slack.url });
  await alerting.onReport(report(), key);
  const msg = slack.messages[before];
  expect(msg, 'a message was posted').toBeDefined();
  const blocks = (msg?.blocks ?? []) as { type: string; elements?: { action_id?: string; url?: string; text?: unknown }[] }[];
  const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
  const context = JSON.stringify(blocks.filter((b) => b.type === 'context'));
  return { key, report: buttons.find((b) => b.action_id === 'report')?.url, context };
}

describe('report links in Slack alerts', () => {
  it('a public base URL: a "Run report" button to <base>/<key of report.html>#<finding anchor>', async () => {
    const store = createFsStore({ root: join(dir, 'public'), fsync: false });
    const { report: url } = await alertOn(store, { reportBaseUrl: 'https://reports.example.com/evalwatch/' });
    expect(url).toBe(`https://reports.example.com/evalwatch/runs/2026-11-23/${run.runId}/report.html#${findingAnchor(FP)}`);
  });

  it('the fs store: the file:// URL of report.html at the anchor, as text (Slack cannot open files)', async () => {
    const store = createFsStore({ root: join(dir, 'fs'), fsync: false });
    const { report: url, context } = await alertOn(store, {});
    expect(url).toBeUndefined();
    const m = /(file:\/\/[^\s"\\]+)#(f[0-9a-f]{16})\b/.exec(context);
    expect(m?.[2]).toBe(findingAnchor(FP));
    const path = fileURLToPath(m?.[1] as string);
    expect(path).toBe(join(dir, 'fs', 'runs', '2026-11-23', run.runId, 'report.html'));
  });

  it('a reportUrl template (the team\'s own viewer) gets the finding anchor appended', async () => {
    const store = createFsStore({ root: join(dir, 'tpl'), fsync: false });
    const { report: url } = await alertOn(store, { reportUrl: 'https://viewer.example.com/runs/{run_id}' });
    expect(url).toBe(`https://viewer.example.com/runs/${run.runId}#${findingAnchor(FP)}`);
  });

  describe('the S3 store', () => {
    let setup: S3TestSetup;
    beforeAll(async () => {
      setup = await startS3TestSetup({ buckets: ['reports'] });
    });
    afterEach(() => setup.reset());
    afterAll(() => setup.stop());

    it('a presigned GET URL with the configured expiry that opens report.html without credentials (text/html)', async () => {
      const store = createS3Store({ client: setup.client, bucket: 'reports', prefix: 'prod' });
      const { report: url } = await alertOn(store, { reportLinkExpiry: '36h' });
      expect(url).toBeDefined();
      const u = new URL(url as string);
      expect(u.hash).toBe(`#${findingAnchor(FP)}`);
      expect(u.pathname).toBe(`/reports/prod/runs/2026-11-23/${run.runId}/report.html`);
      expect(u.searchParams.get('X-Amz-Expires')).toBe(String(36 * 3600));
      expect(u.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      const res = await fetch(url as string);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain(`id="${findingAnchor(FP)}"`);
    });

    it('the presigned link survives redaction although it carries an AKIA access key id', async () => {
      const client = new S3Client({
        endpoint: setup.s3.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      });
      try {
        const store = createS3Store({ client, bucket: 'reports', prefix: 'redact' });
        const { report: url } = await alertOn(store, {});
        expect(url).toContain('AKIAIOSFODNN7EXAMPLE');
        expect(new URL(url as string).searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
        expect((await fetch(url as string)).status).toBe(200);
      } finally {
        client.destroy();
      }
    });

    it('an expired presigned link is refused by the store (the expiry is real)', async () => {
      const store = createS3Store({ client: setup.client, bucket: 'reports', prefix: 'exp' });
      await writeReport({ store }, run, report());
      const url = await createReportLinker({ store, config: { reportLinkExpiry: '1s' } })(`runs/2026-11-23/${run.runId}/report.json`);
      expect(new URL(url as string).searchParams.get('X-Amz-Expires')).toBe('1');
      await new Promise((r) => setTimeout(r, 2100));
      expect((await fetch(url as string)).status).toBe(403);
    });
  });
});
