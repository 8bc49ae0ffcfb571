/**
 * The public entry point of the `evalwatch` package: what a `worker.config.ts` imports.
 */
export { defineConfig } from './config/define.ts';
export type { EvalwatchConfig, EvalwatchConfigInput } from './config/schema.ts';
export type { CaptureRecord } from './captures/record.ts';
export type { Finding, RunReport } from './report/types.ts';
