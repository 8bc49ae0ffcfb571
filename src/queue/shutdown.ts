import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';

/** What a graceful shutdown did. */
export interface ShutdownResult {
  /** Jobs that finished within the deadline. */
  readonly drained: boolean;
  /** Jobs moved back to wait at the deadline, for another worker to pick up at once. */
  readonly handedBack: number;
}

/** Input of {@link handBackOnDeadline}. */
export interface HandBackInput {
  readonly workers: Worker[];
  /** In-flight jobs with their lock tokens, kept up to date by the processor wrapper. */
  readonly inflight: ReadonlyMap<string, { job: Job; token: string | undefined }>;
  /** Registers a callback fired when `inflight` becomes empty. */
  readonly onEmpty: (f: () => void) => void;
  /** Aborts the signal of every job still in flight, and of any read later (see `JobSignals.abortAll`). */
  readonly abort: (reason: string) => void;
  readonly deadlineMs: number;
  readonly logger: Logger;
}

/**
 * Stops taking jobs, waits up to `deadlineMs` for in-flight jobs, then hands the rest back: each
 * is moved from active to wait with its lock token (so another worker starts it at once instead
 * of after the stalled-job timeout, and no attempt is burnt), the processors are aborted through
 * their jobs' signals (`abort`), and the workers are force-closed. Either way no job is lost.
 *
 * @example
 * const { handedBack } = await handBackOnDeadline({ workers, inflight, onEmpty, abort, deadlineMs: 25_000, logger });
 */
export async function handBackOnDeadline(input: HandBackInput): Promise<ShutdownResult> {
  // pause(true): stop fetching without waiting for the active jobs (we wait ourselves, bounded).
  await Promise.all(input.workers.map((w) => w.pause(true)));
  const drained = await new Promise<boolean>((resolve) => {
    if (input.inflight.size === 0) return resolve(true);
    const timer = setTimeout(() => resolve(false), input.deadlineMs);
    input.onEmpty(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  let handedBack = 0;
  if (!drained) {
    for (const [id, { job, token }] of input.inflight) {
      try {
        await job.moveToWait(token);
        handedBack += 1;
      } catch (err) {
        // The lock may be gone already (the job just finished, or was stalled): then it is not ours.
        input.logger.warn({ job: id, err: (err as Error).message }, 'could not hand a job back; the stalled-job check will recover it');
      }
    }
    input.abort('worker shutting down');
  }
  await Promise.allSettled(input.workers.map((w) => w.close(!drained)));
  return { drained, handedBack };
}
