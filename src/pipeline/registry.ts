import type { PipelineName } from '../report/types.ts';
import type { Pipeline } from './types.ts';

/** Pipelines in the order `nightly` runs them. */
export const pipelineNames = ['drift', 'judge', 'golden', 'slo', 'nightly'] as const satisfies readonly PipelineName[];

/** A pipeline that is named in the CLI/config but not built yet. */
export class PipelineUnavailableError extends Error {
  readonly code = 'PIPELINE_UNAVAILABLE';
  constructor(readonly pipeline: string) {
    super(`pipeline "${pipeline}" is not available in this version of evalwatch (available: ${availablePipelines().join(', ')})`);
    this.name = 'PipelineUnavailableError';
  }
}

type Loader = () => Promise<Pipeline>;

// Loaded lazily so that `evalwatch doctor` and the CLI's --help do not import every pipeline.
const loaders: Partial<Record<PipelineName, Loader>> = {
  drift: async () => (await import('../drift/pipeline.ts')).driftPipeline as Pipeline,
  judge: async () => (await import('../judge/pipeline.ts')).judgePipeline as Pipeline,
  golden: async () => (await import('../golden/pipeline.ts')).goldenPipeline as Pipeline,
  slo: async () => (await import('../slo/pipeline.ts')).sloPipeline as Pipeline,
  nightly: async () => (await import('./nightly.ts')).nightlyPipeline as Pipeline,
};

/** Names of the pipelines this build can run. */
export function availablePipelines(): PipelineName[] {
  return pipelineNames.filter((n) => loaders[n] !== undefined);
}

/**
 * Returns the pipeline implementation for a name.
 *
 * @throws {PipelineUnavailableError} when the pipeline is not built yet.
 * @example
 * const drift = await getPipeline('drift');
 * const units = await drift.plan(ctx, run);
 */
export async function getPipeline(name: PipelineName): Promise<Pipeline> {
  const load = loaders[name];
  if (!load) throw new PipelineUnavailableError(name);
  return load();
}
