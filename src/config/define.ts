import type { EvalwatchConfigInput } from './schema.ts';

/**
 * Declares the worker configuration with types and editor completion. It returns its argument
 * unchanged; validation and defaults happen when the config is loaded.
 *
 * @example
 * // worker.config.ts
 * import { defineConfig } from 'evalwatch';
 * export default defineConfig({
 *   captures: { source: { kind: 's3', bucket: 'llm-captures', prefix: 'prod' } },
 *   schedules: { hourlyDrift: { pipeline: 'drift', cron: '5 * * * *', tz: 'UTC', window: '1h' } },
 * });
 */
export function defineConfig(config: EvalwatchConfigInput): EvalwatchConfigInput {
  return config;
}
