import type { JobsOptions } from 'bullmq';
import type { QueueLayerOptions } from './options.ts';

export type JobOptionsInput = Pick<
  QueueLayerOptions,
  'attempts' | 'backoffMs' | 'keepCompletedAgeSec' | 'keepCompletedCount' | 'keepFailedAgeSec' | 'keepFailedCount'
>;

/**
 * Retention of finished jobs: bounded by age and count on every queue, so Redis memory stays
 * flat however long the worker runs. Failed jobs are kept longer, for inspection.
 *
 * @example
 * queue.add('plan', data, { ...jobRetention(opts) });
 */
export function jobRetention(o: JobOptionsInput): Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> {
  return {
    removeOnComplete: { age: o.keepCompletedAgeSec, count: o.keepCompletedCount },
    removeOnFail: { age: o.keepFailedAgeSec, count: o.keepFailedCount },
  };
}

/**
 * Retries with exponential backoff plus retention: the options every job we enqueue carries.
 *
 * @example
 * queue.add('plan', data, { jobId, ...retryingJob(opts) });
 */
export function retryingJob(o: JobOptionsInput): JobsOptions {
  return { attempts: o.attempts, backoff: { type: 'exponential', delay: o.backoffMs }, ...jobRetention(o) };
}
