import type { Queue } from 'bullmq';

/** A read-only snapshot of the queues, for people and scripts. */
export interface QueueSnapshot {
  readonly queues: Record<string, { counts: Record<string, number>; recentFailed: FailedJobView[] }>;
}

/** A failed job, without its payload (payloads may name customer objects). */
export interface FailedJobView {
  id: string | undefined;
  name: string;
  failedReason: string;
  attemptsMade: number;
  finishedOn: number | undefined;
}

/**
 * Reads counts and the most recent failed jobs of each queue.
 *
 * @example
 * const snap = await queueSnapshot({ runs, units }, 20);
 */
export async function queueSnapshot(queues: Record<string, Queue>, failedLimit = 20): Promise<QueueSnapshot> {
  const out: QueueSnapshot['queues'] = {};
  for (const [name, q] of Object.entries(queues)) {
    const counts = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed');
    const failed = await q.getFailed(0, Math.max(0, failedLimit - 1));
    out[name] = {
      counts,
      recentFailed: failed.map((j) => ({
        id: j.id,
        name: j.name,
        failedReason: (j.failedReason ?? '').slice(0, 500),
        attemptsMade: j.attemptsMade,
        finishedOn: j.finishedOn,
      })),
    };
  }
  return { queues: out };
}
