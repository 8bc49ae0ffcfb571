import { describe, expect, it } from 'vitest';
import type { PipelineContext } from '../../src/pipeline/types.ts';
import { JobSignals } from '../../src/queue/job-signals.ts';

const base = { now: () => 1, logger: {}, config: {}, store: {}, source: {} } as unknown as PipelineContext;

describe('JobSignals (per-job abort signals, made on first read)', () => {
  it('makes a signal only when a job reads it, and forgets it on release', () => {
    const signals = new JobSignals();
    const quiet = signals.context(base);
    expect(quiet.ctx.now()).toBe(1);
    expect(quiet.ctx.config).toBe(base.config);
    quiet.release();
    expect(signals.size).toBe(0);

    const reading = signals.context(base);
    const s = reading.ctx.signal;
    expect(s?.aborted).toBe(false);
    expect(reading.ctx.signal).toBe(s);
    // A spread of the job context (pipelines do that) carries the same signal.
    expect({ ...reading.ctx }.signal).toBe(s);
    expect(signals.size).toBe(1);
    reading.release();
    expect(signals.size).toBe(0);
  });

  it('abortAll aborts the live signals, leaves released ones alone, and pre-aborts later reads', () => {
    const signals = new JobSignals();
    const a = signals.context(base);
    const b = signals.context(base);
    const sa = a.ctx.signal as AbortSignal;
    const sb = b.ctx.signal as AbortSignal;
    b.release();
    signals.abortAll('worker shutting down');
    expect(sa.aborted).toBe(true);
    expect(sa.reason).toBe('worker shutting down');
    expect(sb.aborted).toBe(false);
    const late = signals.context(base);
    expect(late.ctx.signal?.aborted).toBe(true);
    expect(late.ctx.signal?.reason).toBe('worker shutting down');
    expect(signals.size).toBe(0);
  });

  it('gives each job its own signal', () => {
    const signals = new JobSignals();
    const a = signals.context(base);
    const b = signals.context(base);
    expect(a.ctx.signal).not.toBe(b.ctx.signal);
  });
});
