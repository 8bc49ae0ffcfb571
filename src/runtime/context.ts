import type { Logger } from 'pino';
import { createFsSource } from '../captures/fs-source.ts';
import { keyTemplate } from '../captures/partitions.ts';
import type { CaptureSource } from '../captures/source.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import { createFsStore } from '../store/fs-store.ts';
import type { ResultsStore } from '../store/types.ts';
import { lazyS3Source, lazyS3Store } from './lazy-s3.ts';
import { createLogger } from './logger.ts';

export interface CreateContextOptions {
  readonly config: EvalwatchConfig;
  /** The clock. Default `Date.now`. */
  readonly now?: () => number;
  /** Default: a pino logger on stderr. */
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Overrides of the configured source/store (tests, the demo). */
  readonly source?: CaptureSource;
  readonly store?: ResultsStore;
  /** See {@link PipelineContext.onReport}. Default: none. */
  readonly onReport?: PipelineContext['onReport'];
}

/**
 * Builds the context every pipeline function receives, from a validated config.
 *
 * @example
 * const { config } = await loadConfig();
 * const ctx = createContext({ config });
 * const units = await driftPipeline.plan(ctx, run);
 */
export function createContext(options: CreateContextOptions): PipelineContext {
  const { config } = options;
  return {
    config,
    source: options.source ?? createSource(config),
    store: options.store ?? createStore(config),
    now: options.now ?? Date.now,
    logger: options.logger ?? createLogger({ redaction: config.alerts.redaction }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onReport ? { onReport: options.onReport } : {}),
  };
}

/**
 * The capture source named by `captures.source`. An S3 source imports the AWS SDK on its first
 * listing or read, not here, so an `fs` setup never loads it.
 *
 * @example
 * const source = createSource(config);
 * for await (const obj of source.list(window)) console.log(obj.key);
 */
export function createSource(config: EvalwatchConfig): CaptureSource {
  const src = config.captures.source;
  const template = keyTemplate(config.captures.keyTemplate);
  if (src.kind === 'fs') return createFsSource({ root: src.path, keyTemplate: template });
  return lazyS3Source(src, template);
}

/**
 * The results store named by `store`. An S3 store imports the AWS SDK on its first call to S3,
 * not here, so an `fs` setup never loads it.
 *
 * @example
 * await createStore(config).put('runs/…/report.json', json);
 */
export function createStore(config: EvalwatchConfig): ResultsStore {
  const store = config.store;
  if (store.kind === 'fs') return createFsStore({ root: store.path });
  return lazyS3Store(store);
}
