import { defineConfig } from 'evalwatch';

/**
 * The embedded default: captures from ./captures, results in ./.evalwatch/results, alerts on the
 * console. No cloud account and no API key needed. Point `captures.source` at S3 for production:
 *
 *   captures: { source: { kind: 's3', bucket: 'my-llm-captures', prefix: 'prod', region: 'eu-west-1' } },
 *   store:    { kind: 's3', bucket: 'my-evalwatch-results', serverSideEncryption: 'aws:kms' },
 */
export default defineConfig({
  name: 'evalwatch',
  captures: {
    source: { kind: 'fs', path: 'captures' },
    keyTemplate: 'hive',
  },
  store: { kind: 'fs', path: '.evalwatch/results' },
  routes: {
    classify_intent: { json: true, description: 'intent classifier, JSON output' },
    extract_entities: { json: true, description: 'entity extraction, JSON output' },
  },
  schedules: {
    hourlyDrift: { pipeline: 'drift', cron: '5 * * * *', tz: 'UTC', window: '1h' },
    dailyDrift: { pipeline: 'drift', cron: '30 2 * * *', tz: 'UTC', window: '24h' },
    nightlyJudge: { pipeline: 'judge', cron: '0 3 * * *', tz: 'UTC', window: '24h' },
  },
  drift: {
    alpha: 0.01,
    baseline: '7d',
  },
});
