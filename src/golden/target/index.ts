import type { GoldenTargetConfig } from '../config.ts';
import { httpTarget } from './http-target.ts';
import { openaiTarget } from './openai-target.ts';
import type { Target, TargetOptions } from './types.ts';

export { canonicalJson, targetFingerprint, targetIdentity } from './fingerprint.ts';
export { caseMessages, openaiTarget } from './openai-target.ts';
export { firstMatch, httpTarget } from './http-target.ts';
export { renderBody, renderString, TemplateError } from './template.ts';
export type { Target, TargetErrorKind, TargetEvent, TargetOptions } from './types.ts';

/**
 * Builds the target of a `config.golden.targets` entry.
 *
 * @example
 * const target = createTarget('prod', config.golden.targets.prod, { env: process.env });
 */
export function createTarget(name: string, cfg: GoldenTargetConfig, options: TargetOptions = {}): Target {
  return cfg.kind === 'openai' ? openaiTarget(name, cfg, options) : httpTarget(name, cfg, options);
}
