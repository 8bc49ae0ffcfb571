import type { JudgeConfig } from './config.ts';
import { outputSchema } from './output-schema.ts';
import { PROMPT_VERSION, type OutputMode } from './prompt.ts';
import { contentHash } from './rubric.ts';
import type { Rubric } from './rubric-schema.ts';

/** Everything that can change a judge's scores, stored with every score. */
export interface JudgeDescriptor {
  readonly model: string;
  /** Base URL without a trailing slash. */
  readonly baseURL: string;
  readonly rubric: string;
  readonly rubricVersion: string;
  readonly promptVersion: string;
  readonly outputMode: OutputMode;
  /** Hash of the reply JSON Schema. */
  readonly outputSchema: string;
  readonly params: { readonly temperature: number; readonly seed: number | null; readonly maxTokensParam: string };
}

/**
 * The judge descriptor of a rubric under a configuration and output mode.
 *
 * @example
 * const d = judgeDescriptor(cfg, rubric, 'json_schema');
 * const fp = judgeFingerprint(d); // trends never compare across different fp
 */
export function judgeDescriptor(cfg: JudgeConfig, rubric: Rubric, mode: OutputMode): JudgeDescriptor {
  return {
    model: rubric.model ?? cfg.model,
    baseURL: cfg.baseURL.replace(/\/+$/, ''),
    rubric: rubric.name,
    rubricVersion: rubric.version,
    promptVersion: PROMPT_VERSION,
    outputMode: mode,
    outputSchema: contentHash(outputSchema(rubric)),
    params: { temperature: cfg.temperature, seed: cfg.seed, maxTokensParam: cfg.maxTokensParam },
  };
}

/**
 * A short hash of a judge descriptor: equal fingerprints mean comparable scores.
 *
 * @example
 * judgeFingerprint(judgeDescriptor(cfg, rubric, 'json_schema')); // '9f2c…' (16 hex digits)
 */
export function judgeFingerprint(d: JudgeDescriptor): string {
  return contentHash(d);
}
