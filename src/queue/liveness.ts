/** Options of {@link LivenessTracker}. */
export interface LivenessOptions {
  /**
   * How long (ms) jobs may wait while this worker has free slots and starts or finishes nothing,
   * before it counts as stuck. Default 60000.
   */
  readonly idleMs?: number;
  /** A single job running longer than this (ms) means the worker is stuck. Default 3600000. */
  readonly maxJobMs?: number;
}

/** The outcome of a liveness check. */
export interface LivenessResult {
  readonly ok: boolean;
  /** Why the worker is considered stuck; absent when ok. */
  readonly reason?: string;
}

interface Lane {
  readonly capacity: number;
  readonly active: Map<string, number>;
  lastActivityAt: number;
  /** Since when waiting jobs and free slots have been seen together without any activity. */
  pendingSince: number | null;
}

/**
 * Notices a worker that is connected but no longer consuming — a wedged main loop, a lost
 * blocking connection, a processor that never resolves. A queue is watched per lane (one lane per
 * BullMQ worker): the processor wrapper reports job starts and ends; the health check reports how
 * many jobs are waiting. Stateful across checks, so a job that arrives after an idle hour is not
 * mistaken for a stuck worker: the idle clock starts when waiting work is first seen.
 *
 * @example
 * const live = new LivenessTracker({ now: Date.now, lanes: { units: 4 } });
 * live.started('units', job.id); … live.finished('units', job.id);
 * live.assess({ units: await queue.getWaitingCount() }); // { ok: true }
 */
export class LivenessTracker {
  private readonly lanes = new Map<string, Lane>();
  private readonly idleMs: number;
  private readonly maxJobMs: number;
  private readonly now: () => number;

  constructor(init: { now: () => number; lanes: Record<string, number> } & LivenessOptions) {
    this.now = init.now;
    this.idleMs = init.idleMs ?? 60_000;
    this.maxJobMs = init.maxJobMs ?? 3_600_000;
    const t = this.now();
    for (const [name, capacity] of Object.entries(init.lanes)) {
      this.lanes.set(name, { capacity, active: new Map(), lastActivityAt: t, pendingSince: null });
    }
  }

  /** A job started in a lane. */
  started(lane: string, jobId: string): void {
    const l = this.lane(lane);
    const t = this.now();
    l.active.set(jobId, t);
    l.lastActivityAt = t;
  }

  /** A job ended in a lane (completed, failed or handed back). */
  finished(lane: string, jobId: string): void {
    const l = this.lane(lane);
    l.active.delete(jobId);
    l.lastActivityAt = this.now();
  }

  /** Jobs in flight over every lane. */
  inflight(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.active.size;
    return n;
  }

  /**
   * Decides liveness from the waiting counts per lane (`undefined` when Redis could not be asked:
   * an outage is a readiness problem, never a reason to restart a healthy process).
   */
  assess(waiting: Record<string, number | undefined>): LivenessResult {
    const t = this.now();
    for (const [name, l] of this.lanes) {
      for (const [jobId, since] of l.active) {
        if (t - since > this.maxJobMs) {
          return { ok: false, reason: `job ${jobId} on ${name} has run for ${Math.round((t - since) / 1000)} s (limit ${this.maxJobMs / 1000} s)` };
        }
      }
      const w = waiting[name];
      if (w === undefined) continue;
      if (w > 0 && l.active.size < l.capacity) {
        l.pendingSince ??= t;
        const idleFor = t - Math.max(l.pendingSince, l.lastActivityAt);
        if (idleFor > this.idleMs) {
          return { ok: false, reason: `${w} jobs waiting on ${name} and ${l.capacity - l.active.size} free slots, but no job started or finished for ${Math.round(idleFor / 1000)} s` };
        }
      } else {
        l.pendingSince = null;
      }
    }
    return { ok: true };
  }

  private lane(name: string): Lane {
    const l = this.lanes.get(name);
    if (!l) throw new RangeError(`unknown liveness lane "${name}"`);
    return l;
  }
}
