import type { Redis } from 'ioredis';

/** How far a run has come, as far as its units have reported. */
export interface RunProgress {
  /** Units that finished (with a partial). */
  readonly unitsReported: number;
  /** Records those units read. */
  readonly records: number;
}

/**
 * Per-run progress counters in Redis, for `evalwatch run`'s live display. One hash field per unit
 * (not an increment), so a retried or duplicated unit never counts twice.
 *
 * @example
 * const progress = new ProgressStore(redis, 'evalwatch', 7 * 86400);
 * await progress.record('drift-…', 'u0001', 1200);
 * await progress.read('drift-…'); // { unitsReported: 1, records: 1200 }
 */
export class ProgressStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSec: number,
  ) {}

  /** Key of a run's progress hash; under the BullMQ prefix, so cleanup by prefix removes it. */
  key(runId: string): string {
    return `${this.prefix}:ew-progress:${runId}`;
  }

  /** Records that a unit finished having read `records` records. */
  async record(runId: string, unitId: string, records: number): Promise<void> {
    const key = this.key(runId);
    await this.redis.multi().hset(key, unitId, String(records)).expire(key, this.ttlSec).exec();
  }

  /** Reads a run's progress. */
  async read(runId: string): Promise<RunProgress> {
    const all = await this.redis.hgetall(this.key(runId));
    let records = 0;
    let units = 0;
    for (const v of Object.values(all)) {
      units += 1;
      records += Number(v) || 0;
    }
    return { unitsReported: units, records };
  }
}
