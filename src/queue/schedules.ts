import type { Queue } from 'bullmq';
import { parseDuration } from '../config/duration.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import { planJobSchema, parsePayload, type PlanJobData } from './contracts.ts';
import { JOB } from './names.ts';
import { jobRetention, type JobOptionsInput } from './job-options.ts';

/** What {@link reconcileSchedules} changed. */
export interface ReconcileResult {
  /** Schedules created or updated (upsert is idempotent: unchanged ones are listed too). */
  readonly upserted: string[];
  /** Stale schedulers removed because they are no longer in the config. */
  readonly removed: string[];
}

/**
 * Makes the queue's job schedulers match `config.schedules`: every configured schedule is
 * upserted (created, or updated in place when its cron, zone or window changed) and every
 * scheduler not in the config is removed. Only Job Schedulers are used, never legacy repeat
 * options. The scheduler id is the schedule's config key, so two replicas starting at once, or a
 * restart, converge on exactly one scheduler per schedule.
 *
 * @example
 * await reconcileSchedules(runsQueue, config.schedules, resolveQueueOptions());
 */
export async function reconcileSchedules(
  queue: Queue,
  schedules: EvalwatchConfig['schedules'],
  options: JobOptionsInput,
): Promise<ReconcileResult> {
  const upserted: string[] = [];
  for (const [id, s] of Object.entries(schedules).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const data: PlanJobData = parsePayload(
      planJobSchema,
      { v: 1, trigger: 'schedule', schedule: id, pipeline: s.pipeline, windowMs: parseDuration(s.window) },
      `schedule "${id}"`,
    );
    await queue.upsertJobScheduler(
      id,
      { pattern: s.cron, tz: s.tz },
      { name: JOB.plan, data, opts: { attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs }, ...jobRetention(options) } },
    );
    upserted.push(id);
  }
  const removed: string[] = [];
  const wanted = new Set(Object.keys(schedules));
  const existing = await queue.getJobSchedulers(0, -1, true);
  for (const s of existing) {
    const id = s.id ?? s.key;
    if (!wanted.has(id)) {
      if (await queue.removeJobScheduler(id)) removed.push(id);
    }
  }
  return { upserted, removed };
}
