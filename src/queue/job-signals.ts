import type { PipelineContext } from '../pipeline/types.ts';

/** A job's context and the call that ends its bookkeeping. */
export interface JobContext {
  readonly ctx: PipelineContext;
  /** Call once the job has finished, whatever its outcome. */
  release(): void;
}

/**
 * Per-job abort signals, made only when a processor reads `ctx.signal`. Shutdown aborts every
 * signal that exists (jobs handed back must stop working), and a signal first read after that
 * starts aborted.
 *
 * Why not BullMQ's own: BullMQ allocates an AbortController for every job of a processor that
 * declares a third parameter, read or not, and that allocation is a measurable share of the
 * per-job cost of a short job. Why not one signal per worker: pipelines hand the signal to
 * libraries (fetch, SDKs, `AbortSignal.any`) that attach listeners, and on a signal that lives as
 * long as the process those would pile up; a per-job signal is dropped with its job.
 *
 * @example
 * const signals = new JobSignals();
 * const { ctx, release } = signals.context(baseCtx);
 * try { await pipeline.processUnit(ctx, run, unit); } finally { release(); }
 * signals.abortAll('worker shutting down'); // at the shutdown deadline
 */
export class JobSignals {
  private readonly live = new Set<AbortController>();
  private abortedWith: { reason: unknown } | null = null;

  /** A copy of `base` whose `signal` is this job's, created on first read. */
  context(base: PipelineContext): JobContext {
    return new LazyJobContext(this, base);
  }

  /** Aborts every job signal handed out and not yet released, and every one read from now on. */
  abortAll(reason: unknown): void {
    this.abortedWith ??= { reason };
    for (const c of this.live) c.abort(reason);
    this.live.clear();
  }

  /** Signals handed out and not yet released. */
  get size(): number {
    return this.live.size;
  }

  /** @internal A new signal for a job that asked for one. */
  open(): AbortController {
    const c = new AbortController();
    if (this.abortedWith) c.abort(this.abortedWith.reason);
    else this.live.add(c);
    return c;
  }

  /** @internal */
  close(c: AbortController): void {
    this.live.delete(c);
  }
}

class LazyJobContext implements JobContext {
  readonly ctx: PipelineContext;
  private controller: AbortController | undefined;

  constructor(
    private readonly signals: JobSignals,
    base: PipelineContext,
  ) {
    // An own, enumerable accessor written in the literal, so `{ ...ctx }` in a pipeline carries
    // the job's signal along (a prototype getter would be dropped by a spread). A literal keeps
    // the object's fast shape; `Object.defineProperty` on a fresh object did not (≈ 6 µs a job).
    const job = this;
    this.ctx = {
      ...base,
      get signal(): AbortSignal {
        job.controller ??= job.signals.open();
        return job.controller.signal;
      },
    };
  }

  release(): void {
    if (this.controller) this.signals.close(this.controller);
  }
}
