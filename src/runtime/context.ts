import type { Logger } from 'pino';
import { createFsSource } from '../captures/fs-source.ts';
import { keyTemplate } from '../captures/partitions.ts';
import { createS3Source } from '../captures/s3-source.ts';
import type { CaptureSource } from '../captures/source.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import { createFsStore } from '../store/fs-store.ts';
import { createS3Client } from '../store/s3-client.ts';
import { createS3Store } from '../store/s3-store.ts';
import type { ResultsStore } from '../store/types.ts';
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
 * The capture source named by `captures.source`.
 *
 * @example
 * const source = createSource(config);
 * for await (const obj of source.list(window)) console.log(obj.key);
 */
export function createSource(config: EvalwatchConfig): CaptureSource {
  const src = config.captures.source;
  const template = keyTemplate(config.captures.keyTemplate);
  if (src.kind === 'fs') return createFsSource({ root: src.path, keyTemplate: template });
  return createS3Source({ client: createS3Client(src), bucket: src.bucket, prefix: src.prefix, keyTemplate: template });
}

/**
 * The results store named by `store`.
 *
 * @example
 * await createStore(config).put('runs/…/report.json', json);
 */
export function createStore(config: EvalwatchConfig): ResultsStore {
  const store = config.store;
  if (store.kind === 'fs') return createFsStore({ root: store.path });
  return createS3Store({
    client: createS3Client(store),
    bucket: store.bucket,
    prefix: store.prefix,
    ...(store.serverSideEncryption ? { serverSideEncryption: store.serverSideEncryption } : {}),
    ...(store.sseKmsKeyId ? { sseKmsKeyId: store.sseKmsKeyId } : {}),
  });
}
