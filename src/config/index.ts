export { defineConfig } from './define.ts';
export { loadConfig, parseConfig, type LoadedConfig, type LoadConfigOptions } from './load.ts';
export { ConfigError } from './errors.ts';
export { readEnv, redactUrl, type EvalwatchEnv } from './env.ts';
export { parseDuration } from './duration.ts';
export { configSchema, type EvalwatchConfig, type EvalwatchConfigInput } from './schema.ts';
