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
    // Re-runs the golden suites of `golden.schedule` against the live target every night: a quiet
    // provider upgrade shows up as a golden.regression finding (the window is not used).
    nightlyGolden: { pipeline: 'golden', cron: '30 3 * * *', tz: 'UTC', window: '24h' },
  },
  drift: {
    alpha: 0.01,
    baseline: '7d',
  },
  // List prices (USD per 1M tokens) for records without `cost_usd`; add a dated entry when a price
  // changes: the change is shown as an event in the slo report, never as drift.
  pricing: {
    models: {
      'gpt-4o-2024-08-06': [{ inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 }],
      'gpt-4o-mini-2024-07-18': [{ inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 }],
      'claude-3-5-haiku-20241022': [{ inputPerMTok: 0.8, outputPerMTok: 4, cachedInputPerMTok: 0.08 }],
    },
  },
  // Error budgets over 30 days with the SRE-workbook burn-rate alerts (src/slo/README.md).
  slos: [
    { name: 'availability', kind: 'availability', target: 0.99 },
    { name: 'answer-ttft', route: 'answer', kind: 'latency', metric: 'ttft', thresholdMs: 1000, target: 0.95 },
    { name: 'classify-schema', route: 'classify_intent', kind: 'schema_valid', target: 0.95 },
  ],
});
