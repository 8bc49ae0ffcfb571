import type { Redis } from 'ioredis';

/** How far a run has come, as far as its units have reported. */
export interface RunProgress {
  /** Units that finished (with a partial). */
  readonly unitsReported: number;
  /** Units that failed after all their attempts. */
  readonly unitsFailed: number;
  /** Records those units read. */
  readonly records: number;
}

/** Stored instead of a record count for a unit that failed (no unit reads -1 records). */
const FAILED = -1;

/**
 * Per-run progress counters in Redis, for `evalwatch run`'s live display. One hash field per unit
 * (not an increment), so a retried or duplicated unit never counts twice.
 *
 * @example
 * const progress = new ProgressStore(redis, 'evalwatch', 7 * 86400);
 * await progress.record('drift-…', 'u0001', 1200);
 * await progress.read('drift-…'); // { unitsReported: 1, unitsFailed: 0, records: 1200 }
 */
export class ProgressStore {
  private pending = new Map<string, Map<string, number>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * @param flushMs Unit reports are buffered and written in one round trip per run this often, so
   *   progress costs no extra Redis round trip per job. `0` writes at once. Default 250.
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSec: number,
    private readonly flushMs = 250,
  ) {}

  /** Key of a run's progress hash; under the BullMQ prefix, so cleanup by prefix removes it. */
  key(runId: string): string {
    return `${this.prefix}:ew-progress:${runId}`;
  }

  /**
   * Records that a unit finished having read `records` records (buffered; see `flushMs`). Returns
   * the write's promise only when `flushMs` is 0; buffered, it costs no promise per job.
   */
  record(runId: string, unitId: string, records: number): Promise<void> | undefined {
    let run = this.pending.get(runId);
    if (!run) this.pending.set(runId, (run = new Map()));
    run.set(unitId, records);
    if (this.flushMs === 0) return this.flush();
    // unref: a pending progress write never keeps a finished process alive.
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.flushMs).unref();
    return undefined;
  }

  /**
   * Records that a unit failed after all its attempts (buffered like {@link record}); a later
   * success of the same unit (a duplicate run) overwrites it.
   */
  fail(runId: string, unitId: string): Promise<void> | undefined {
    return this.record(runId, unitId, FAILED);
  }

  /** Writes buffered reports now. Progress is display only: a lost flush never loses results. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      if (batch.size === 0) return;
      const m = this.redis.multi();
      for (const [runId, units] of batch) {
        const key = this.key(runId);
        // ioredis flattens a Map into field/value pairs: no copy of the batch per flush.
        m.hset(key, units).expire(key, this.ttlSec);
      }
      await m.exec();
    });
    return this.flushing;
  }

  /** Reads a run's progress. */
  async read(runId: string): Promise<RunProgress> {
    const all = await this.redis.hgetall(this.key(runId));
    let records = 0;
    let units = 0;
    let failed = 0;
    for (const v of Object.values(all)) {
      if (v === String(FAILED)) {
        failed += 1;
        continue;
      }
      units += 1;
      records += Number(v) || 0;
    }
    return { unitsReported: units, unitsFailed: failed, records };
  }
}
